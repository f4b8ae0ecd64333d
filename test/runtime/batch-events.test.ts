/** rlmBatch, the event stream and the typed description of JSON input, through the real runtime over HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuery } from '../../src/contracts/messages.js';
import type { Database } from '../../src/db/connection.js';
import { createRuntime, type RunEvent } from '../../src/index.js';
import { prepareContext } from '../../src/runtime/context.js';
import { memoryDb } from '../helpers/db.js';
import { js, scriptedServer } from '../helpers/models.js';
import { routedServer } from '../helpers/routed.js';
import { ScriptedModel } from '../../src/models/scripted.js';
import { startModelServer } from '../../src/sim/server.js';

let db: Database;
beforeAll(async () => {
  db = await memoryDb();
});
afterAll(async () => {
  await db?.close();
});

const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => db.query<T>(sql, params);

describe('rlmBatch and runtime.stream', () => {
  it('runs sub-runs in parallel under the tree\'s concurrency, in order, and streams every event', async () => {
    // The root of each run answers by the query it serves: sub-runs count words with code and llm.
    const server = await routedServer(
      (messages) => {
        const query = parseQuery(messages) ?? '';
        if (query === 'Count all') {
          return js(`const parts = context.split('|');
const counts = await rlmBatch(parts.map((p, i) => ({ query: 'count words ' + i, context: p })));
FINAL(counts.join(','))`);
        }
        return js('const n = context.split(" ").length; const check = await llm("say ok to " + n); FINAL(check === "ok" ? String(n) : "bad")');
      },
      () => 'ok',
    );
    const runtime = await createRuntime({ db, ...server.models, spoolDir: '/tmp/accrete-test-spool', library: false, budgets: { concurrency: 2 } });
    const events: RunEvent[] = [];
    try {
      const stream = runtime.stream({ query: 'Count all', context: 'a b c|d e|f|g h i j' });
      for await (const e of stream) events.push(e);
      const summary = await stream.result;
      expect(summary).toMatchObject({ status: 'succeeded', answer: '3,2,1,4' });
      // 1 root call + 4 sub-runs x (1 root + 1 llm)
      expect(summary.llmCalls).toBe(9);
      expect(server.maxInFlight()).toBeLessThanOrEqual(2);

      const subs = await q<{ id: string; parent_run_id: string; depth: number; answer: string; query: string }>('select id, parent_run_id, depth, answer, query from runs where root_run_id = $1 and depth = 1 order by query', [summary.runId]);
      expect(subs.map((s) => [s.query, s.answer, s.parent_run_id, s.depth])).toEqual([
        ['count words 0', '3', summary.runId, 1],
        ['count words 1', '2', summary.runId, 1],
        ['count words 2', '1', summary.runId, 1],
        ['count words 3', '4', summary.runId, 1],
      ]);

      const root = events.filter((e) => e.runId === summary.runId);
      expect(root[0]).toMatchObject({ type: 'run_start', depth: 0, parentRunId: null, query: 'Count all' });
      expect(root.at(-1)).toMatchObject({ type: 'run_end', status: 'succeeded', llmCalls: 9 });
      expect(root.find((e) => e.type === 'answer')).toMatchObject({ answer: '3,2,1,4' });
      const types = new Set(root.map((e) => e.type));
      for (const t of ['step_start', 'code', 'output', 'model_call_start', 'model_call_end', 'batch', 'sub_run'] as const) expect(types).toContain(t);
      const batches = root.filter((e): e is Extract<RunEvent, { type: 'batch' }> => e.type === 'batch');
      expect(batches.map((b) => `${b.fn} ${b.done}/${b.total}`)).toEqual(['rlmBatch 0/4', 'rlmBatch 1/4', 'rlmBatch 2/4', 'rlmBatch 3/4', 'rlmBatch 4/4']);
      const subRuns = root.filter((e): e is Extract<RunEvent, { type: 'sub_run' }> => e.type === 'sub_run');
      expect(new Set(subRuns.map((s) => s.childRunId))).toEqual(new Set(subs.map((s) => s.id)));
      // each sub-run streams its own events, the model calls with their tokens
      for (const s of subs) {
        const own = events.filter((e) => e.runId === s.id);
        expect(own[0]).toMatchObject({ type: 'run_start', depth: 1, parentRunId: summary.runId });
        const ends = own.filter((e): e is Extract<RunEvent, { type: 'model_call_end' }> => e.type === 'model_call_end');
        expect(ends.map((c) => c.kind)).toEqual(['root', 'sub']);
        expect(ends.every((c) => c.status === 'ok' && c.inputTokens > 0 && c.outputTokens > 0)).toBe(true);
      }
      // the events' tokens add up to the logged calls
      const logged = await q<{ t: number }>('select sum(c.gen_ai_usage_input_tokens + c.gen_ai_usage_output_tokens)::int as t from llm_calls c join runs r on r.id = c.run_id where r.root_run_id = $1', [summary.runId]);
      const streamed = events.filter((e): e is Extract<RunEvent, { type: 'model_call_end' }> => e.type === 'model_call_end').reduce((n, e) => n + e.inputTokens + e.outputTokens, 0);
      expect(streamed).toBe(logged[0].t);
    } finally {
      await runtime.close();
      await server.close();
    }
  });

  it('a failed stream start rejects both the iteration and the result', async () => {
    const server = await scriptedServer(['unused']);
    const runtime = await createRuntime({ db, ...server.models, spoolDir: '/tmp/accrete-test-spool', library: false });
    try {
      const stream = runtime.stream({ query: '  ' });
      await expect(stream.result).rejects.toThrow(/The query is empty/);
      await expect((async () => {
        for await (const _ of stream) { /* nothing */ }
      })()).rejects.toThrow(/The query is empty/);
    } finally {
      await runtime.close();
      await server.close();
    }
  });
});

describe('streamed model calls', () => {
  const reply = js('FINAL("hi")', 'Let me answer this one right away.');
  async function streamOnce(streaming: boolean) {
    const server = await startModelServer({ models: { 'test-root': new ScriptedModel({ responses: [reply], name: 'test-root' }), 'test-sub': new ScriptedModel({ responses: ['ok'] }) }, streaming });
    const runtime = await createRuntime({ db, model: 'test-root', subModel: 'test-sub', openai: { baseURL: server.url, apiKey: 'sk-test', maxRetries: 0 }, spoolDir: '/tmp/accrete-test-spool', library: false });
    try {
      const events: RunEvent[] = [];
      const stream = runtime.stream({ query: 'Say hi', context: 'x' });
      for await (const e of stream) events.push(e);
      return { summary: await stream.result, events, requests: server.requests };
    } finally {
      await runtime.close();
      await server.close();
    }
  }

  it('stream where the server does: the pieces add up to the reply and the token counts are the server\'s', async () => {
    const { summary, events, requests } = await streamOnce(true);
    expect(summary).toMatchObject({ status: 'succeeded', answer: 'hi' });
    expect(requests).toBe(1);
    const deltas = events.filter((e): e is Extract<RunEvent, { type: 'model_call_delta' }> => e.type === 'model_call_delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.text).join('')).toBe(reply);
    const end = events.find((e): e is Extract<RunEvent, { type: 'model_call_end' }> => e.type === 'model_call_end')!;
    expect(deltas.every((d) => d.callId === end.callId && d.kind === 'root')).toBe(true);
    const [logged] = await q<{ response: string; gen_ai_usage_input_tokens: number; gen_ai_usage_output_tokens: number; gen_ai_response_id: string }>(
      'select response, gen_ai_usage_input_tokens, gen_ai_usage_output_tokens, gen_ai_response_id from llm_calls where run_id = $1',
      [summary.runId],
    );
    expect(logged.response).toBe(reply);
    expect([end.inputTokens, end.outputTokens]).toEqual([logged.gen_ai_usage_input_tokens, logged.gen_ai_usage_output_tokens]);
    expect(end.outputTokens).toBeGreaterThan(0);
    expect(logged.gen_ai_response_id).toMatch(/^req_sim_/);
  });

  it('ask whole a server that refuses streaming (once), with no pieces', async () => {
    const { summary, events, requests } = await streamOnce(false);
    expect(summary).toMatchObject({ status: 'succeeded', answer: 'hi' });
    expect(requests).toBe(2); // the refused streamed request, then the whole one
    expect(events.some((e) => e.type === 'model_call_delta')).toBe(false);
  });
});

describe('typed input', () => {
  const records = Array.from({ length: 1_200 }, (_, i) => ({
    id: i,
    name: `customer ${i}`,
    score: i % 3 === 0 ? 0.5 : 1,
    tags: i % 2 ? ['vip'] : [],
    address: { city: 'Oslo', zip: i % 10 === 0 ? null : '0150' },
    ...(i % 4 === 0 ? { note: 'x'.repeat(500) } : {}),
  }));

  it('describes JSON input by its keys, types, array lengths and a sample record', () => {
    const d = prepareContext({ json: records }).description.structure!;
    expect(d).toContain('array (1,200 items) of object with 6 keys');
    expect(d).toContain('"id": integer');
    expect(d).toContain('"score": number');
    expect(d).toContain('"tags": array (0–1 items) of string');
    expect(d).toContain('"address": object with 2 keys');
    expect(d).toContain('    "zip": string | null');
    expect(d).toMatch(/"note": string \(in \d+ of 500\)/);
    expect(d).toMatch(/^A sample item \(context\[0\]\): \{"id":0,"name":"customer 0",.*\(500 chars\)/m);
    expect(d.length).toBeLessThan(3_000);
  });

  it('shows a user\'s JSON Schema instead, and the model sees it in the first message', async () => {
    const schema = { type: 'array', items: { type: 'object', properties: { id: { type: 'integer', description: 'customer number' } } } };
    const server = await scriptedServer([js('FINAL(context.length)')], ['ok'], { rootRepeats: true });
    const runtime = await createRuntime({ db, ...server.models, spoolDir: '/tmp/accrete-test-spool', library: false });
    try {
      const plain = await runtime.run({ query: 'How many?', context: { json: records.slice(0, 3) } });
      expect(plain.answer).toBe('3');
      const withSchema = await runtime.stream({ query: 'How many now?', context: { json: records.slice(0, 3) }, contextSchema: schema }).result;
      const first = async (runId: string) =>
        (await q<{ request_messages: { content: string }[] }>("select request_messages from llm_calls where run_id = $1 and kind = 'root' order by seq limit 1", [runId]))[0].request_messages[1].content;
      expect(await first(plain.runId)).toContain('"name": string');
      const shown = await first(withSchema.runId);
      expect(shown).toContain('Its JSON Schema (given with the input)');
      expect(shown).toContain('customer number');
      expect(shown).not.toContain('Its structure');
    } finally {
      await runtime.close();
      await server.close();
    }
  });
});
