/**
 * Logs of the official RLM (alexzhang13/rlm's RLMLogger JSONL) imported as runs, steps, programs,
 * model calls and sub-runs; shown by `accrete show`; skipped by the miner as another language.
 * Fixtures: test/trace/fixtures/rlm_*.jsonl, written in the logger's format (a metadata line, then
 * one line per iteration; the second file holds two completions of one reused logger).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minePass } from '../../miner/cluster/pass.js';
import { analyzeProgram } from '../../miner/front/parse.js';
import { uuidFromText } from '../../src/contracts/hash.js';
import type { Database } from '../../src/db/connection.js';
import { importLines } from '../../src/trace/interchange.js';
import { runMain as cli } from '../helpers/cli.js';
import { memoryDb, seedDbDir } from '../helpers/db.js';
import { receiver } from '../helpers/otlp-receiver.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const ONE = join(FIXTURES, 'rlm_2026-11-20_14-02-11_3f9a1c2e.jsonl');
const TWO = join(FIXTURES, 'rlm_2026-11-20_15-10-00_77b0e4d1.jsonl');
const linesOf = (file: string) => readFileSync(file, 'utf8').split('\n');

interface RunRow {
  id: string;
  parent_run_id: string | null;
  depth: number;
  source: string;
  query: string;
  status: string;
  answer: string | null;
  error: string | null;
  iterations: number;
  llm_calls: number;
  gen_ai_request_model: string;
  context_sha256: string | null;
  metadata: { language: string; format: string; original: { file: string; completion: number }; parentProgramId?: string };
  started_at: Date;
  ended_at: Date;
}

let db: Database;
beforeAll(async () => {
  db = await memoryDb();
});
afterAll(async () => {
  await db?.close();
});

describe('official RLM logs', () => {
  it('a completion becomes a run: iterations are steps with their root-model call, code blocks programs, rlm_calls sub-calls, a recursive call with its trajectory a sub-run', async () => {
    const report = await importLines(db, linesOf(ONE), { fileName: ONE });
    expect(report).toMatchObject({ format: 'rlm', lines: 4, imported: 1, skipped: 0, conflicts: [], errors: [] });
    const runs = await db.query<RunRow>('select * from runs order by depth');
    expect(runs).toHaveLength(2);
    const [root, sub] = runs;
    expect(root).toMatchObject({
      depth: 0,
      source: 'import',
      query: 'How many tickets ask for a refund?',
      status: 'succeeded',
      answer: '2 tickets ask for a refund: order 1182 and a damaged parcel',
      iterations: 3,
      gen_ai_request_model: 'gpt-5-mini',
    });
    expect(root.metadata).toMatchObject({ format: 'rlm', language: 'python', original: { file: 'rlm_2026-11-20_14-02-11_3f9a1c2e.jsonl', completion: 0 } });
    // 3 root-model calls, 4 llm_query_batched calls, and the sub-run's one root-model call
    expect(root.llm_calls).toBe(8);
    // the recorded times: the first iteration was logged at 14:02:14.517 after 3.31 s
    expect(new Date(root.started_at).toISOString()).toBe('2026-11-20T14:02:11.207Z');
    expect(new Date(root.ended_at).toISOString()).toBe('2026-11-20T14:02:26.004Z');
    const [context] = await db.query<{ kind: string; content: string }>('select kind, content from contexts where sha256 = $1', [root.context_sha256]);
    expect(context.kind).toBe('text');
    expect(context.content).toMatch(/^ticket 1: refund requested/);

    const steps = await db.query<{ idx: number; output: string; duration_ms: number }>('select idx, output, duration_ms from steps where run_id = $1 order by idx', [root.id]);
    expect(steps.map((s) => [s.idx, s.output.trim(), s.duration_ms])).toEqual([
      [0, "4\n['ticket 1: refund requested for order 1182', 'ticket 2: password reset']", 3310],
      [1, '2', 5201],
      [2, '', 4770],
    ]);
    const programs = await db.query<{ id: string; step_idx: number; status: string; calls_model: boolean; llm_call_count: number; query: string; result: string | null }>(
      'select id, step_idx, status, calls_model, llm_call_count, query, result from programs where run_id = $1 order by step_idx',
      [root.id],
    );
    expect(programs.map((p) => [p.step_idx, p.status, p.calls_model, p.llm_call_count])).toEqual([
      [0, 'ok', false, 0],
      [1, 'ok', true, 4],
      [2, 'final', true, 1],
    ]);
    expect(programs.every((p) => p.query === root.query)).toBe(true);
    const calls = await db.query<{ kind: string; gen_ai_request_model: string; program_id: string | null; gen_ai_usage_input_tokens: number; response: string; request_messages: { role: string }[] }>(
      'select kind, gen_ai_request_model, program_id, gen_ai_usage_input_tokens, response, request_messages from llm_calls where run_id = $1 order by seq',
      [root.id],
    );
    expect(calls.map((c) => c.kind)).toEqual(['root', 'root', 'sub', 'sub', 'sub', 'sub', 'root']);
    expect(calls[0].request_messages[0].role).toBe('system');
    const subs = calls.filter((c) => c.kind === 'sub');
    expect(subs.map((c) => c.response)).toEqual(['yes', 'no', 'yes', 'no']);
    expect(subs.every((c) => c.program_id === programs[1].id && c.gen_ai_request_model === 'gpt-5-nano')).toBe(true);
    expect(subs[0].gen_ai_usage_input_tokens).toBe(31);

    // the recursive rlm_query: a sub-run under the program that made it
    expect(sub).toMatchObject({ depth: 1, parent_run_id: root.id, status: 'succeeded', answer: 'order 1182 and a damaged parcel', iterations: 1 });
    expect(sub.query).toBe('ticket 1: refund requested for order 1182\nticket 3: refund for a damaged parcel');
    expect(sub.metadata).toMatchObject({ language: 'python', parentProgramId: programs[2].id });
  });

  it('a reused logger writes several completions to one file: each is a run; a run that never answers is failed, its erroring block kept', async () => {
    const report = await importLines(db, linesOf(TWO), { fileName: TWO });
    expect(report).toMatchObject({ format: 'rlm', imported: 2, errors: [] });
    const runs = await db.query<RunRow & { err: string | null }>("select * from runs where metadata->'original'->>'file' = $1 order by metadata->'original'->>'completion'", ['rlm_2026-11-20_15-10-00_77b0e4d1.jsonl']);
    expect(runs.map((r) => [r.status, r.answer, r.query])).toEqual([
      ['failed', null, 'What is the longest ticket?'],
      ['succeeded', 'ticket 1: refund requested for order 1182', 'What is the longest ticket?'],
    ]);
    expect(runs[0].error).toMatch(/without a final answer/);
    const [p] = await db.query<{ status: string; error: string }>('select status, error from programs where run_id = $1', [runs[0].id]);
    expect(p).toEqual({ status: 'error', error: "NameError: name 'lines' is not defined" });
  });

  it('importing a log again changes nothing; a line that is not the format is named with the formats accrete reads', async () => {
    const again = await importLines(db, linesOf(ONE), { fileName: ONE });
    expect(again).toMatchObject({ imported: 0, skipped: 1, conflicts: [], errors: [] });
    const junk = await importLines(db, ['{"kind": "something else"}']);
    expect(junk.errors[0].error).toMatch(/not a format accrete reads.*official RLM logger/);
    const broken = await importLines(db, [linesOf(ONE)[0], '{"type": "iteration", "iteration": 1, "code_blocks": [{"code": 7}]}'], { fileName: 'broken.jsonl' });
    expect(broken.imported).toBe(0);
    expect(broken.errors[0].error).toMatch(/code block 1: "code" must be a string/);
  });

  it('the miner skips the imported programs as another language, counted by reason, and the front end says why', async () => {
    const [program] = await db.query<{ run_id: string; code: string }>("select run_id, code from programs where code like '%llm_query_batched%'");
    const analysis = analyzeProgram({ runId: program.run_id, blocks: [{ stepIdx: 0, blockIdx: 0, code: program.code, status: 'ok' }], language: 'python' });
    expect(analysis).toMatchObject({ ok: false, reason: expect.stringMatching(/^another language: python/) });
    const report = await minePass(db);
    expect(report.parsed).toBe(0);
    expect(report.unparseableReasons).toEqual({ 'another language': 4 });
  });

  it('accrete import reads a directory of logs and accrete show draws the imported run with its sub-run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'accrete-rlm-'));
    try {
      const dbDir = join(dir, 'db');
      await seedDbDir(dbDir); // migrated already
      const imported = await cli(['import', FIXTURES, '--db', dbDir]);
      expect(imported.stderr).toBe('');
      expect(imported.code).toBe(0);
      expect(imported.stdout).toMatch(/rlm_2026-11-20_14-02-11_3f9a1c2e\.jsonl \(official RLM log, python\): imported 1 runs/);
      expect(imported.stdout).toMatch(/77b0e4d1\.jsonl \(official RLM log, python\): imported 2 runs/);
      // run ids are derived from the file name and the completion's index
      const rootId = uuidFromText('rlm-log:rlm_2026-11-20_14-02-11_3f9a1c2e.jsonl#0');
      const shown = await cli(['show', rootId.slice(0, 8), '--db', dbDir]);
      expect(shown.code).toBe(0);
      expect(shown.stdout).toMatch(/query: How many tickets ask for a refund\?/);
      expect(shown.stdout).toMatch(/language: python \(imported from rlm_2026-11-20_14-02-11_3f9a1c2e\.jsonl\)/);
      expect(shown.stdout).toMatch(/llm_query_batched/);
      expect(shown.stdout).toMatch(/llm \[ok\] Does this ticket ask for a refund\?/);
      expect(shown.stdout).toMatch(/sub-run, depth 1/);
      expect(shown.stdout).toMatch(/answer: 2 tickets ask for a refund/);

      // and they go to an OpenTelemetry collector like any run
      const collector = await receiver();
      try {
        const sent = await cli(['export', '--otlp', '--endpoint', collector.url, '--db', dbDir, '--json']);
        expect(sent.code).toBe(0);
        const report = JSON.parse(sent.stdout) as { runs: number; spans: number; sent: number; failed: number };
        expect(report).toMatchObject({ runs: 3, failed: 0 });
        expect(report.sent).toBe(report.spans);
        const body = Buffer.concat(collector.received.map((r) => r.body));
        expect(body.includes(Buffer.from(rootId.replace(/-/g, ''), 'hex'))).toBe(true);
        expect(body.includes(Buffer.from('llm_query_batched'))).toBe(true);
      } finally {
        await collector.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

