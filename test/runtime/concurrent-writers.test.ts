/**
 * Concurrent runs writing through one runtime (issue 12's matrix): every model call, step and
 * program each run made is in the database, none twice, and each run's totals match its rows — on
 * the server when TEST_DATABASE_URL is set (concurrent writers are the server's case; CI sets it),
 * else on PGlite. The real openai client over HTTP against the local scripted server.
 */
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/runtime.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { scriptedServer } from '../helpers/models.js';

const RUNS = 5;
const FAN_OUT = 20;
const CODE = `\`\`\`js\nconst answers = await llmBatch(Array.from({ length: ${FAN_OUT} }, (_, i) => ({ query: 'piece ' + i, context: context })));\nFINAL(String(answers.length))\n\`\`\``;

const backend = BACKENDS.includes('postgres') ? 'postgres' : 'pglite';

describe(`concurrent runs on ${backend}`, () => {
  it(`${RUNS} runs at once, ${FAN_OUT} sub-calls each: every record is written once`, async () => {
    const db = await freshDb(backend);
    const server = await scriptedServer([CODE], ['ok'], { rootRepeats: true });
    const runtime = await createRuntime({ db, ...server.models, library: false, warmSandboxes: 2, budgets: { concurrency: 8 } });
    try {
      const summaries = await Promise.all(Array.from({ length: RUNS }, (_, i) => runtime.run({ query: `count ${i}`, context: `input ${i}` })));
      expect(summaries.map((s) => `${s.status}:${s.answer}`)).toEqual(Array(RUNS).fill(`succeeded:${FAN_OUT}`));
      await runtime.flush();
      const ids = summaries.map((s) => s.runId);
      const calls = await db.query<{ run_id: string; n: number }>('select run_id, count(*)::int as n from llm_calls where run_id = any($1::uuid[]) group by run_id', [ids]);
      const expected = 1 + FAN_OUT; // one root call, the fan-out
      expect(calls.map((c) => c.n)).toEqual(Array(RUNS).fill(expected));
      const runs = await db.query<{ llm_calls: number; iterations: number; status: string }>('select llm_calls, iterations, status from runs where id = any($1::uuid[])', [ids]);
      expect(runs).toHaveLength(RUNS);
      expect(runs.every((r) => r.llm_calls === expected && r.iterations === 1 && r.status === 'succeeded')).toBe(true);
      const [{ steps, programs }] = await db.query<{ steps: number; programs: number }>(
        'select (select count(*)::int from steps where run_id = any($1::uuid[])) as steps, (select count(*)::int from programs where run_id = any($1::uuid[])) as programs',
        [ids],
      );
      expect({ steps, programs }).toEqual({ steps: RUNS, programs: RUNS });
    } finally {
      await runtime.close();
      await server.close();
      await db.close();
    }
  });
});
