import type { TableRows } from '../row-tables.js';

/**
 * The messages between the embedded database's client (the run's thread) and its worker thread,
 * which holds the PGlite instance. Everything here crosses a MessagePort (structured clone).
 */

/** What opening the database needs, sent as the worker's first request. */
export interface OpenRequest {
  op: 'open';
  /** The data directory; none: in memory. */
  dataDir?: string;
  /** A PGlite data directory dump (dumpDataDir) to start from, as bytes (transferred). */
  loadDataDir?: { bytes: ArrayBuffer; type: string };
  /** Apply pending migrations (migrations/) before answering. */
  migrate: boolean;
}

/** One statement; with `tx`, inside that open transaction. */
export interface QueryRequest {
  op: 'query';
  text: string;
  params?: unknown[];
  rowMode?: 'array' | 'object';
  /** Type OIDs returned as PostgreSQL's text (what drizzle asks for timestamps, dates, intervals, numeric[]). */
  rawTypes?: number[];
  tx?: number;
}

/** Several statements in one string, no parameters (PGlite's exec). */
export interface ExecRequest {
  op: 'exec';
  text: string;
  tx?: number;
}

/** Opens a transaction; the reply is its id, once BEGIN ran and the database is held for it. */
export interface BeginRequest {
  op: 'begin';
}

/** Ends an open transaction: COMMIT, or ROLLBACK. */
export interface EndRequest {
  op: 'end';
  tx: number;
  commit: boolean;
}

/** The trace's rows, written in one transaction by src/db/rows.ts in the worker. */
export interface InsertRequest {
  op: 'insert';
  batch: TableRows[];
}

export interface DumpRequest {
  op: 'dump';
  compression?: 'none' | 'gzip' | 'auto';
}

export interface CloseRequest {
  op: 'close';
}

/** The answer to a close: whether the thread is left holding nothing (no transaction open), fit to open another database. */
export interface CloseReply {
  idle: boolean;
}

export type Request = OpenRequest | QueryRequest | ExecRequest | BeginRequest | EndRequest | InsertRequest | DumpRequest | CloseRequest;

/** A query's result as PGlite gives it (its `blob` is not carried). */
export interface QueryResult<T = Record<string, unknown>> {
  rows: T[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}

/** An error as it crosses the thread boundary: message, name, stack, PostgreSQL's fields (code, detail, ...) and its cause. */
export interface SerializedError {
  message: string;
  name: string;
  stack?: string;
  fields: Record<string, string | number | boolean | null>;
  /** What it wraps (drizzle's query error wraps PostgreSQL's). */
  cause?: SerializedError;
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError };

export function serializeError(err: unknown, depth = 0): SerializedError {
  if (!(err instanceof Error)) return { message: String(err), name: 'Error', fields: {} };
  const fields: SerializedError['fields'] = {};
  for (const [k, v] of Object.entries(err)) {
    if (k === 'message' || k === 'name' || k === 'stack' || k === 'cause') continue;
    if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
  }
  const cause = err.cause !== undefined && depth < 3 ? serializeError(err.cause, depth + 1) : undefined;
  return { message: err.message, name: err.name, stack: err.stack, fields, ...(cause ? { cause } : {}) };
}

/** The error again, on the caller's side: PostgreSQL's fields (`code`, `detail`, `constraint`, ...) kept. */
export function deserializeError(e: SerializedError): Error {
  const err = new Error(e.message);
  err.name = e.name;
  Object.assign(err, e.fields);
  if (e.stack) err.stack = `${e.stack}\n    (in the embedded database's worker thread)`;
  if (e.cause) err.cause = deserializeError(e.cause);
  return err;
}
