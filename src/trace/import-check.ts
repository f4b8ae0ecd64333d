/**
 * What `accrete import` checks before and after it writes a line: every row's fields against the
 * table's columns (so a bad value is reported by its field, not by the database's SQL), whether a
 * run already stored under the same id holds the same content, and what a refused write says
 * without its SQL and parameters.
 */
import { getTableColumns, inArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Database } from '../db/connection.js';
import { contexts, libCalls, llmCalls, programs, runs, steps, toolCalls } from '../db/schema.js';
import type { TableName, TraceRecord } from './records.js';

const TABLES: Record<TableName, PgTable> = { contexts, runs, steps, programs, llm_calls: llmCalls, lib_calls: libCalls, tool_calls: toolCalls };
const INT32 = 2 ** 31;

const shown = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'an array' : v && typeof v === 'object' ? 'an object' : String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
};

/** Why a value does not fit a column, or null when it does. */
function misfit(col: PgColumn, v: unknown): string | null {
  switch (col.dataType) {
    case 'string':
      return typeof v === 'string' ? null : 'must be a string';
    case 'boolean':
      return typeof v === 'boolean' ? null : 'must be true or false';
    case 'date':
      return v instanceof Date && !Number.isNaN(v.getTime()) ? null : 'must be a date (ISO 8601)';
    case 'number': {
      if (typeof v !== 'number' || !Number.isFinite(v)) return 'must be a number';
      if (col.columnType === 'PgInteger' || col.columnType === 'PgSerial') {
        return Number.isInteger(v) && Math.abs(v) < INT32 ? null : `must be an integer number between ${-INT32} and ${INT32 - 1}`;
      }
      if (col.columnType.startsWith('PgBigInt') || col.columnType.startsWith('PgBigSerial')) return Number.isSafeInteger(v) ? null : 'must be an integer number';
      return null;
    }
    default:
      return null; // json, vectors: any JSON value
  }
}

/** The first field of a record that does not fit its column, said as `table row id: field ...`; null when all fit. */
export function rowProblem(record: TraceRecord): string | null {
  const row = record.row as Record<string, unknown>;
  const name = `${record.table} row ${String(row.id ?? row.sha256 ?? '?')}`;
  for (const [prop, col] of Object.entries(getTableColumns(TABLES[record.table]))) {
    const v = row[prop];
    if (v === undefined) {
      if (col.notNull && !col.hasDefault) return `${name}: "${prop}" is missing`;
      continue;
    }
    if (v === null) {
      if (col.notNull) return `${name}: "${prop}" must not be null`;
      continue;
    }
    const why = misfit(col, v);
    if (why) return `${name}: "${prop}" ${why} (got ${shown(v)})`;
  }
  return null;
}

/** A record with its date fields as Dates (JSON carries them as ISO 8601 text), the rest as it is. */
export function withDates(record: TraceRecord): TraceRecord {
  const row = record.row as Record<string, unknown>;
  let out: Record<string, unknown> | undefined;
  for (const [prop, col] of Object.entries(getTableColumns(TABLES[record.table]))) {
    const v = row[prop];
    if (col.dataType !== 'date' || (typeof v !== 'string' && typeof v !== 'number')) continue;
    const d = new Date(v);
    if (Number.isNaN(d.getTime())) continue; // left for rowProblem to name
    out ??= { ...row };
    out[prop] = d;
  }
  return out ? ({ table: record.table, row: out } as TraceRecord) : record;
}

/**
 * What is wrong with a line's records, or null: a field that does not fit its column, or two rows
 * the database would take as one (the same id, or two steps of a run with the same index).
 */
export function recordsProblem(records: TraceRecord[]): string | null {
  const seen = new Set<string>();
  for (const record of records) {
    const problem = rowProblem(record);
    if (problem) return problem;
    if (record.table === 'contexts') continue; // one content under one hash: a repeat is the same row
    const row = record.row as Record<string, unknown>;
    const keys = [`${record.table} row ${String(row.id ?? row.sha256)}`];
    if (record.table === 'steps') keys.push(`steps of run ${record.row.runId}: index ${record.row.idx}`);
    for (const key of keys) {
      if (seen.has(key)) return `${key} appears twice`;
      seen.add(key);
    }
  }
  return null;
}

/** Fields compared when a run id is already present: what a run's content is, not when it was written. */
const COMPARED: Record<TableName, string[]> = {
  contexts: [],
  runs: ['parentRunId', 'depth', 'query', 'status', 'answer', 'error', 'iterations'],
  steps: ['runId', 'idx', 'response', 'output', 'error'],
  programs: ['runId', 'stepIdx', 'blockIdx', 'code', 'status', 'result', 'error'],
  llm_calls: ['runId', 'seq', 'kind', 'requestModel', 'response', 'status'],
  lib_calls: ['runId', 'name', 'version', 'status'],
  tool_calls: ['runId', 'seq', 'name', 'args', 'result', 'status'],
};

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * How the records of a line differ from what is stored under the same ids (the records as they
 * would be written: redacted and sanitized). Empty when the line holds what is stored.
 */
export async function differencesFromStored(database: Database, rootId: string, records: TraceRecord[]): Promise<string[]> {
  const db = database.db;
  const storedRuns = await db.select().from(runs).where(inArray(runs.rootRunId, [rootId]));
  const runIds = storedRuns.map((r) => r.id);
  const stored: Record<Exclude<TableName, 'contexts'>, Record<string, unknown>[]> = {
    runs: storedRuns,
    steps: runIds.length ? await db.select().from(steps).where(inArray(steps.runId, runIds)) : [],
    programs: runIds.length ? await db.select().from(programs).where(inArray(programs.runId, runIds)) : [],
    llm_calls: runIds.length ? await db.select().from(llmCalls).where(inArray(llmCalls.runId, runIds)) : [],
    lib_calls: runIds.length ? await db.select().from(libCalls).where(inArray(libCalls.runId, runIds)) : [],
    tool_calls: runIds.length ? await db.select().from(toolCalls).where(inArray(toolCalls.runId, runIds)) : [],
  };
  const out: string[] = [];
  for (const table of Object.keys(stored) as (keyof typeof stored)[]) {
    const mine = records.filter((r) => r.table === table).map((r) => r.row as Record<string, unknown>);
    const theirs = new Map(stored[table].map((r) => [String(r.id), r]));
    const noun = table.replace('_', ' ');
    if (mine.length !== theirs.size) out.push(`${mine.length} ${noun} in the line, ${theirs.size} stored`);
    for (const row of mine) {
      const s = theirs.get(String(row.id));
      if (!s) {
        if (mine.length === theirs.size) out.push(`${noun} row ${String(row.id)} is not stored`);
        continue;
      }
      const fields = COMPARED[table].filter((f) => row[f] !== undefined && !same(row[f], s[f]));
      if (fields.length) out.push(table === 'runs' && row.id === rootId ? `${fields.join(', ')} differ` : `${fields.join(', ')} of ${noun} row ${String(row.id)} differ`);
    }
  }
  return out;
}

/** A refused write said by its table, column, constraint and reason; never its SQL or parameters. */
export function describeWriteError(err: unknown): string {
  const e = err as { cause?: unknown; message?: string };
  const c = (e && typeof e === 'object' && e.cause && typeof e.cause === 'object' ? e.cause : e) as Record<string, unknown>;
  const pick = (...keys: string[]) => keys.map((k) => c[k]).find((v): v is string => typeof v === 'string' && v.length > 0);
  const message = String(c.message ?? err).split('\n')[0];
  const reasonText = /^Failed query:/i.test(message) ? 'the database refused the row' : message;
  const where = [pick('table', 'table_name') && `table ${pick('table', 'table_name')}`, pick('column', 'column_name') && `field ${pick('column', 'column_name')}`, pick('constraint', 'constraint_name') && `constraint ${pick('constraint', 'constraint_name')}`].filter(Boolean);
  const detail = pick('detail');
  const text = `${where.length ? `${where.join(', ')}: ` : ''}${reasonText}${detail ? ` (${detail})` : ''}`;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
