/** Opens a Postgres server through postgres-js, with drizzle's postgres-js driver over it. */
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Database, Db, OpenOptions } from './types.js';
import { migrateServer } from './migrate.js';
import * as schema from './schema.js';

export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}

export async function openServer(url: string, options: OpenOptions): Promise<Database> {
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
  const db = drizzle(client, { schema }) as unknown as Db;
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
  if (options.migrate === false) return database;
  try {
    await migrateServer(client);
  } catch (err) {
    await database.close();
    throw err;
  }
  return database;
}
