/**
 * The run logger. Records are queued and written in batches off the hot path, parents before
 * children, each batch in one transaction. Every insert is idempotent (keyed by the record's id),
 * so a batch can be written twice without duplicates. When the database cannot be reached, batches
 * go to an append-only spool (one JSONL file per process) and are replayed when it is back.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Database, Db } from '../db/connection.js';
import { contexts, libCalls, llmCalls, programs, runs, steps } from '../db/schema.js';
import { decodeRecord, encodeRecord, type TableName, type TraceRecord, WRITE_ORDER } from './records.js';
import { Redactor } from './redact.js';

export const DEFAULT_SPOOL_DIR = './.accrete/spool';

const TABLES: Record<TableName, PgTable> = { contexts, runs, steps, programs, llm_calls: llmCalls, lib_calls: libCalls };
/** Rows per INSERT statement: keeps well under Postgres' 65,535 bind parameters. */
const ROWS_PER_INSERT = 500;

function excludedSet(table: PgTable, keep: string[]): Record<string, SQL> {
  const set: Record<string, SQL> = {};
  for (const [prop, col] of Object.entries(getTableColumns(table))) {
    if (keep.includes(prop)) continue;
    set[prop] = sql.raw(`excluded."${col.name}"`);
  }
  return set;
}
const RUN_UPSERT_SET = excludedSet(runs, ['id', 'startedAt']);

export interface WriterOptions {
  spoolDir?: string;
  /** Flush at the latest this long after the first queued record. */
  flushMs?: number;
  /** Flush as soon as this many records are queued. */
  maxBatch?: number;
  redactor?: Redactor;
  /** Called when the writer switches to or from the spool. */
  onStatus?: (status: { spooling: boolean; error?: string }) => void;
}

/** Writes one batch of records in one transaction (idempotent). */
export async function writeRecords(db: Db, records: TraceRecord[]): Promise<void> {
  const byTable = new Map<TableName, TraceRecord['row'][]>();
  for (const r of records) {
    const rows = byTable.get(r.table) ?? [];
    rows.push(r.row);
    byTable.set(r.table, rows);
  }
  await db.transaction(async (tx) => {
    for (const table of WRITE_ORDER) {
      let rows = byTable.get(table);
      if (!rows?.length) continue;
      if (table === 'runs') {
        // A run is written at start and again at its end: keep the last version of each.
        const latest = new Map<string, TraceRecord['row']>();
        for (const row of rows) latest.set((row as { id: string }).id, row);
        rows = [...latest.values()];
      }
      const chunk = table === 'contexts' ? 1 : ROWS_PER_INSERT;
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk);
        // The row types are checked where records are built; drizzle needs one table type here.
        const insert = tx.insert(TABLES[table]).values(part as never[]);
        if (table === 'runs') await insert.onConflictDoUpdate({ target: runs.id, set: RUN_UPSERT_SET });
        else await insert.onConflictDoNothing();
      }
    }
  });
}

export class TraceWriter {
  private queue: TraceRecord[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private spooling = false;
  private lastError?: string;
  private readonly spoolDir: string;
  private readonly spoolFile: string;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly redactor: Redactor;
  /** Records written to the database (not counting the spool). */
  written = 0;

  constructor(
    private readonly database: Database,
    private readonly options: WriterOptions = {},
  ) {
    this.spoolDir = resolve(options.spoolDir ?? DEFAULT_SPOOL_DIR);
    this.spoolFile = join(this.spoolDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.jsonl`);
    this.flushMs = options.flushMs ?? 50;
    this.maxBatch = options.maxBatch ?? 2_000;
    this.redactor = options.redactor ?? new Redactor();
  }

  get isSpooling(): boolean {
    return this.spooling;
  }

  write(record: TraceRecord): void {
    const row = this.redactor.deep(record.row);
    this.queue.push({ table: record.table, row } as TraceRecord);
    if (this.queue.length >= this.maxBatch) this.schedule(0);
    else this.schedule(this.flushMs);
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
      await writeRecords(this.database.db, batch);
      this.written += batch.length;
    } catch (err) {
      this.lastError = (err as Error).message;
      this.spooling = true;
      this.toSpool(batch);
      this.options.onStatus?.({ spooling: true, error: this.lastError });
    }
  }

  private toSpool(batch: TraceRecord[]): void {
    mkdirSync(this.spoolDir, { recursive: true });
    appendFileSync(this.spoolFile, batch.map(encodeRecord).join('\n') + '\n');
  }

  /** Replays every spool file in the directory into the database, then deletes it. */
  async replaySpool(): Promise<{ files: number; records: number }> {
    return replaySpool(this.database, this.spoolDir);
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

export interface SpoolReport {
  files: number;
  records: number;
}

export function listSpool(spoolDir: string = DEFAULT_SPOOL_DIR): { file: string; records: number }[] {
  let names: string[];
  try {
    names = readdirSync(spoolDir)
      .filter((n) => n.endsWith('.jsonl') || n.endsWith('.jsonl.replaying'))
      .sort();
  } catch {
    return [];
  }
  return names.map((n) => {
    const file = join(spoolDir, n);
    const text = readFileSync(file, 'utf8');
    return { file, records: text.split('\n').filter(Boolean).length };
  });
}

/** Replays spooled records (idempotent: a record already in the database is skipped). */
export async function replaySpool(database: Database, spoolDir: string = DEFAULT_SPOOL_DIR): Promise<SpoolReport> {
  const report: SpoolReport = { files: 0, records: 0 };
  for (const { file } of listSpool(spoolDir)) {
    // Claim the file first so a concurrent writer appending to it starts a new one.
    // (A `.replaying` file is left by a replay that was interrupted: take it as it is.)
    const claimed = file.endsWith('.replaying') ? file : `${file}.replaying`;
    if (claimed !== file) renameSync(file, claimed);
    const records = readFileSync(claimed, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(decodeRecord);
    try {
      for (let i = 0; i < records.length; i += 5_000) await writeRecords(database.db, records.slice(i, i + 5_000));
    } catch (err) {
      renameSync(claimed, file);
      throw err;
    }
    unlinkSync(claimed);
    report.files++;
    report.records += records.length;
  }
  return report;
}
