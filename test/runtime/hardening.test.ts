/**
 * Issue 12, failures 2 and 3, through the real runtime and sandbox: the host checks the shape and
 * size of every host call whatever the prelude did (model code can override `items.map`), and the
 * answer FINAL gives is capped by a budget (maxAnswerChars) with an error the model sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createRuntime, type RuntimeOptions } from '../../src/index.js';
import { memoryDb } from '../helpers/db.js';
import { js, scriptedServer } from '../helpers/models.js';

let db: Database;
beforeAll(async () => {
  db = await memoryDb();
});
afterAll(async () => {
  await db?.close();
});

/** Runs scripted root replies; returns the summary, the model requests served and the run's calls. */
async function run(root: string[], options: Partial<RuntimeOptions> = {}, sub: string[] = ['sub says hi']) {
  const server = await scriptedServer(root, sub);
  const runtime = await createRuntime({ db, ...server.models, spoolDir: '/tmp/accrete-test-spool', library: false, ...options });
  try {
    const summary = await runtime.run({ query: 'q', context: 'abc' });
    const calls = await db.query<{ kind: string; status: string; request_messages: { role: string; content: string }[]; error: string | null }>(
      'select kind, status, request_messages, error from llm_calls where run_id = $1 order by seq',
      [summary.runId],
    );
    const steps = await db.query<{ output: string; error: string | null }>('select output, error from steps where run_id = $1 order by idx', [summary.runId]);
    return { summary, requests: server.requests(), calls, steps };
  } finally {
    await runtime.close();
    await server.close();
  }
}

/** What the root model was told after its first step (the feedback message of the second root call). */
function feedbackSeen(calls: { kind: string; request_messages: { role: string; content: string }[] }[]): string {
  const second = calls.filter((c) => c.kind === 'root')[1];
  return second.request_messages[second.request_messages.length - 1].content;
}

const FORGE = (items: string) => `const items = ${items};\nitems.map = function () { return items; };\n`;

describe('host-call arguments are checked on the host', () => {
  it('a forged llmBatch item (map overridden, context with a fake length) cannot bypass the sub-prompt limit', async () => {
    const { summary, calls } = await run([
      js(`${FORGE(`[{ query: 'z'.repeat(500000), context: { length: -1e12 } }]`)}await llmBatch(items)`),
      js('FINAL("gave up")'),
    ]);
    expect(summary.status).toBe('succeeded');
    // No sub-call reached the model: the one logged was rejected for its size.
    expect(calls.filter((c) => c.kind === 'sub').map((c) => c.status)).toEqual(['rejected']);
    expect(feedbackSeen(calls)).toMatch(/llmBatch: item 0 failed: .*over the limit of 400,000/);
  });

  it('a forged context object is sent as its JSON text, never as [object Object]', async () => {
    const { calls, steps } = await run([js(`${FORGE(`[{ query: 'what is a?', context: { a: 1 } }]`)}print(await llmBatch(items))`), js('FINAL("done")')]);
    const sub = calls.filter((c) => c.kind === 'sub');
    expect(sub.map((c) => c.status)).toEqual(['ok']);
    const sent = JSON.stringify(sub[0].request_messages);
    expect(sent).not.toContain('[object Object]');
    expect(sent).toContain('{\\"a\\":1}');
    expect(steps[0].output).toContain('sub says hi');
  });

  it('a forged query that is not a string, or a batch that is not an array, is an error the model sees; nothing is sent', async () => {
    const { calls, requests } = await run([
      js(`${FORGE(`[{ query: 42 }]`)}try { await llmBatch(items) } catch (e) { print('A: ' + e.message) }\nconst other = [{ query: 'q' }];\nother.map = () => 'xy';\ntry { await llmBatch(other) } catch (e) { print('B: ' + e.message) }`),
      js('FINAL("done")'),
    ]);
    expect(calls.filter((c) => c.kind === 'sub')).toEqual([]);
    expect(requests).toBe(2); // the two root calls only
    const seen = feedbackSeen(calls);
    expect(seen).toContain('A: llmBatch: item 0: query must be a string (got number)');
    expect(seen).toContain('B: llmBatch(items): items must be an array of {query, context} (got string)');
  });
});

describe('the answer is capped (maxAnswerChars)', () => {
  it("FINAL('y'.repeat(250e6)) fails in the sandbox with an error the model sees first; the run goes on", async () => {
    const { summary, calls, steps } = await run([js(`FINAL('y'.repeat(250e6))`), js('FINAL("short")')]);
    expect(summary).toMatchObject({ status: 'succeeded', answer: 'short' });
    expect(steps[0].error).toMatch(/FINAL: the answer is 250,000,000 characters, over the limit of 4,000,000 \(the maxAnswerChars budget\)/);
    expect(feedbackSeen(calls)).toMatch(/over the limit of 4,000,000/);
  });

  it('the limit is a budget: configurable, and FINAL_VAR is held to it too', async () => {
    const { summary, steps } = await run([js(`const big = 'x'.repeat(2000);\nFINAL_VAR('big')`), js(`FINAL('x'.repeat(1000))`)], { budgets: { maxAnswerChars: 1000 } });
    expect(summary).toMatchObject({ status: 'succeeded', answer: 'x'.repeat(1000) });
    expect(steps[0].error).toMatch(/the answer is 2,000 characters, over the limit of 1,000/);
  });
});
