/**
 * Writing the trace's rows: one batch in one transaction, parents before children, every insert
 * idempotent (keyed by the row's id; a run's row is replaced by its later version), so a batch can
 * be written twice without duplicates. The run logger (src/trace/writer.ts) calls it on the caller's
 * thread for a server, and the embedded database's worker thread calls it there (the rows cross as
 * plain values), so that building the inserts never runs on a run's event loop.
 */
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { contexts, libCalls, llmCalls, programs, runs, steps, toolCalls } from './schema.js';
import { type TableName, type TableRows, WRITE_ORDER } from './row-tables.js';
import type { Db } from './types.js';

const TABLES: Record<TableName, PgTable> = { contexts, runs, steps, programs, llm_calls: llmCalls, lib_calls: libCalls, tool_calls: toolCalls };
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

/** Writes the rows, table by table in WRITE_ORDER, in one transaction. */
export async function insertRows(db: Db, batch: TableRows[]): Promise<void> {
  const byTable = new Map<TableName, Record<string, unknown>[]>();
  for (const { table, rows } of batch) byTable.set(table, [...(byTable.get(table) ?? []), ...rows]);
  await db.transaction(async (tx) => {
    for (const table of WRITE_ORDER) {
      let rows = byTable.get(table);
      if (!rows?.length) continue;
      if (table === 'runs') {
        // A run is written at start and again at its end: keep the last version of each.
        const latest = new Map<unknown, Record<string, unknown>>();
        for (const row of rows) latest.set(row.id, row);
        rows = [...latest.values()];
      }
      const chunk = table === 'contexts' ? 1 : ROWS_PER_INSERT;
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk);
        // The row types are checked where rows are made; drizzle needs one table type here.
        const insert = tx.insert(TABLES[table]).values(part as never[]);
        if (table === 'runs') await insert.onConflictDoUpdate({ target: runs.id, set: RUN_UPSERT_SET });
        else await insert.onConflictDoNothing();
      }
    }
  });
}
