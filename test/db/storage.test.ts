import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connection.js';
import { listSpool, replaySpool, TraceWriter, writeRecords } from '../../src/trace/writer.js';
import type { TraceRecord } from '../../src/trace/records.js';
import { Redactor } from '../../src/trace/redact.js';
import { BACKENDS, freshDb, seedDbDir, serverDbUrl } from '../helpers/db.js';

const run = promisify(execFile);

function runRecord(id: string, status: 'running' | 'succeeded' = 'running'): TraceRecord {
  return { table: 'runs', row: { id, rootRunId: id, query: 'q', status, startedAt: new Date(), answer: status === 'succeeded' ? '42' : null } };
}

function callRecord(runId: string, seq: number): TraceRecord {
  return {
    table: 'llm_calls',
    row: { id: randomUUID(), runId, seq, kind: 'sub', provider: 'test', requestModel: 'm', requestMessages: [{ role: 'user', content: `q${seq}` }], requestHash: `h${seq}`, response: 'r', status: 'ok' },
  };
}

describe.each(BACKENDS)('storage on %s', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await freshDb(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('has the schema and the vector extension', async () => {
    const tables = await db.query<{ table_name: string }>("select table_name from information_schema.tables where table_schema = 'public' order by 1");
    expect(tables.map((t) => t.table_name)).toEqual(expect.arrayContaining(['contexts', 'llm_calls', 'programs', 'runs', 'steps']));
    const ext = await db.query<{ extname: string }>("select extname from pg_extension where extname = 'vector'");
    expect(ext).toHaveLength(1);
  });

  it('writes a run at start and updates it at its end (one row)', async () => {
    const id = randomUUID();
    await writeRecords(db.db, [runRecord(id)]);
    await writeRecords(db.db, [runRecord(id, 'succeeded')]);
    const rows = await db.query<{ status: string; answer: string }>('select status, answer from runs where id = $1', [id]);
    expect(rows).toEqual([{ status: 'succeeded', answer: '42' }]);
  });

  it('stores a context once, however often it is written (50 MB)', async () => {
    const big = 'a'.repeat(50 * 1024 * 1024);
    const sha = 'f'.repeat(64);
    const rec: TraceRecord = { table: 'contexts', row: { sha256: sha, kind: 'text', sizeBytes: big.length, content: big, encoding: 'utf8' } };
    await writeRecords(db.db, [rec]);
    await writeRecords(db.db, [rec]);
    const rows = await db.query<{ n: string | number; size: string | number }>('select count(*) as n, max(octet_length(content)) as size from contexts where sha256 = $1', [sha]);
    expect(Number(rows[0].n)).toBe(1);
    expect(Number(rows[0].size)).toBe(big.length);
  });

  it('writes batches idempotently: a batch written twice leaves no duplicates', async () => {
    const id = randomUUID();
    const batch = [runRecord(id), ...Array.from({ length: 1200 }, (_, i) => callRecord(id, i))];
    await writeRecords(db.db, batch);
    await writeRecords(db.db, batch);
    const rows = await db.query<{ n: string | number }>('select count(*) as n from llm_calls where run_id = $1', [id]);
    expect(Number(rows[0].n)).toBe(1200);
  });

  it('spools records while the database is unreachable and replays them without duplicates', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'accrete-spool-'));
    try {
      const refused = () => Promise.reject(new Error('connection refused'));
      const broken: Database = {
        ...db,
        db: new Proxy(db.db, { get: (t, p) => (p === 'transaction' ? refused : Reflect.get(t, p)) }),
        // the embedded database's worker writes the rows itself: refused too
        ...(db.insertRows ? { insertRows: refused } : {}),
      };
      const statuses: boolean[] = [];
      const writer = new TraceWriter(broken, { spoolDir, onStatus: (s) => statuses.push(s.spooling) });
      const id = randomUUID();
      writer.write(runRecord(id));
      for (let i = 0; i < 10; i++) writer.write(callRecord(id, i));
      await writer.flush();
      expect(writer.isSpooling).toBe(true);
      expect(statuses).toEqual([true]);
      expect(listSpool(spoolDir).reduce((n, f) => n + f.records, 0)).toBe(11);
      expect(await db.query('select 1 from runs where id = $1', [id])).toHaveLength(0);
      // the database is back: replaying twice must not duplicate anything
      const report = await replaySpool(db, spoolDir);
      expect(report.records).toBe(11);
      expect(listSpool(spoolDir)).toHaveLength(0);
      const again = new TraceWriter(db, { spoolDir });
      for (let i = 0; i < 10; i++) again.write(callRecord(id, i));
      await again.flush();
      const calls = await db.query<{ n: string | number }>('select count(*) as n from llm_calls where run_id = $1', [id]);
      expect(Number(calls[0].n)).toBe(20);
      expect(await db.query('select 1 from runs where id = $1', [id])).toHaveLength(1);
    } finally {
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });

  it('redacts secrets before writing', async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), 'accrete-spool-'));
    const writer = new TraceWriter(db, { spoolDir, redactor: new Redactor(['my-configured-secret-value']) });
    const id = randomUUID();
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U';
    writer.write({
      table: 'runs',
      row: {
        id,
        rootRunId: id,
        status: 'running',
        startedAt: new Date(),
        query: `key sk-proj-abcdefghijklmnop1234 and Bearer abcdefghijklmnopqrstu and AKIAIOSFODNN7EXAMPLE and ${jwt} and my-configured-secret-value\n-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\u0000`,
      },
    });
    await writer.flush();
    const [row] = await db.query<{ query: string }>('select query from runs where id = $1', [id]);
    for (const secret of ['sk-proj-abcdefghijklmnop1234', 'abcdefghijklmnopqrstu', 'AKIAIOSFODNN7EXAMPLE', jwt, 'my-configured-secret-value', 'MIIB']) {
      expect(row.query).not.toContain(secret);
    }
    expect(row.query).toContain('[REDACTED:api-key]');
    expect(row.query).toContain('[REDACTED:private-key]');
    rmSync(spoolDir, { recursive: true, force: true });
  });
});

describe('migrations', () => {
  it('apply at open and are idempotent on an embedded database directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accrete-db-'));
    try {
      const a = await openDatabase(join(dir, 'db'));
      await a.close();
      const b = await openDatabase(join(dir, 'db'));
      const rows = await b.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
      await b.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.runIf(BACKENDS.includes('postgres'))('are safe when two processes start together on a server (advisory lock)', async () => {
    const { url, drop } = await serverDbUrl();
    try {
      const [a, b, c] = await Promise.all([openDatabase(url), openDatabase(url), openDatabase(url)]);
      const rows = await a.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
      expect(rows[0].n).toBeGreaterThanOrEqual(2);
      await Promise.all([a.close(), b.close(), c.close()]);
    } finally {
      await drop();
    }
  });
});

describe('the embedded database lock', () => {
  it('a second process gets a clear error naming the holder, and the database stays usable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accrete-lock-'));
    const location = join(dir, 'db');
    await seedDbDir(location); // migrated already: the first open of a directory is tested above
    const db = await openDatabase(location);
    try {
      const script = `import { openDatabase } from ${JSON.stringify(new URL('../../src/db/connection.ts', import.meta.url).pathname)};
        try { await openDatabase(${JSON.stringify(location)}); console.log('OPENED'); } catch (e) { console.log(e.name + ': ' + e.message); }`;
      const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 60_000 });
      expect(stdout).toContain('DatabaseLockedError');
      expect(stdout).toContain(`process ${process.pid}`);
      expect(stdout).not.toContain('OPENED');
      const rows = await db.query<{ n: number }>('select count(*)::int as n from runs');
      expect(rows[0].n).toBe(0);
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a lock left by a dead process is taken over', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accrete-lock-'));
    const location = join(dir, 'db');
    const { writeFileSync } = await import('node:fs');
    const { hostname } = await import('node:os');
    writeFileSync(`${location}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), command: 'gone', since: 'then' }));
    await seedDbDir(location);
    const db = await openDatabase(location);
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
