/**
 * Databases for tests: embedded PGlite (from a migrated template, ~0.7 s instead of ~5 s each) and,
 * when TEST_DATABASE_URL is set, a fresh database on that server per call. With TEST_DATABASE_URL
 * set, an unreachable server fails the tests loudly; it never skips them.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/connection.js';
import { migrateEmbedded, migrationsFolder } from '../../src/db/migrate.js';
import { packageRoot } from '../../src/util/package-root.js';

export type Backend = 'pglite' | 'postgres';

/** The backends storage tests run on: PGlite always, the server when TEST_DATABASE_URL is set. */
export const BACKENDS: Backend[] = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

function migrationsHash(): string {
  const h = createHash('sha256');
  const dir = migrationsFolder();
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.sql')) h.update(readFileSync(join(dir, f)));
  h.update(readFileSync(join(dir, 'meta', '_journal.json')));
  return h.digest('hex').slice(0, 16);
}

let template: Promise<Blob> | undefined;

/**
 * A migrated, empty PGlite data directory (dumped once, cached under node_modules/.cache). Kept as
 * a plain tar: PGlite loads it in about half the time of the gzipped one (no inflating), and every
 * memoryDb() loads it.
 */
export function pgliteTemplate(): Promise<Blob> {
  template ??= loadTemplate();
  return template;
}

async function loadTemplate(): Promise<Blob> {
  const dir = join(packageRoot(), 'node_modules', '.cache', 'accrete-test');
  const file = join(dir, `pglite-${migrationsHash()}.tar`);
  if (existsSync(file)) return new Blob([readFileSync(file)], { type: 'application/x-tar' });
  const pg = await PGlite.create({ extensions: { vector } });
  await migrateEmbedded(pg);
  const dump = await pg.dumpDataDir('none');
  await pg.close();
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
  renameSync(tmp, file);
  return dump;
}

let templateDir: Promise<string> | undefined;

/**
 * Makes `location` a migrated, empty embedded database directory, as a copy of the template loaded
 * into a directory once (cached beside the template): for tests whose subject is not the first
 * open of a new directory (that open has tests of its own), without a PGlite open here.
 */
export async function seedDbDir(location: string): Promise<void> {
  templateDir ??= (async () => {
    const dir = join(packageRoot(), 'node_modules', '.cache', 'accrete-test', `pglite-${migrationsHash()}.dir`);
    if (!existsSync(dir)) {
      const tmp = `${dir}.${process.pid}.tmp`;
      rmSync(tmp, { recursive: true, force: true });
      await (await openDatabase(tmp, { loadDataDir: await pgliteTemplate() })).close();
      rmSync(`${tmp}.lock`, { force: true });
      try {
        renameSync(tmp, dir);
      } catch {
        rmSync(tmp, { recursive: true, force: true }); // another process made it first
      }
    }
    return dir;
  })();
  cpSync(await templateDir, location, { recursive: true });
}

/** A new, migrated, empty in-memory PGlite database. */
export async function memoryDb(): Promise<Database> {
  return openDatabase('memory://', { loadDataDir: await pgliteTemplate() });
}

/** A new, migrated database on the test server; dropped when closed. */
export async function serverDb(): Promise<Database> {
  const { url, drop } = await serverDbUrl();
  const db = await openDatabase(url);
  return {
    db: db.db,
    kind: db.kind,
    location: db.location,
    query: db.query.bind(db),
    withAdvisoryLock: db.withAdvisoryLock.bind(db),
    async close() {
      await db.close();
      await drop();
    },
  };
}

export function freshDb(backend: Backend): Promise<Database> {
  return backend === 'pglite' ? memoryDb() : serverDb();
}

/** The URL of a fresh, empty database on the test server, and how to drop it. */
export async function serverDbUrl(): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set');
  const name = `accrete_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (err) {
    await admin.end();
    throw new Error(`TEST_DATABASE_URL=${url} is set but the server cannot be used: ${(err as Error).message}`);
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
