/**
 * One typed database interface over two drivers: embedded PGlite (with pgvector) by default, or a
 * Postgres server through postgres-js. Migrations are applied at open.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { acquireDirLock } from './lock.js';
import { DEFAULT_DB_DIR, isServerUrl, resolveDbLocation } from './location.js';
import { migrateEmbedded, migrateServer } from './migrate.js';
import * as schema from './schema.js';

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
  close(): Promise<void>;
}

export { DEFAULT_DB_DIR, isServerUrl, resolveDbLocation };

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export interface OpenOptions {
  /** Apply pending migrations (default true). */
  migrate?: boolean;
  /** postgres-js pool size (default 10). */
  maxConnections?: number;
  /** PGlite only: start from this data directory dump (PGlite's dumpDataDir) instead of an empty one. */
  loadDataDir?: Blob;
}

export async function openDatabase(location: string, options: OpenOptions = {}): Promise<Database> {
  return isServerUrl(location) ? openServer(location, options) : openEmbedded(location, options);
}

async function migrateOrClose(db: Database, options: OpenOptions, run: () => Promise<void>): Promise<Database> {
  if (options.migrate === false) return db;
  try {
    await run();
  } catch (err) {
    await db.close();
    throw err;
  }
  return db;
}

async function openEmbedded(location: string, options: OpenOptions): Promise<Database> {
  const inMemory = location === 'memory://' || location === ':memory:';
  const dataDir = inMemory ? undefined : resolve(location);
  let release = () => {};
  if (dataDir) {
    mkdirSync(dirname(dataDir), { recursive: true });
    release = acquireDirLock(dataDir);
  }
  let client: PGlite;
  try {
    client = await PGlite.create({ dataDir, extensions: { vector }, loadDataDir: options.loadDataDir });
  } catch (err) {
    release();
    throw new Error(`Could not open the embedded database at ${dataDir ?? 'memory://'}: ${(err as Error).message}`);
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  const database: Database = {
    db,
    kind: 'pglite',
    location: dataDir ?? 'memory://',
    async query<T>(sqlText: string, params?: unknown[]) {
      const res = await client.query(sqlText, params);
      return res.rows as T[];
    },
    withAdvisoryLock: (_key, fn) => fn(),
    async close() {
      try {
        if (!client.closed) await client.close();
      } finally {
        release();
      }
    },
  };
  return migrateOrClose(database, options, () => migrateEmbedded(client));
}

async function openServer(url: string, options: OpenOptions): Promise<Database> {
  const client = postgres(url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    connect_timeout: 10,
  });
  try {
    await client`select 1`;
  } catch (err) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new Error(
      `Could not connect to the Postgres server at ${redactUrl(url)}: ${(err as Error).message}. ` +
        `Check that it is running and the URL is right, or drop DATABASE_URL/--db to use the embedded database.`,
    );
  }
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  const database: Database = {
    db,
    kind: 'postgres',
    location: redactUrl(url),
    async query<T>(sqlText: string, params?: unknown[]) {
      return (await client.unsafe(sqlText, (params ?? []) as never[])) as unknown as T[];
    },
    async withAdvisoryLock(key, fn) {
      const session = await client.reserve();
      try {
        await session`select pg_advisory_lock(${key})`;
        try {
          return await fn();
        } finally {
          await session`select pg_advisory_unlock(${key})`;
        }
      } finally {
        session.release();
      }
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
  return migrateOrClose(database, options, () => migrateServer(client));
}
