import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createRuntime } from '../../src/index.js';
import { exportRuns, importLines } from '../../src/trace/interchange.js';
import { memoryDb } from '../helpers/db.js';
import { js, scriptedServer } from '../helpers/models.js';

let source: Database;
let target: Database;
let runId: string;

beforeAll(async () => {
  [source, target] = await Promise.all([memoryDb(), memoryDb()]);
  // root replies in the order they are asked for: step 1 starts a sub-run, which answers at once
  const s2 = await scriptedServer([js('const part = await rlm("inner", context.slice(0, 3));\nprint(part)'), js('FINAL("inner answer")'), js('FINAL(await llm("final", part))')], ['leaf']);
  const runtime = await createRuntime({ db: source, ...s2.models, spoolDir: '/tmp/accrete-test-spool' });
  const summary = await runtime.run({ query: 'What is it?', context: 'abcdef' });
  await runtime.close();
  await s2.close();
  expect(summary.status).toBe('succeeded');
  runId = summary.runId;
});

afterAll(async () => {
  await Promise.all([source?.close(), target?.close()]);
});

const count = async (db: Database, table: string) => (await db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0].n;

describe('export and import', () => {
  it('round-trips a run with its steps, programs, model calls, context and sub-runs', async () => {
    const lines: string[] = [];
    for await (const r of exportRuns(source)) lines.push(JSON.stringify(r));
    expect(lines).toHaveLength(1);
    const exported = JSON.parse(lines[0]);
    expect(exported.id).toBe(runId);
    expect(exported.subRuns).toHaveLength(1);
    expect(exported.subRuns[0].depth).toBe(1);
    expect(exported.context.content).toBe('abcdef');
    const report = await importLines(target, lines);
    expect(report).toEqual({ lines: 1, imported: 1, skipped: 0, conflicts: [], errors: [], format: 'accrete' });
    for (const table of ['runs', 'steps', 'programs', 'llm_calls', 'contexts']) expect(await count(target, table)).toBe(await count(source, table));
    const again = [];
    for await (const r of exportRuns(target)) again.push(r);
    expect(again[0]).toEqual(exported);
  });

  it('re-importing is a no-op', async () => {
    const lines: string[] = [];
    for await (const r of exportRuns(source)) lines.push(JSON.stringify(r));
    const before = await count(target, 'llm_calls');
    const report = await importLines(target, lines);
    expect(report).toMatchObject({ imported: 0, skipped: 1, errors: [] });
    expect(await count(target, 'llm_calls')).toBe(before);
  });

  it('imports minimal records from elsewhere, keeping their ids; malformed lines are reported by number and skipped', async () => {
    const a = randomUUID();
    const b = randomUUID();
    const lines = [
      JSON.stringify({ id: a, query: 'count refunds', status: 'succeeded', answer: '4', steps: [{ code: ['const xs = context.split("\\n")'] }, { code: ['const n = (await llmBatch(xs.map(x => ({query: "refund?", context: x})))).length', 'FINAL(n)'] }] }),
      '{"id": "not-json',
      JSON.stringify({ id: 'nope', query: 'q', status: 'succeeded', steps: [] }),
      JSON.stringify({ id: randomUUID(), query: 'q', status: 'weird', steps: [] }),
      JSON.stringify({ id: randomUUID(), query: 'q', status: 'failed', steps: [{ code: [42] }] }),
      '',
      JSON.stringify({ id: b, query: 'other', status: 'failed', steps: [{ code: ['throw new Error("x")'] }] }),
    ];
    const report = await importLines(target, lines);
    expect(report.imported).toBe(2);
    expect(report.errors.map((e) => e.line)).toEqual([2, 3, 4, 5]);
    expect(report.errors[0].error).toMatch(/not valid JSON/);
    expect(report.errors[1].error).toMatch(/"id" must be a UUID/);
    expect(report.errors[2].error).toMatch(/"status" must be one of/);
    expect(report.errors[3].error).toMatch(/steps\[0\]\.code must be an array of strings/);
    const runs = await target.query<{ id: string; source: string; status: string }>('select id, source, status from runs where id in ($1, $2) order by query', [a, b]);
    expect(runs).toEqual([
      { id: a, source: 'import', status: 'succeeded' },
      { id: b, source: 'import', status: 'failed' },
    ]);
    const programs = await target.query<{ step_idx: number; block_idx: number; status: string; calls_model: boolean }>('select step_idx, block_idx, status, calls_model from programs where run_id = $1 order by step_idx, block_idx', [a]);
    expect(programs).toEqual([
      { step_idx: 0, block_idx: 0, status: 'ok', calls_model: false },
      { step_idx: 1, block_idx: 0, status: 'ok', calls_model: true },
      { step_idx: 1, block_idx: 1, status: 'final', calls_model: false },
    ]);
    // nothing half-written for the bad lines, and a second import changes nothing
    const again = await importLines(target, lines);
    expect(again.imported).toBe(0);
    expect(again.skipped).toBe(2);
  });
});
