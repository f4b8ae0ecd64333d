/** Progress on stderr when it is a terminal: one line, rewritten in place. */
import type { ProgressEvent } from '../runtime/run.js';
import { thousands } from '../util/digits.js';
import { environment } from './config.js';

export class ProgressLine {
  private last = 0;
  private text = '';
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY) && !environment().ci;
  }

  set(text: string, force = false): void {
    if (!this.enabled) return;
    this.text = text;
    const now = Date.now();
    if (!force && now - this.last < 80) return;
    this.last = now;
    const width = Math.max(20, (this.stream.columns ?? 100) - 1);
    this.stream.write(`\r\x1b[2K${this.text.slice(0, width)}`);
  }

  clear(): void {
    if (this.enabled && this.text) this.stream.write('\r\x1b[2K');
    this.text = '';
  }
}

/** Renders run progress: iteration, sub-calls in flight, tokens so far. */
export function runProgress(line: ProgressLine): (e: ProgressEvent) => void {
  let iteration = 0;
  let inFlight = 0;
  let calls = 0;
  let tokens = 0;
  let depth = 0;
  /** The batch (llmBatch/rlmBatch) last reported: shown until it is done. */
  let batch = '';
  // Without a terminal (or in CI) nothing is shown: build no line for each of a run's events.
  if (!line.enabled) return () => {};
  return (e) => {
    if (e.type === 'iteration' && e.depth === 0) iteration = e.iteration;
    if (e.type === 'llm_call') ({ inFlight, calls, tokens } = e);
    if (e.type === 'run_start' || e.type === 'iteration') depth = Math.max(depth, e.depth);
    if (e.type === 'batch') batch = e.done < e.total ? ` · ${e.fn} ${e.done}/${e.total}` : '';
    line.set(`accrete · iteration ${iteration} · ${calls} model calls (${inFlight} in flight) · ${thousands(tokens)} tokens${batch}${depth > 0 ? ` · sub-runs to depth ${depth}` : ''}`, e.type === 'batch' && e.done === e.total);
  };
}

/** A progress bar for batch work (demo, mining). */
export function bar(done: number, total: number, width = 28): string {
  const f = total > 0 ? Math.min(1, done / total) : 1;
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'.'.repeat(width - full)}] ${done}/${total}`;
}
