/** Sessions: turns that share the REPL and the history, linked in the log; compaction of older turns. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createRuntime, type RunEvent } from '../../src/index.js';
import { memoryDb } from '../helpers/db.js';
import { js, scriptedServer } from '../helpers/models.js';

let db: Database;
beforeAll(async () => {
  db = await memoryDb();
});
afterAll(async () => {
  await db?.close();
});

const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => db.query<T>(sql, params);
const rootRequests = (runId: string) =>
  q<{ kind: string; request_messages: { role: string; content: string }[]; response: string }>("select kind, request_messages, response from llm_calls where run_id = $1 and kind <> 'sub' order by seq", [runId]);

describe('runtime.session', () => {
  it('keeps the REPL variables and the history across turns; each turn is a run linked to the session', async () => {
    const server = await scriptedServer([js('const words = context.split(" ");\nFINAL(String(words.length))'), js('FINAL(words.map((w) => w.toUpperCase()).join(","))')]);
    const runtime = await createRuntime({ db, ...server.models, spoolDir: '/tmp/accrete-test-spool', library: false });
    try {
      const session = runtime.session({ context: 'alpha beta gamma' });
      const first = session.run('How many words?');
      // one turn at a time
      await expect(session.run('Too soon')).rejects.toThrow(/one query at a time/);
      const t1 = await first;
      const t2 = await session.run({ query: 'Upper-case them' });
      expect([t1.answer, t2.answer]).toEqual(['3', 'ALPHA,BETA,GAMMA']);
      expect(session.turns).toBe(2);
      const runs = await q<{ id: string; session_id: string; session_turn: number; query: string; context_sha256: string }>('select id, session_id, session_turn, query, context_sha256 from runs where session_id = $1 order by session_turn', [session.id]);
      expect(runs.map((r) => [r.id, r.session_turn, r.query])).toEqual([
        [t1.runId, 1, 'How many words?'],
        [t2.runId, 2, 'Upper-case them'],
      ]);
      expect(runs[0].context_sha256).toBe(runs[1].context_sha256);
      // the second turn's root model sees the first turn, then the new query
      const [call] = await rootRequests(t2.runId);
      const m = call.request_messages;
      expect(m.map((x) => x.role)).toEqual(['system', 'user', 'assistant', 'user', 'user']);
      expect(m[1].content).toContain('How many words?');
      expect(m[4].content).toContain('A new query about the same input');
      expect(m[4].content).toContain('<query>\nUpper-case them\n</query>');
      await session.close();
      await expect(session.run('After close')).rejects.toThrow(/is closed/);
    } finally {
      await runtime.close();
      await server.close();
    }
  });

  it('summarizes older turns with the root model past compactAtTokens, logged as a compaction step; the variables stay', async () => {
    const server = await scriptedServer([
      js('const words = context.split(" ");\nFINAL(String(words.length))'),
      'Turn 1: "How many words?" answered 3. `words` holds the 3 words of the input.',
      js('FINAL(words.join("+"))'),
    ]);
    const runtime = await createRuntime({ db, ...server.models, spoolDir: '/tmp/accrete-test-spool', library: false });
    try {
      const session = runtime.session({ context: 'alpha beta gamma', compactAtTokens: 200 });
      await session.run('How many words?');
      const events: RunEvent[] = [];
      const stream = session.stream('Join them with plus signs');
      for await (const e of stream) events.push(e);
      const t2 = await stream.result;
      expect(t2).toMatchObject({ status: 'succeeded', answer: 'alpha+beta+gamma' });
      const calls = await rootRequests(t2.runId);
      expect(calls.map((c) => c.kind)).toEqual(['compaction', 'root']);
      expect(calls[0].request_messages.at(-1)!.content).toMatch(/^The conversation is getting long\. Summarize it/);
      // the root call after it: the system prompt, then one message with the summary and the new query
      const after = calls[1].request_messages;
      expect(after.map((x) => x.role)).toEqual(['system', 'user']);
      expect(after[1].content).toContain('<summary of earlier turns>\nTurn 1: "How many words?" answered 3.');
      expect(after[1].content).toContain('<query>\nJoin them with plus signs\n</query>');
      expect(after[1].content).not.toContain('context.split');
      const steps = await q<{ idx: number; code_blocks: string[]; response: string }>('select idx, code_blocks, response from steps where run_id = $1 order by idx', [t2.runId]);
      expect(steps.map((s) => s.code_blocks.length)).toEqual([0, 1]);
      expect(steps[0].response).toContain('`words` holds the 3 words');
      const compaction = events.find((e): e is Extract<RunEvent, { type: 'compaction' }> => e.type === 'compaction');
      expect(compaction).toBeDefined();
      expect(compaction!.tokensAfter).toBeLessThan(compaction!.tokensBefore);
      await session.close();
    } finally {
      await runtime.close();
      await server.close();
    }
  });
});
