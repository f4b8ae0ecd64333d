/**
 * A step's printed output, kept by the sandbox child outside the isolate: the isolate sends each
 * print as it happens, so what a step printed survives the isolate being disposed (a timeout after
 * an await, the CPU budget, memory). Keeps the head and the tail (half of `maxChars` each) and
 * counts the true length.
 */
export class OutputBuffer {
  private buf = '';
  private head = '';
  private tail = '';
  private overflowed = false;
  private total = 0;
  /** Pieces received since the last take (the isolate counts those it sent). */
  private received = 0;
  private readonly half: number;

  constructor(private readonly maxChars: number) {
    this.half = Math.floor(maxChars / 2);
  }

  /**
   * One printed piece. A piece longer than the limit may arrive already cut in the isolate (to copy
   * less): `piece` is then its first and last `half` characters and `length` its true length.
   */
  append(piece: string, length = piece.length): void {
    this.received++;
    this.total += length;
    const cut = length > piece.length;
    const last = (s: string) => s.slice(Math.max(0, s.length - this.half));
    if (this.overflowed) {
      this.tail = last(this.tail + (cut ? last(piece) : piece));
      return;
    }
    if (cut) {
      this.overflowed = true;
      this.head = (this.buf + piece).slice(0, this.half);
      this.tail = last(piece);
      this.buf = '';
      return;
    }
    this.buf += piece;
    if (this.buf.length > this.maxChars) {
      this.overflowed = true;
      this.head = this.buf.slice(0, this.half);
      this.tail = last(this.buf);
      this.buf = '';
    }
  }

  /** The output so far (head, an omitted-characters marker, tail) and its true length; then empty. */
  take(): { output: string; outputChars: number } {
    const output = this.overflowed ? `${this.head}\n... [${this.total - this.head.length - this.tail.length} characters omitted] ...\n${this.tail}` : this.buf;
    const taken = { output, outputChars: this.total };
    this.buf = '';
    this.head = '';
    this.tail = '';
    this.overflowed = false;
    this.total = 0;
    this.received = 0;
    return taken;
  }

  /** Pieces received since the last take. */
  get pieces(): number {
    return this.received;
  }
}
