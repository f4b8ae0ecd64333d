/**
 * The run logger. Records are queued and written in batches off the hot path, parents before
 * children, each batch in one transaction. Every insert is idempotent (keyed by the record's id),
 * so a batch can be written twice without duplicates. When the database cannot be reached, batches
 * go to an append-only spool (one JSONL file per process) and are replayed when it is back.
 *
 * A record the database rejects while it is reachable (a constraint, an encoding it refuses) is not
 * an outage: the batch is split until the rejected records are found, they go to a quarantine file
 * (`<spool>/quarantine/*.jsonl`, with the reason; never replayed; `accrete doctor` reports them) and
 * the rest is written. Text is sanitized first (src/trace/sanitize.ts), so a lone surrogate or a NUL
 * in a model reply or a program's output never gets that far.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../db/connection.js';
import { HEARTBEAT_MS, processOwner, type RunOwner } from '../db/owner.js';
import type { TableRows } from '../db/row-tables.js';
import { insertRows } from '../db/rows.js';
import { decodeRecord, encodeRecord, type RunRow, type TableName, type TraceRecord, WRITE_ORDER } from './records.js';
import { Redactor } from './redact.js';
import { sanitizeDeep } from './sanitize.js';

export const DEFAULT_SPOOL_DIR = './.accrete/spool';

/** Where records the database rejected are kept: a folder of the spool directory, never replayed. */
export function quarantineDirFor(spoolDir: string): string {
  return join(spoolDir, 'quarantine');
}

/** Tables whose rows carry created_at: the writer sets it when the record is made. */
const STAMPED: ReadonlySet<TableName> = new Set<TableName>(['programs', 'llm_calls', 'lib_calls', 'tool_calls']);

export interface WriterOptions {
  spoolDir?: string;
  /** Flush at the latest this long after the first queued record. */
  flushMs?: number;
  /** Flush as soon as this many records are queued. */
  maxBatch?: number;
  redactor?: Redactor;
  /** Called when the writer switches to or from the spool. */
  onStatus?: (status: { spooling: boolean; error?: string }) => void;
  /** Called when records the database rejected were quarantined. */
  onQuarantine?: (report: { records: number; file: string; error: string }) => void;
  /** Sees every record as it is persisted (redacted, timed): OpenTelemetry export (src/trace/otel.ts). */
  onRecord?: (record: TraceRecord) => void;
  /** The owner recorded on every run written (default: this process). */
  owner?: RunOwner;
  /** How often the owner's running runs get their heartbeat renewed (default HEARTBEAT_MS). */
  heartbeatMs?: number;
}

/** The records as rows by table, their text sanitized (src/trace/sanitize.ts). */
function tableRows(records: TraceRecord[]): TableRows[] {
  const byTable = new Map<TableName, Record<string, unknown>[]>();
  for (const r of records) {
    const rows = byTable.get(r.table) ?? [];
    rows.push(sanitizeDeep(r.row) as Record<string, unknown>);
    byTable.set(r.table, rows);
  }
  return [...byTable].map(([table, rows]) => ({ table, rows }));
}

/** Writes one batch of records in one transaction (idempotent); text is sanitized first. */
export async function writeRecords(db: Db, records: TraceRecord[]): Promise<void> {
  await insertRows(db, tableRows(records));
}

/**
 * Writes one batch of records as writeRecords does, where the database builds the inserts itself
 * when it can: the embedded database in its worker thread, so that the run's event loop only hands
 * over the rows.
 */
async function writeBatch(database: Database, records: TraceRecord[]): Promise<void> {
  const batch = tableRows(records);
  await (database.insertRows ? database.insertRows(batch) : insertRows(database.db, batch));
}

/** The database could not be reached: `remaining` holds the records not written (spool them). */
export class DatabaseUnreachableError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly remaining: TraceRecord[],
  ) {
    super(reason(cause));
    this.name = 'DatabaseUnreachableError';
  }
}

/** The reason a write failed, without the SQL and its parameters (drizzle puts both in the message). */
export function reason(err: unknown): string {
  const e = err as { cause?: unknown; message?: string };
  const inner = e && typeof e === 'object' && e.cause instanceof Error ? e.cause.message : (e?.message ?? String(err));
  return inner.length > 500 ? `${inner.slice(0, 500)}…` : inner;
}

/** Whether the database answers, asked through the same path as the writes (a transaction). */
async function reachable(database: Database): Promise<boolean> {
  try {
    await database.db.transaction(async (tx) => {
      await tx.execute(sql`select 1`);
    });
    return true;
  } catch {
    return false;
  }
}

export interface QuarantineReport {
  written: number;
  quarantined: number;
  /** The quarantine file written to, when records were quarantined. */
  file?: string;
  /** The first rejection's reason. */
  error?: string;
}

/**
 * Writes records; those the database rejects while it is reachable are quarantined (found by
 * splitting the batch, parents kept before children). Throws DatabaseUnreachableError, with the
 * records not written yet, only when the database cannot be reached.
 */
export async function writeOrQuarantine(database: Database, records: TraceRecord[], quarantineDir: string): Promise<QuarantineReport> {
  const report: QuarantineReport = { written: 0, quarantined: 0 };
  if (records.length === 0) return report;
  try {
    await writeBatch(database, records);
    report.written = records.length;
    return report;
  } catch (err) {
    if (!(await reachable(database))) throw new DatabaseUnreachableError(err, records);
    if (records.length === 1) {
      quarantine(records, err, quarantineDir, report);
      return report;
    }
  }
  // Parents first, so that splitting never puts a child before its parent (the sort is stable).
  const ordered = [...records].sort((a, b) => WRITE_ORDER.indexOf(a.table) - WRITE_ORDER.indexOf(b.table));
  const mid = Math.ceil(ordered.length / 2);
  // Ranges still to write, in order; everything from the first one on is not written yet.
  const ranges: [number, number][] = [
    [0, mid],
    [mid, ordered.length],
  ];
  while (ranges.length > 0) {
    const [a, b] = ranges.shift() as [number, number];
    const part = ordered.slice(a, b);
    try {
      await writeBatch(database, part);
      report.written += part.length;
    } catch (err) {
      if (!(await reachable(database))) throw new DatabaseUnreachableError(err, ordered.slice(a));
      if (part.length === 1) quarantine(part, err, quarantineDir, report);
      else {
        const m = a + Math.ceil(part.length / 2);
        ranges.unshift([a, m], [m, b]);
      }
    }
  }
  return report;
}

function quarantine(records: TraceRecord[], err: unknown, dir: string, report: QuarantineReport): void {
  const why = reason(err);
  mkdirSync(dir, { recursive: true });
  report.file ??= join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.jsonl`);
  const at = new Date().toISOString();
  appendFileSync(report.file, records.map((r) => `{"at":${JSON.stringify(at)},"error":${JSON.stringify(why)},"record":${encodeRecord(r)}}`).join('\n') + '\n');
  report.quarantined += records.length;
  report.error ??= why;
}

export function listQuarantine(spoolDir: string = DEFAULT_SPOOL_DIR): { file: string; records: number }[] {
  return listJsonl(quarantineDirFor(spoolDir), (n) => n.endsWith('.jsonl'));
}

export class TraceWriter {
  private queue: TraceRecord[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private spooling = false;
  private lastError?: string;
  private readonly spoolDir: string;
  private readonly spoolFile: string;
  private readonly quarantineDir: string;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly redactor: Redactor;
  /** Records written to the database (not counting the spool). */
  written = 0;
  /** Records the database rejected, kept in the quarantine directory. */
  quarantined = 0;
  private readonly owner: RunOwner;
  /** Runs written as running and not yet ended: while there are any, their heartbeat is renewed. */
  private readonly running = new Set<string>();
  private heartbeat?: NodeJS.Timeout;
  /** Whether the database was asked to get ready to write (the first record). */
  private warmed = false;

  constructor(
    private readonly database: Database,
    private readonly options: WriterOptions = {},
  ) {
    this.spoolDir = resolve(options.spoolDir ?? DEFAULT_SPOOL_DIR);
    this.spoolFile = join(this.spoolDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.jsonl`);
    this.quarantineDir = quarantineDirFor(this.spoolDir);
    this.flushMs = options.flushMs ?? 50;
    this.maxBatch = options.maxBatch ?? 2_000;
    this.redactor = options.redactor ?? new Redactor();
    this.owner = options.owner ?? processOwner();
  }

  get isSpooling(): boolean {
    return this.spooling;
  }

  /** Redacts text before the caller cuts it (a cut could leave a secret's prefix no pattern knows). */
  redact(text: string): string {
    return this.redactor.text(text);
  }

  write(record: TraceRecord): void {
    if (!this.warmed) {
      // The embedded database's thread loads its row writer at the first record (a run's row, before
      // its first model request) rather than at the first flush, in the run's first steps; not when
      // the writer is made, where it held up the queries before the run (Database.insertRows). A
      // failure there shows at that flush.
      this.warmed = true;
      this.database.insertRows?.([]).catch(() => {});
    }
    const row = this.redactor.deep(record.row);
    if (record.table === 'runs') this.stampOwner(row as RunRow);
    // when the record was made (a program or call ends when its record is made), not when it is flushed
    else if (STAMPED.has(record.table) && (row as { createdAt?: Date }).createdAt === undefined) (row as { createdAt?: Date }).createdAt = new Date();
    this.queue.push({ table: record.table, row } as TraceRecord);
    this.options.onRecord?.({ table: record.table, row } as TraceRecord);
    if (this.queue.length >= this.maxBatch) this.schedule(0);
    else this.schedule(this.flushMs);
  }

  /** Records who runs the run and when it was last seen; keeps the heartbeat going while it runs. */
  private stampOwner(row: RunRow): void {
    row.ownerId = this.owner.id;
    row.ownerHost = this.owner.host;
    row.ownerPid = this.owner.pid;
    row.heartbeatAt = new Date(); // this machine's clock; the next beat sets the database's
    if (row.status === 'running') this.running.add(row.id);
    else this.running.delete(row.id);
    if (this.running.size > 0 && !this.heartbeat) {
      this.heartbeat = setInterval(() => void this.beat(), this.options.heartbeatMs ?? HEARTBEAT_MS);
      this.heartbeat.unref?.();
    } else if (this.running.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = undefined;
    }
  }

  /** One statement renews every running run of this owner; skipped while the database is away. */
  private async beat(): Promise<void> {
    if (this.spooling) return;
    try {
      await this.database.query(`update runs set heartbeat_at = now() where owner_id = $1 and status = 'running'`, [this.owner.id]);
    } catch {
      /* unreachable: the next write finds out and spools */
    }
  }

  private schedule(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
    this.timer.unref?.();
  }

  /** Writes everything queued so far; resolves when it is in the database or in the spool. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flushing = this.flushing.then(() => this.flushNow());
    return this.flushing;
  }

  private async flushNow(): Promise<void> {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    if (this.spooling) {
      // Try the database again: replay the spool first so the order holds.
      try {
        await this.replaySpool();
        this.spooling = false;
        this.options.onStatus?.({ spooling: false });
      } catch {
        this.toSpool(batch);
        return;
      }
    }
    try {
      const r = await writeOrQuarantine(this.database, batch, this.quarantineDir);
      this.written += r.written;
      this.noteQuarantine(r);
    } catch (err) {
      const remaining = err instanceof DatabaseUnreachableError ? err.remaining : batch;
      this.written += batch.length - remaining.length;
      this.lastError = reason(err);
      this.spooling = true;
      this.toSpool(remaining);
      this.options.onStatus?.({ spooling: true, error: this.lastError });
    }
  }

  private noteQuarantine(r: QuarantineReport): void {
    if (r.quarantined === 0 || !r.file) return;
    this.quarantined += r.quarantined;
    this.options.onQuarantine?.({ records: r.quarantined, file: r.file, error: r.error ?? 'rejected' });
  }

  private toSpool(batch: TraceRecord[]): void {
    mkdirSync(this.spoolDir, { recursive: true });
    appendFileSync(this.spoolFile, batch.map(encodeRecord).join('\n') + '\n');
  }

  /** Replays every spool file in the directory into the database, then deletes it. */
  async replaySpool(): Promise<SpoolReport> {
    const r = await replaySpool(this.database, this.spoolDir);
    if (r.quarantined > 0 && r.quarantineFile) this.noteQuarantine({ written: 0, quarantined: r.quarantined, file: r.quarantineFile, error: r.error });
    return r;
  }

  async close(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    await this.flush();
  }
}

export interface SpoolReport {
  files: number;
  /** Records replayed into the database. */
  records: number;
  /** Records the database rejected, moved to the quarantine directory. */
  quarantined: number;
  quarantineFile?: string;
  error?: string;
}

function listJsonl(dir: string, keep: (name: string) => boolean): { file: string; records: number }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter(keep).sort();
  } catch {
    return [];
  }
  return names.map((n) => {
    const file = join(dir, n);
    const text = readFileSync(file, 'utf8');
    return { file, records: text.split('\n').filter(Boolean).length };
  });
}

export function listSpool(spoolDir: string = DEFAULT_SPOOL_DIR): { file: string; records: number }[] {
  return listJsonl(spoolDir, (n) => n.endsWith('.jsonl') || n.endsWith('.jsonl.replaying'));
}

/**
 * Replays spooled records (idempotent: a record already in the database is skipped). A record the
 * database rejects is quarantined, so one bad record never keeps the rest of the spool out.
 */
export async function replaySpool(database: Database, spoolDir: string = DEFAULT_SPOOL_DIR): Promise<SpoolReport> {
  const report: SpoolReport = { files: 0, records: 0, quarantined: 0 };
  const quarantineDir = quarantineDirFor(spoolDir);
  for (const { file } of listSpool(spoolDir)) {
    // Claim the file first so a concurrent writer appending to it starts a new one.
    // (A `.replaying` file is left by a replay that was interrupted: take it as it is.)
    const claimed = file.endsWith('.replaying') ? file : `${file}.replaying`;
    if (claimed !== file) renameSync(file, claimed);
    const lines = readFileSync(claimed, 'utf8').split('\n').filter(Boolean);
    const records: TraceRecord[] = [];
    for (const line of lines) {
      try {
        records.push(decodeRecord(line));
      } catch (err) {
        // A torn last line (the process died mid-append): keep its text in the quarantine.
        mkdirSync(quarantineDir, { recursive: true });
        report.quarantineFile ??= join(quarantineDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.jsonl`);
        appendFileSync(report.quarantineFile, `${JSON.stringify({ at: new Date().toISOString(), error: `unreadable spool line: ${reason(err)}`, line })}\n`);
        report.quarantined++;
        report.error ??= 'unreadable spool line';
      }
    }
    try {
      for (let i = 0; i < records.length; i += 5_000) {
        const r = await writeOrQuarantine(database, records.slice(i, i + 5_000), quarantineDir);
        report.records += r.written;
        report.quarantined += r.quarantined;
        report.quarantineFile ??= r.file;
        report.error ??= r.error;
      }
    } catch (err) {
      renameSync(claimed, file);
      throw err;
    }
    unlinkSync(claimed);
    report.files++;
  }
  return report;
}
