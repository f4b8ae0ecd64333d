/**
 * Applies the drizzle-kit migrations in migrations/ (including the custom one that creates the
 * `vector` extension). On a server, under a session advisory lock, so that two processes starting
 * together do not race. Each driver's migrator loads only when its database is migrated.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { Sql } from 'postgres';
import { packageRoot } from '../util/package-root.js';

/** An arbitrary constant: the advisory lock key of accrete's migrations. */
const MIGRATION_LOCK_KEY = 0x61636372; // "accr"

export function migrationsFolder(): string {
  return join(packageRoot(), 'migrations');
}

/**
 * Whether the database has every migration of the journal: drizzle's migrator applies those newer
 * than the last one it recorded (by its `when`), so none newer means nothing to do. Without its
 * table (a new database), or when it cannot tell, the migrator decides.
 */
async function upToDate(client: PGlite): Promise<boolean> {
  try {
    const journal = JSON.parse(readFileSync(join(migrationsFolder(), 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
    const newest = Math.max(...journal.entries.map((e) => e.when));
    const res = await client.query<{ at: string }>('select max(created_at)::text as at from drizzle.__drizzle_migrations');
    const at = res.rows[0]?.at;
    return at != null && Number(at) >= newest;
  } catch {
    return false;
  }
}

/** Migrates a PGlite instance (in the embedded database's worker thread, or a test's template). */
export async function migrateEmbedded(client: PGlite): Promise<void> {
  // The common case, a database already migrated, costs one query instead of loading the migrator.
  if (await upToDate(client)) return;
  const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/pglite'), import('drizzle-orm/pglite/migrator')]);
  await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
}

export async function migrateServer(client: Sql): Promise<void> {
  const [{ drizzle }, { migrate }] = await Promise.all([import('drizzle-orm/postgres-js'), import('drizzle-orm/postgres-js/migrator')]);
  const session = await client.reserve();
  try {
    await session`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
    try {
      await migrate(drizzle(client), { migrationsFolder: migrationsFolder() });
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
