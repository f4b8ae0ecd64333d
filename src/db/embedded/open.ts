/**
 * Opens the embedded database: the directory lock on this thread, PGlite (with pgvector) in a worker
 * thread (src/db/embedded/worker.ts), and drizzle's pglite driver over the client that talks to it.
 */
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Database, Db, OpenOptions } from '../types.js';
import { isMemoryLocation } from '../location.js';
import { lockDataDir } from '../lock.js';
import { EmbeddedClient } from './client.js';
import { takeEarly } from './early.js';

export async function openEmbedded(location: string, options: OpenOptions): Promise<Database> {
  const dataDir = isMemoryLocation(location) ? undefined : resolve(location);
  const where = dataDir ?? 'memory://';
  const migrate = options.migrate !== false;
  // Opened ahead (src/db/embedded/early.ts) with the default options: adopted; with others, closed first.
  let early = dataDir ? takeEarly(dataDir) : undefined;
  if (early && (!migrate || options.loadDataDir)) {
    await early.client.close();
    early.release();
    early = undefined;
  }
  let release = () => {};
  if (early) release = early.release;
  else if (dataDir) release = lockDataDir(dataDir);
  const client = early?.client ?? EmbeddedClient.start(where, { dataDir, loadDataDir: options.loadDataDir, migrate });
  client.foreground(); // an open begun ahead, if still under way, now keeps the process alive
  // drizzle and the schema load here while the worker opens the database.
  const drivers = Promise.all([import('drizzle-orm/pglite'), import('../schema.js')]);
  try {
    await client.ready;
  } catch (err) {
    release();
    throw new Error(`Could not open the embedded database at ${where}: ${(err as Error).message}`);
  }
  const [{ drizzle }, schema] = await drivers;
  // drizzle's pglite driver calls only `query` and `transaction`, which the client forwards to the worker.
  const db = drizzle(client as unknown as PGlite, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    location: where,
    async query<T>(sqlText: string, params?: unknown[]) {
      return (await client.query<T>(sqlText, params)).rows;
    },
    withAdvisoryLock: (_key, fn) => fn(),
    insertRows: (batch) => client.insertRows(batch),
    dumpDataDir: (compression) => client.dumpDataDir(compression),
    async close() {
      try {
        await client.close();
      } finally {
        release();
      }
    },
  };
}
