/**
 * Applies the drizzle-kit migrations in migrations/ (including the custom one that creates the
 * `vector` extension). On a server, under a session advisory lock, so that two processes starting
 * together do not race.
 */
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type { Sql } from 'postgres';
import { packageRoot } from '../util/package-root.js';

/** An arbitrary constant: the advisory lock key of accrete's migrations. */
const MIGRATION_LOCK_KEY = 0x61636372; // "accr"

export function migrationsFolder(): string {
  return join(packageRoot(), 'migrations');
}

export async function migrateEmbedded(client: PGlite): Promise<void> {
  await migratePglite(drizzlePglite(client), { migrationsFolder: migrationsFolder() });
}

export async function migrateServer(client: Sql): Promise<void> {
  const session = await client.reserve();
  try {
    await session`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migratePostgres(drizzlePostgres(client), { migrationsFolder: migrationsFolder() });
    } catch (err) {
      const msg = (err as Error).message;
      if (/extension "vector" is not available|could not open extension control file/.test(msg)) {
        throw new Error(
          'The Postgres server has no pgvector extension. Install it (scripts/install-pgvector.sh builds it for PostgreSQL 15 on Debian) and try again.',
        );
      }
      throw err;
    } finally {
      await session`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
    }
  } finally {
    session.release();
  }
}
