/**
 * The trace's row writer (src/db/rows.ts) plans each INSERT once from the drizzle schema instead of
 * going through drizzle's insert builder: the statements and parameters must be drizzle's own, and
 * what they write must read back as what drizzle's builder writes, on both drivers.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { eq, getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import type { TableRows } from '../../src/db/row-tables.js';
import { executeQuery, insertRows, RowEncoder } from '../../src/db/rows.js';
import { contexts, libCalls, llmCalls, minedPrograms, programs, runs, steps, STRUCT_EMBEDDING_DIM, toolCalls } from '../../src/db/schema.js';
import { BACKENDS, freshDb } from '../helpers/db.js';

/** The set drizzle's upsert of a run used: every column but the key and the start, from the new row. */
function excludedSet(table: PgTable, keep: string[]): Record<string, SQL> {
  const set: Record<string, SQL> = {};
  for (const [prop, col] of Object.entries(getTableColumns(table))) if (!keep.includes(prop)) set[prop] = sql.raw(`excluded."${col.name}"`);
  return set;
}

const started = new Date('2026-11-28T15:04:05.123Z');

/** Rows of every trace table, with every kind of value: jsonb (nested, unicode, a JSON string), timestamps, null, missing and undefined (defaults), numbers, booleans. */
function traceRows(runId: string): Record<string, Record<string, unknown>[]> {
  const programId = randomUUID();
  const stepId = randomUUID();
  const sha = randomUUID().replace(/-/g, '').repeat(2);
  return {
    contexts: [{ sha256: sha, kind: 'text', sizeBytes: 5_000_000_000, content: 'ctx "quoted" \\ ünïcode 🙂', encoding: 'utf8' }],
    runs: [
      {
        id: runId,
        parentRunId: null,
        rootRunId: runId,
        depth: 2,
        query: 'what?\n',
        contextSha256: sha,
        contextBytes: 5_000_000_000,
        rootModel: 'root-m',
        subModel: undefined,
        budgets: { maxIterations: 20, maxLlmCalls: 0.5 },
        status: 'succeeded',
        answer: '42',
        costUsd: 0.000123,
        inputTokens: 2 ** 40,
        metadata: { nested: { a: [1, 'two', null, true], 'key with "quotes"': 'é' } },
        startedAt: started,
        endedAt: new Date(started.getTime() + 1500),
        durationMs: 1500,
        ownerPid: 1234,
        heartbeatAt: started,
        sessionId: randomUUID(),
        sessionTurn: 3,
        notAColumn: 'ignored',
      },
    ],
    steps: [{ id: stepId, runId, idx: 0, response: 'resp', codeBlocks: ['print(1)', 'FINAL("x")'], output: '', outputChars: 0, error: null, startedAt: started, durationMs: 7 }],
    programs: [
      { id: programId, runId, stepId, stepIdx: 0, blockIdx: 0, code: 'FINAL(1)', codeSha256: 'c', query: 'q', status: 'final', result: '1', callsModel: true, libCalls: ['a@1'], durationMs: 3 },
      { id: randomUUID(), runId, stepId: null, stepIdx: 0, blockIdx: 1, code: 'x', codeSha256: 'd', query: 'q', status: 'ok', output: undefined, libCalls: null },
    ],
    llm_calls: [
      {
        id: randomUUID(),
        runId,
        programId,
        seq: 1,
        kind: 'sub',
        provider: 'openai',
        requestModel: 'm',
        requestMessages: [{ role: 'user', content: 'line\nbreak \u2028 "q" \\ 🙂' }],
        requestHash: 'h',
        response: 'r',
        inputTokens: 12,
        costUsd: 1e-7,
        latencyMs: 50,
        status: 'ok',
        createdAt: started,
      },
    ],
    lib_calls: [{ id: randomUUID(), runId, programId, name: 'split', version: '1.0.0', durationMs: 2, status: 'error', error: 'boom', createdAt: started }],
    tool_calls: [
      { id: randomUUID(), runId, programId, seq: 0, name: 't', args: 'a JSON string', result: [1, { b: null }], status: 'ok', createdAt: started },
      { id: randomUUID(), runId, programId, seq: 1, name: 't', args: null, result: 0, status: 'rejected', error: 'no' },
    ],
  };
}

const TABLES = { contexts, runs, steps, programs, llm_calls: llmCalls, lib_calls: libCalls, tool_calls: toolCalls } as const;
type Name = keyof typeof TABLES;

/** The rows of a run as drizzle reads them back, in a stable order, without the columns that differ by design between two copies. */
async function readBack(db: Database, runId: string): Promise<Record<string, Record<string, unknown>[]>> {
  const strip = (rows: Record<string, unknown>[], drop: string[]) =>
    rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k)))).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  const d = db.db;
  const [run] = await d.select().from(runs).where(eq(runs.id, runId));
  const ctx = run.contextSha256 ? await d.select().from(contexts).where(eq(contexts.sha256, run.contextSha256)) : [];
  return {
    contexts: strip(ctx, ['sha256', 'createdAt']),
    runs: strip([run], ['id', 'rootRunId', 'contextSha256', 'sessionId']),
    steps: strip(await d.select().from(steps).where(eq(steps.runId, runId)), ['id', 'runId']),
    programs: strip(await d.select().from(programs).where(eq(programs.runId, runId)), ['id', 'runId', 'stepId', 'seq', 'createdAt']),
    llm_calls: strip(await d.select().from(llmCalls).where(eq(llmCalls.runId, runId)), ['id', 'runId', 'programId']),
    lib_calls: strip(await d.select().from(libCalls).where(eq(libCalls.runId, runId)), ['id', 'runId', 'programId']),
    tool_calls: strip(await d.select().from(toolCalls).where(eq(toolCalls.runId, runId)), ['id', 'runId', 'programId', 'createdAt']),
  };
}

describe('RowEncoder', () => {
  it('plans the statement and parameters drizzle builds for the same rows', async () => {
    // a drizzle over postgres-js only renders here; it never connects
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const postgres = (await import('postgres')).default;
    const client = postgres('postgres://nobody@127.0.0.1:1/none', { max: 1 });
    const d = drizzle(client);
    const rows = traceRows(randomUUID());
    for (const name of Object.keys(TABLES) as Name[]) {
      const table = TABLES[name];
      const built = d.insert(table).values(rows[name] as never[]);
      const expected = name === 'runs' ? built.onConflictDoUpdate({ target: runs.id, set: excludedSet(runs, ['id', 'startedAt']) }).toSQL() : built.onConflictDoNothing().toSQL();
      const planned = new RowEncoder(table, name === 'runs' ? { target: runs.id, keep: ['id', 'startedAt'] } : { doNothing: true }).encode(rows[name]);
      expect(planned, name).toEqual({ sql: expected.sql, params: expected.params });
    }
    await client.end();
  });

  it('runs $defaultFn and $onUpdateFn as drizzle does, and refuses no rows', async () => {
    const { pgTable, text, integer } = await import('drizzle-orm/pg-core');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const postgres = (await import('postgres')).default;
    const client = postgres('postgres://nobody@127.0.0.1:1/none', { max: 1 });
    let n = 0;
    const t = pgTable('t', {
      id: text('id').primaryKey(),
      a: integer('a').$defaultFn(() => ++n),
      b: integer('b').$onUpdateFn(() => 7),
      c: integer('c').default(5).$onUpdateFn(() => 8),
      d: integer('d').generatedAlwaysAsIdentity(),
    });
    const rows = [{ id: 'x' }, { id: 'y', a: 1, b: null, c: undefined }];
    const expected = drizzle(client).insert(t).values(rows).onConflictDoNothing().toSQL();
    n = 0;
    expect(new RowEncoder(t, { doNothing: true }).encode(rows)).toEqual({ sql: expected.sql, params: expected.params });
    expect(() => new RowEncoder(t, { doNothing: true }).encode([])).toThrow(/at least one row/);
    await client.end();
  });
});

describe.each(BACKENDS)('the row writer on %s', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await freshDb(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** The same rows written by drizzle's insert builder, as the writer wrote them before. */
  async function writeWithDrizzle(rows: Record<string, Record<string, unknown>[]>): Promise<void> {
    await db.db.transaction(async (tx) => {
      for (const name of Object.keys(TABLES) as Name[]) {
        const insert = tx.insert(TABLES[name]).values(rows[name] as never[]);
        if (name === 'runs') await insert.onConflictDoUpdate({ target: runs.id, set: excludedSet(runs, ['id', 'startedAt']) });
        else await insert.onConflictDoNothing();
      }
    });
  }

  const batchOf = (rows: Record<string, Record<string, unknown>[]>): TableRows[] => (Object.keys(TABLES) as Name[]).map((table) => ({ table, rows: rows[table] }));

  it('writes every table as drizzle wrote it: jsonb, timestamps, nulls, defaults, numbers', async () => {
    const viaDrizzle = randomUUID();
    const viaWriter = randomUUID();
    const viaWorker = randomUUID();
    await writeWithDrizzle(traceRows(viaDrizzle));
    await insertRows(db.db, batchOf(traceRows(viaWriter)));
    // the embedded database writes the rows in its worker thread: the same code, another thread
    if (db.insertRows) await db.insertRows(batchOf(traceRows(viaWorker)));
    const expected = await readBack(db, viaDrizzle);
    expect(expected.runs[0]).toMatchObject({ budgets: { maxIterations: 20, maxLlmCalls: 0.5 }, depth: 2, iterations: 0, source: 'runtime', startedAt: started, inputTokens: 2 ** 40 });
    expect(expected.tool_calls.map((r) => r.args)).toContain('a JSON string');
    expect(await readBack(db, viaWriter)).toEqual(expected);
    if (db.insertRows) expect(await readBack(db, viaWorker)).toEqual(expected);
    // the SQL defaults were the database's: created_at is the transaction's time, seq a sequence
    const [p] = await db.db.select().from(programs).where(eq(programs.runId, viaWriter)).limit(1);
    expect(p.createdAt).toBeInstanceOf(Date);
    expect(typeof p.seq).toBe('number');
  });

  it('replaces a run by its later version and writes a batch twice without duplicates', async () => {
    const id = randomUUID();
    const rows = traceRows(id);
    const first = { ...rows.runs[0], status: 'running', answer: null, endedAt: null };
    await insertRows(db.db, [{ table: 'contexts', rows: rows.contexts }, { table: 'runs', rows: [first] }]);
    const later = batchOf(rows);
    await (db.insertRows ? db.insertRows(later) : insertRows(db.db, later));
    await (db.insertRows ? db.insertRows(later) : insertRows(db.db, later));
    const [run] = await db.db.select().from(runs).where(eq(runs.id, id));
    expect(run).toMatchObject({ status: 'succeeded', answer: '42', startedAt: started });
    const n = await db.query<{ n: string | number }>('select count(*) as n from tool_calls where run_id = $1', [id]);
    expect(Number(n[0].n)).toBe(2);
  });

  it('writes vectors (pgvector vector, halfvec and sparsevec columns) as drizzle does', async () => {
    const runId = randomUUID();
    await insertRows(db.db, [{ table: 'runs', rows: [{ id: runId, rootRunId: runId, query: 'q', status: 'succeeded', startedAt: started }] }]);
    const embedding = Array.from({ length: STRUCT_EMBEDDING_DIM }, (_, i) => (i % 7) / 8 - 0.25);
    const row = (id: string) => ({
      runId: id,
      maxProgramSeq: 9,
      passId: 1,
      status: 'parsed',
      query: 'q',
      succeeded: true,
      code: 'FINAL(1)',
      templates: [{ t: 'x' }],
      structEmbedding: embedding,
      semanticEmbedding: [0.5, -1, 2],
      profileVector: '{1:0.5,7:2}/1048576',
      clusterId: null,
    });
    const other = randomUUID();
    await insertRows(db.db, [{ table: 'runs', rows: [{ id: other, rootRunId: other, query: 'q', status: 'succeeded', startedAt: started }] }]);
    await db.db.insert(minedPrograms).values(row(other) as never);
    const encoder = new RowEncoder(minedPrograms, { doNothing: true });
    await executeQuery(db.db, encoder.encode([row(runId)]));
    await executeQuery(db.db, encoder.encode([row(runId)])); // on conflict: nothing
    const read = async (id: string) => {
      const [r] = await db.db.select().from(minedPrograms).where(eq(minedPrograms.runId, id));
      const { runId: _id, createdAt, ...rest } = r;
      expect(createdAt).toBeInstanceOf(Date);
      return rest;
    };
    const mine = await read(runId);
    expect(mine).toEqual(await read(other));
    expect(mine.structEmbedding).toEqual(embedding);
    expect(mine.semanticEmbedding).toEqual([0.5, -1, 2]);
    expect(mine.profileVector).toBe('{1:0.5,7:2}/1048576');
  });

  it.runIf(backend === 'pglite' && process.platform === 'linux')('the embedded database steps its thread back (nice 10) once a run logger asks it to write', async () => {
    // a thread's nice value: the 19th field of its stat, the 17th after the command's closing parenthesis
    const niceOf = (stat: string) => Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    const mine = () => niceOf(readFileSync('/proc/thread-self/stat', 'utf8'));
    const before = mine(); // 0 unless the tests themselves run niced
    await db.insertRows?.([]);
    const nices = readdirSync('/proc/self/task').flatMap((tid) => {
      try {
        return [niceOf(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'))];
      } catch {
        return []; // a thread that ended meanwhile
      }
    });
    expect(nices).toContain(Math.max(10, before));
    // this thread (the caller's) keeps its priority
    expect(mine()).toBe(before);
  });

  it('fails a rejected row with the database complaint, and writes nothing of its transaction', async () => {
    const runId = randomUUID();
    const rows = traceRows(runId);
    const orphan = { ...rows.steps[0], runId: randomUUID() }; // no such run: a foreign key violation
    await expect(insertRows(db.db, [{ table: 'runs', rows: rows.runs }, { table: 'steps', rows: [orphan] }])).rejects.toThrow();
    const n = await db.query<{ n: string | number }>('select count(*) as n from runs where id = $1', [runId]);
    expect(Number(n[0].n)).toBe(0);
  });
});
