/** The database interface both drivers implement (src/db/server.ts, src/db/embedded/open.ts); connection.ts opens one. */
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { TableRows } from './row-tables.js';
import type * as schema from './schema.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  /** Where it lives: a directory, memory://, or the server URL without its password. */
  readonly location: string;
  /** Rows of a raw SQL query (both drivers). */
  query<T = Record<string, unknown>>(sqlText: string, params?: unknown[]): Promise<T[]>;
  /**
   * Runs `fn` holding a session advisory lock (on a server, on a connection reserved for it, so
   * one job at a time across processes and machines). The embedded database has one user at a time.
   */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  /**
   * The embedded database only: writes the trace's rows (src/db/rows.ts) in its worker thread, where
   * the inserts are built too; the caller's thread only hands over the rows. Elsewhere the caller
   * runs insertRows on `db` itself. An empty batch writes nothing: it has the worker load what it
   * writes with (drizzle, the schema: ~30–60 ms of its CPU) and step back in priority (nice 10:
   * src/db/embedded/worker.ts), which the run logger asks for at its first record, so that neither
   * the loading nor the inserts share the cores with a run's steps at their priority.
   */
  insertRows?(batch: TableRows[]): Promise<void>;
  /** The embedded database only: its data directory as a tarball (PGlite's dumpDataDir), for `loadDataDir`. */
  dumpDataDir?(compression?: 'none' | 'gzip' | 'auto'): Promise<Blob>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** postgres-js pool size (default 10). */
  maxConnections?: number;
  /** PGlite only: start from this data directory dump (PGlite's dumpDataDir) instead of an empty one. */
  loadDataDir?: Blob;
}
