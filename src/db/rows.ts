/**
 * Writing the trace's rows: one batch in one transaction, parents before children, every insert
 * idempotent (keyed by the row's id; a run's row is replaced by its later version), so a batch can
 * be written twice without duplicates. The run logger (src/trace/writer.ts) calls it on the caller's
 * thread for a server, and the embedded database's worker thread calls it there (the rows cross as
 * plain values), so that building the inserts never runs on a run's event loop.
 *
 * Each table's INSERT is planned once from the drizzle schema (its columns' names, driver mappings
 * and defaults: RowEncoder) and rows are encoded with that plan, instead of through drizzle's query
 * builder, which makes a Param and an SQL chunk per value and walks them with entity checks (~0.1 ms
 * a logged model call). The values are encoded as drizzle's insert encodes them, and the statement
 * runs through drizzle's session, as its inserts do (same driver calls, same errors).
 */
import { getTableColumns, SQL, type Column, type Query } from 'drizzle-orm';
import { getTableConfig, PgDialect, type PgTable } from 'drizzle-orm/pg-core';
import { contexts, libCalls, llmCalls, programs, runs, steps, toolCalls } from './schema.js';
import { type TableName, type TableRows, WRITE_ORDER } from './row-tables.js';
import type { Db } from './types.js';

/** Rows per INSERT statement: keeps well under Postgres' 65,535 bind parameters. */
const ROWS_PER_INSERT = 500;

const dialect = new PgDialect();

/** A column as an insert writes it: the row's property, the column. */
interface PlannedColumn {
  key: string;
  column: Column;
}

/** What to do when a row's key is taken: nothing, or update every column but these from the new row. */
export type OnConflict = { doNothing: true } | { target: Column; keep: string[] };

/**
 * A table's INSERT, planned once from its drizzle schema: the columns drizzle's insert writes (every
 * column but generated ones, in schema order), the statement's head and its conflict clause. `encode`
 * turns rows into the statement and its parameters exactly as drizzle's insert builder does: a value
 * that is undefined (or a missing key) takes the column's `$defaultFn`, else its `$onUpdateFn` when it
 * has no SQL default, else `default`; null is NULL; anything else goes through the column's
 * `mapToDriverValue` (jsonb and vectors as JSON text, timestamps as ISO strings, custom types'
 * `toDriver`). Properties that are not columns are ignored, as drizzle ignores them.
 */
export class RowEncoder {
  private readonly columns: PlannedColumn[];
  private readonly head: string;
  private readonly tail: string;

  constructor(table: PgTable, onConflict: OnConflict) {
    this.columns = [];
    for (const [key, column] of Object.entries(getTableColumns(table))) {
      // drizzle's shouldDisableInsert (internal): a generated column other than `by default` is not written
      if (column.generated !== undefined && column.generated.type !== 'byDefault') continue;
      // drizzle names such a column by a casing rule of the database's configuration; ours name every column
      if (column.keyAsName) throw new Error(`column ${key} has no SQL name in the schema; RowEncoder needs one`);
      this.columns.push({ key, column });
    }
    const { name, schema } = getTableConfig(table);
    const tableName = schema === undefined ? dialect.escapeName(name) : `${dialect.escapeName(schema)}.${dialect.escapeName(name)}`;
    this.head = `insert into ${tableName} (${this.columns.map((c) => dialect.escapeName(c.column.name)).join(', ')}) values `;
    if ('doNothing' in onConflict) this.tail = ' on conflict do nothing';
    else {
      const set = this.columns
        .filter((c) => !onConflict.keep.includes(c.key))
        .map((c) => `${dialect.escapeName(c.column.name)} = excluded.${dialect.escapeName(c.column.name)}`);
      this.tail = ` on conflict (${dialect.escapeName(onConflict.target.name)}) do update set ${set.join(', ')}`;
    }
  }

  /** The INSERT of these rows (at least one) and its parameters. */
  encode(rows: readonly Record<string, unknown>[]): Query {
    if (rows.length === 0) throw new Error('RowEncoder.encode needs at least one row');
    const params: unknown[] = [];
    let text = this.head;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r];
      text += r === 0 ? '(' : ', (';
      for (let c = 0; c < this.columns.length; c++) {
        if (c > 0) text += ', ';
        const { key, column } = this.columns[c];
        let value = row[key];
        if (value === undefined) {
          // drizzle's own test: a falsy SQL default (0, '', false) lets $onUpdateFn fill the value too
          const fn = column.defaultFn ?? (column.default ? undefined : column.onUpdateFn);
          if (!fn) {
            text += 'default';
            continue;
          }
          value = fn();
          if (value instanceof SQL) throw new Error(`column ${key}: a default that is SQL is not supported by RowEncoder`);
        }
        const mapped = value === null ? null : column.mapToDriverValue(value);
        if (mapped instanceof SQL) throw new Error(`column ${key}: a driver value that is SQL is not supported by RowEncoder`);
        params.push(mapped);
        text += `$${params.length}`;
      }
      text += ')';
    }
    return { sql: text + this.tail, params };
  }
}

const ENCODERS: Record<TableName, RowEncoder> = {
  contexts: new RowEncoder(contexts, { doNothing: true }),
  // A run is written at its start and again at its end: the later version replaces all but its start.
  runs: new RowEncoder(runs, { target: runs.id, keep: ['id', 'startedAt'] }),
  steps: new RowEncoder(steps, { doNothing: true }),
  programs: new RowEncoder(programs, { doNothing: true }),
  llm_calls: new RowEncoder(llmCalls, { doNothing: true }),
  lib_calls: new RowEncoder(libCalls, { doNothing: true }),
  tool_calls: new RowEncoder(toolCalls, { doNothing: true }),
};

/** Runs a planned statement through drizzle's session, as drizzle's own inserts run (its errors name the query). */
export async function executeQuery(db: Db, query: Query): Promise<void> {
  await db._.session.prepareQuery(query, undefined, undefined, false).execute();
}

/** Writes the rows, table by table in WRITE_ORDER, in one transaction (none for a batch without rows). */
export async function insertRows(db: Db, batch: TableRows[]): Promise<void> {
  const byTable = new Map<TableName, Record<string, unknown>[]>();
  for (const { table, rows } of batch) {
    const list = byTable.get(table);
    if (list) for (const row of rows) list.push(row);
    else byTable.set(table, [...rows]);
  }
  if (![...byTable.values()].some((rows) => rows.length > 0)) return;
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
      for (let i = 0; i < rows.length; i += chunk) await executeQuery(tx, ENCODERS[table].encode(rows.slice(i, i + chunk)));
    }
  });
}
