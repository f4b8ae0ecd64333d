/**
 * One typed database interface over two drivers: embedded PGlite (with pgvector) by default, or a
 * Postgres server through postgres-js. Migrations are applied at open. Each driver loads only when
 * its kind of database is opened: the embedded one runs PGlite in a worker thread
 * (src/db/embedded/), off the caller's event loop; the server's is postgres-js (src/db/server.ts).
 */
import { isServerUrl } from './location.js';
import type { Database, OpenOptions } from './types.js';

export type { Database, Db, OpenOptions, Schema } from './types.js';
export { DEFAULT_DB_DIR, isServerUrl, resolveDbLocation } from './location.js';

export async function openDatabase(location: string, options: OpenOptions = {}): Promise<Database> {
  if (isServerUrl(location)) return (await import('./server.js')).openServer(location, options);
  return (await import('./embedded/open.js')).openEmbedded(location, options);
}
