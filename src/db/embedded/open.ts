/**
 * Opens the embedded database: the directory lock on this thread, PGlite (with pgvector) in a worker
 * thread (src/db/embedded/worker.ts), and drizzle's pglite driver over the client that talks to it.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import type { Database, Db, OpenOptions } from '../types.js';
import { acquireDirLock } from '../lock.js';
import * as schema from '../schema.js';
import { EmbeddedClient } from './client.js';
import { takeEarly } from './early.js';

export async function openEmbedded(location: string, options: OpenOptions): Promise<Database> {
  const inMemory = location === 'memory://' || location === ':memory:';
  const dataDir = inMemory ? undefined : resolve(location);
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
  else if (dataDir) {
    mkdirSync(dirname(dataDir), { recursive: true });
    release = acquireDirLock(dataDir);
  }
  let client: EmbeddedClient;
  try {
    if (early) {
      client = early.client;
      client.foreground(); // its open, if still under way, now keeps the process alive
      await client.ready;
    } else client = await EmbeddedClient.open(where, { dataDir, loadDataDir: options.loadDataDir, migrate });
  } catch (err) {
    release();
    throw new Error(`Could not open the embedded database at ${where}: ${(err as Error).message}`);
  }
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
