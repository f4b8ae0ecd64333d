/**
 * The embedded database runs PGlite in a worker thread (src/db/embedded/): drizzle's transactions
 * and savepoints, PostgreSQL's error fields, queries waiting for an open transaction, a dump loaded
 * back, a worker that dies, and a process that exits with the database open or closed.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connection.js';
import { EmbeddedClient } from '../../src/db/embedded/client.js';
import { openEmbeddedEarly } from '../../src/db/embedded/early.js';
import { rehearse } from '../../src/db/rehearse.js';
import { memoryDb, pgliteTemplate, seedDbDir } from '../helpers/db.js';

const run = promisify(execFile);

describe('the embedded database in its worker thread', () => {
  let db: Database;
  beforeAll(async () => {
    db = await memoryDb();
    await db.query('create table t (x int primary key, at timestamptz default now(), j jsonb, b bytea)');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('answers drizzle and raw queries with the types PGlite gives (dates as Date raw, as text through drizzle)', async () => {
    await db.query(`insert into t (x, j, b) values (1, '{"a": [1, 2]}', '\\x0102')`);
    const [raw] = await db.query<{ at: unknown; j: unknown; b: unknown }>('select at, j, b from t where x = 1');
    expect(raw.at).toBeInstanceOf(Date);
    expect(raw.j).toEqual({ a: [1, 2] });
    expect(Array.from(raw.b as Uint8Array)).toEqual([1, 2]);
    const viaDrizzle = await db.db.execute(sql`select at from t where x = ${1}`);
    const rows = (viaDrizzle as unknown as { rows: { at: unknown }[] }).rows;
    expect(typeof rows[0].at).toBe('string');
  });

  it('commits a transaction, rolls back one that throws, and rolls back a savepoint alone', async () => {
    await db.db.transaction(async (tx) => {
      await tx.execute(sql`insert into t (x) values (10)`);
    });
    await expect(
      db.db.transaction(async (tx) => {
        await tx.execute(sql`insert into t (x) values (11)`);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    await db.db.transaction(async (tx) => {
      await tx.execute(sql`insert into t (x) values (12)`);
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql`insert into t (x) values (13)`);
          throw new Error('inner');
        })
        .catch(() => {});
    });
    const xs = await db.query<{ x: number }>('select x from t where x >= 10 order by x');
    expect(xs.map((r) => r.x)).toEqual([10, 12]);
  });

  it("passes PostgreSQL's error fields back (code, constraint) and stays usable", async () => {
    const err = (await db.query('insert into t (x) values (1)').catch((e: unknown) => e)) as Error & { code?: string; constraint?: string };
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(/duplicate key/);
    expect(err.code).toBe('23505');
    expect(err.constraint).toBe('t_pkey');
    expect(await db.query('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it('holds other queries until an open transaction ends, as PGlite does', async () => {
    const order: string[] = [];
    let outside: Promise<unknown> = Promise.resolve();
    await db.db.transaction(async (tx) => {
      await tx.execute(sql`insert into t (x) values (20)`);
      outside = db.query<{ n: number }>('select count(*)::int as n from t where x = 20').then((r) => order.push(`outside saw ${r[0].n}`));
      await tx.execute(sql`select pg_sleep(0.05)`);
      order.push('transaction done');
    });
    await outside;
    expect(order).toEqual(['transaction done', 'outside saw 1']);
  });

  it('rehearses work inside a transaction that is rolled back (mine --dry-run)', async () => {
    const seen = await rehearse(db, async (bound) => {
      await bound.db.execute(sql`insert into t (x) values (30)`);
      return (await bound.query<{ n: number }>('select count(*)::int as n from t where x = 30'))[0].n;
    });
    expect(seen).toBe(1);
    expect(await db.query('select x from t where x = 30')).toEqual([]);
  });

  it('dumps its data directory, which another database loads', async () => {
    const dump = await db.dumpDataDir?.('gzip');
    expect(dump).toBeInstanceOf(Blob);
    const copy = await openDatabase('memory://', { loadDataDir: dump, migrate: false });
    try {
      expect(await copy.query<{ x: number }>('select x from t where x = 10')).toEqual([{ x: 10 }]);
    } finally {
      await copy.close();
    }
  });

  it('opens the next database on the thread a closed one leaves, which holds nothing of it', async () => {
    const first = await memoryDb();
    await first.query('create table kept (x int)');
    const thread = (first as unknown as { db: { $client: { worker: Worker } } }).db.$client.worker;
    await first.close();
    await expect(first.query('select 1')).rejects.toThrow(/is closed/);
    const next = await memoryDb();
    try {
      expect((next as unknown as { db: { $client: { worker: Worker } } }).db.$client.worker).toBe(thread);
      expect(await next.query("select to_regclass('kept') as t")).toEqual([{ t: null }]);
      expect(await next.query<{ n: number }>('select count(*)::int as n from runs')).toEqual([{ n: 0 }]);
    } finally {
      await next.close();
    }
  });
});

describe('the worker thread ending', () => {
  it('a worker that dies fails the requests in flight and every later one with an error saying so', async () => {
    const client = await EmbeddedClient.open('memory://', { migrate: false, loadDataDir: await pgliteTemplate() });
    const inFlight = client.query('select pg_sleep(2)');
    await (client as unknown as { worker: Worker }).worker.terminate();
    await expect(inFlight).rejects.toThrow(/worker thread .* exited/);
    await expect(client.query('select 1')).rejects.toThrow(/worker thread .* exited/);
    await client.close();
  });

  it('a closed database says so', async () => {
    const client = await EmbeddedClient.open('memory://', { migrate: false, loadDataDir: await pgliteTemplate() });
    await client.close();
    await client.close();
    await expect(client.query('select 1')).rejects.toThrow(/is closed/);
  });

  it('a process exits on its own with the database closed, and with it left open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accrete-worker-exit-'));
    try {
      const connection = JSON.stringify(new URL('../../src/db/connection.ts', import.meta.url).pathname);
      for (const close of [true, false]) {
        await seedDbDir(join(dir, `db-${close}`)); // migrated already
        const script = `import { openDatabase } from ${connection};
          const db = await openDatabase(${JSON.stringify(join(dir, `db-${close}`))});
          const [{ n }] = await db.query('select count(*)::int as n from runs');
          ${close ? 'await db.close();' : ''}
          console.log('DONE ' + n);`;
        // The timeout only catches a hang: the process must end by itself once its work is done.
        const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 120_000 });
        expect(stdout.trim()).toBe('DONE 0');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an error opening the database reaches the caller, and the directory lock is released', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accrete-worker-open-'));
    try {
      const bad = new Blob([new Uint8Array([1, 2, 3])]);
      await expect(openDatabase(join(dir, 'db'), { loadDataDir: bad })).rejects.toThrow(/Could not open the embedded database at/);
      const ok = await openDatabase(join(dir, 'db2'), { loadDataDir: await pgliteTemplate() });
      await ok.close();
      const again = await openDatabase(join(dir, 'db2'));
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('opening the embedded database ahead of need', () => {
  it("the command's own open adopts it; with other options it is closed and the directory opened again", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accrete-early-'));
    try {
      const location = join(dir, 'db');
      await seedDbDir(location); // migrated already
      openEmbeddedEarly(location);
      expect(existsSync(`${location}.lock`)).toBe(true);
      const db = await openDatabase(location);
      expect(await db.query<{ n: number }>('select count(*)::int as n from runs')).toEqual([{ n: 0 }]);
      await db.close();
      expect(existsSync(`${location}.lock`)).toBe(false);
      openEmbeddedEarly(location);
      const plain = await openDatabase(location, { migrate: false });
      expect(await plain.query('select 1 as one')).toEqual([{ one: 1 }]);
      await plain.close();
      expect(existsSync(`${location}.lock`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a process that ends before using it exits at once, leaving no lock', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accrete-early-exit-'));
    try {
      const location = join(dir, 'db');
      const early = JSON.stringify(new URL('../../src/db/embedded/early.ts', import.meta.url).pathname);
      const script = `import { openEmbeddedEarly } from ${early}; openEmbeddedEarly(${JSON.stringify(location)}); console.log('BYE');`;
      // The timeout only catches a hang.
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 120_000 });
      expect(stdout.trim()).toBe('BYE');
      expect(existsSync(`${location}.lock`)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
