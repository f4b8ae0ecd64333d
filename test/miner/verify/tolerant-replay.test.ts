/**
 * Replay that copes with members written in their own words: sub-calls matched up to whitespace and
 * by the varying parts of the prompt (the chunk, a parameter's wording), precise reasons when
 * nothing fits, a run stopped at its own final check, the opt-in live check against the local
 * OpenAI-compatible test server (through the real openai client, logged under a 'verify' run), and
 * the verification outcome kept per cluster and rendered for `accrete clusters show`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandidateMember } from '../../../miner/generalize/types.js';
import { compileCandidate, type SandboxFunction } from '../../../miner/verify/compile.js';
import { LiveBudget } from '../../../miner/verify/live.js';
import { CallMatcher, firstDifference, normalizeText, wordSimilarity } from '../../../miner/verify/match.js';
import { lastVerification, parseVerification, recordVerification, renderVerification } from '../../../miner/verify/outcome.js';
import { NOT_IN_LOG, replayMember } from '../../../miner/verify/replay.js';
import { canonicalKey, type RecordedCall } from '../../../miner/verify/subcalls.js';
import type { Database } from '../../../src/db/connection.js';
import { buildSubCallMessages } from '../../../src/contracts/messages.js';
import { resolveModel } from '../../../src/models/resolve.js';
import { SandboxPool } from '../../../src/sandbox/repl.js';
import type { TraceRecord } from '../../../src/trace/records.js';
import { writeRecords } from '../../../src/trace/writer.js';
import { memoryDb } from '../../helpers/db.js';
import { scriptedServer, type ScriptedServer } from '../../helpers/models.js';

const rec = (calls: [string, string | null, string][]): RecordedCall[] =>
  calls.map(([query, context, response], index) => ({ index, kind: 'llm', query, context, response, key: canonicalKey(query, context) }));

describe('matching a replayed sub-call to the recorded ones', () => {
  const Q = 'Summarize this part of the report in a few sentences.';
  const calls = rec([
    [Q, 'Section one.\n\nFigures: 12.', 'one'],
    [Q, 'Section two.', 'two'],
    ['Which summary is best?', 'one\ntwo', 'best'],
  ]);

  it('matches exactly, then up to whitespace, and says what differed', () => {
    const m = new CallMatcher(calls);
    expect(m.match('llm', Q, 'Section two.')).toMatchObject({ tier: 'exact', call: { response: 'two' } });
    const ws = m.match('llm', Q, 'Section one.\n\nFigures: 12.\n\n\n');
    expect(ws).toMatchObject({ tier: 'whitespace', call: { response: 'one' } });
    expect(ws.call && 'difference' in ws ? ws.difference : '').toMatch(/^differs only in whitespace or quotes in the context: 29 characters where the log has 26; first difference at character 26/);
  });

  it('matches the same chunk asked in other words (a parameter), the closest instruction first', () => {
    const m = new CallMatcher(calls);
    const r = m.match('llm', 'Summarize this section of the report in 2-4 sentences.', 'Section two.');
    expect(r).toMatchObject({ tier: 'varying-parts', call: { response: 'two' } });
    // the same chunk with an unrelated question is not the same call
    const other = m.match('llm', 'Translate into French.', 'Section two.');
    expect(other.call).toBeUndefined();
    expect('reason' in other ? other.reason : '').toMatch(/the log has this chunk only with another instruction \(#2, word overlap < 0\.5\)/);
  });

  it('finds the chunk inside queries that paste it in, against the template the member used', () => {
    const m = new CallMatcher(
      rec([
        ['Classify this ticket: "My parcel never arrived at all". Reply with one label.', null, 'shipping'],
        ['Classify this ticket: "I was charged twice this month". Reply with one label.', null, 'billing'],
      ]),
    );
    expect(m.match('llm', 'Classify the ticket: "I was charged twice this month". Reply with one label only.', undefined)).toMatchObject({ tier: 'varying-parts', call: { response: 'billing' } });
    expect(m.match('llm', 'Classify this ticket: "Where is my refund for order 7?". Reply with one label.', undefined).call).toBeUndefined();
  });

  it('gives a call asked again the next logged answer, then the last one', () => {
    const m = new CallMatcher(rec([['Vote: yes or no?', 'ctx', 'yes'], ['Vote: yes or no?', 'ctx', 'no']]));
    expect([1, 2, 3].map(() => m.match('llm', 'Vote: yes or no?', 'ctx').call?.response)).toEqual(['yes', 'no', 'no']);
    expect(m.unused()).toEqual([]);
  });

  it('says when no call of that kind was logged, and reports the calls never used', () => {
    const m = new CallMatcher(calls);
    expect(m.match('rlm', Q, 'Section two.')).toEqual({ reason: 'the run logged no rlm() sub-runs' });
    m.match('llm', Q, 'Section two.');
    expect(m.unused().map((c) => c.index)).toEqual([0, 2]);
  });

  it('normalizes and compares texts the way the reasons describe them', () => {
    expect(normalizeText(' a\r\n\tb “c” ‘d’ ')).toBe('a b "c" \'d\'');
    expect(wordSimilarity('the cat sat', 'the cat ran')).toBe(0.5);
    expect(firstDifference('abcdef', 'abcxef')).toBe('6 characters each; first difference at character 3: "abcdef" where the log has "abcxef"');
  });
});

const CONTEXT = '## North\n\nSales rose 12%.\n\n## South\n\nSales fell 3%.\n';
const sha = createHash('sha256').update(CONTEXT).digest('hex');

/** Summarizes each "## " section with a given instruction; joins "title: summary" lines. */
const SUMMARIZE = `/** Summarizes every section. */
export async function summarizeSections(context: string, instruction: string): Promise<string> {
  const sections: string[] = context.split(/^(?=## )/m).filter((s) => s.startsWith("## "));
  const sums = await llmBatch(sections.map((s) => ({ query: instruction, context: s + "\\n" })));
  return sections.map((s, i) => s.split("\\n")[0].slice(3) + ": " + sums[i].trim()).join("\\n");
}
`;

/** Asks per section, then checks every answer has a figure; throws like a generated function whose program's own check failed. */
const CHECKED = `/** Extracts a figure per section; the program's own check. */
export async function figuresPerSection(context: string): Promise<string> {
  const sections: string[] = context.split(/^(?=## )/m).filter((s) => s.startsWith("## "));
  const figs = await llmBatch(sections.map((s) => ({ query: "Give the figure.", context: s })));
  if (figs.every((f) => /\\d/.test(f))) {
    return figs.join(", ");
  }
  throw new Error("figuresPerSection: the program ended without an answer");
}
`;

function compiled(name: string, source: string): SandboxFunction {
  const r = compileCandidate(name, source);
  if (!r.ok) throw new Error(r.error);
  return r.fn;
}

describe('replaying members written in their own words', () => {
  let db: Database;
  let pool: SandboxPool;
  let server: ScriptedServer | undefined;
  const summarize = compiled('summarizeSections', SUMMARIZE);
  const checked = compiled('figuresPerSection', CHECKED);

  async function loggedRun(calls: [string, string | undefined, string][], answer: string, args: unknown[]): Promise<CandidateMember> {
    const id = randomUUID();
    const records: TraceRecord[] = [
      { table: 'contexts', row: { sha256: sha, kind: 'text', sizeBytes: CONTEXT.length, content: CONTEXT, encoding: 'utf8' } },
      { table: 'runs', row: { id, rootRunId: id, query: 'q', status: 'succeeded', answer, contextSha256: sha, startedAt: new Date() } },
      { table: 'llm_calls', row: { id: randomUUID(), runId: id, seq: 0, kind: 'root', provider: 'p', requestModel: 'm', requestMessages: [], requestHash: 'h', status: 'ok', response: '```js\n...\n```' } },
    ];
    calls.forEach(([query, ctx, response], i) => {
      records.push({ table: 'llm_calls', row: { id: randomUUID(), runId: id, seq: i + 1, kind: 'sub', provider: 'p', requestModel: 'm', requestMessages: buildSubCallMessages(query, ctx), requestHash: 'h', status: 'ok', response } });
    });
    await writeRecords(db.db, records);
    return { runId: id, query: 'q', answer, source: 'runtime', contextSha256: sha, code: '', args, structuralDiff: 0, unaligned: 0 };
  }

  beforeAll(async () => {
    db = await memoryDb();
    pool = new SandboxPool(1);
  });
  afterAll(async () => {
    await server?.close();
    await pool?.close();
    await db?.close();
  });

  const NORTH = '## North\n\nSales rose 12%.\n\n';
  const SOUTH = '## South\n\nSales fell 3%.\n';

  it('reproduces a member whose chunks differ in whitespace and whose instruction differs in wording, with notes', async () => {
    const m = await loggedRun(
      [
        ['Summarize this section in two sentences.', NORTH.trimEnd(), ' North grew. '],
        ['Summarize this section in two sentences.', SOUTH, 'South shrank.'],
      ],
      'North: North grew.\nSouth: South shrank.',
      ['Summarize this section in brief.'],
    );
    const r = await replayMember(db, pool, summarize, m, 30_000);
    expect(r).toMatchObject({ reproduced: true, calls: 2, match: { exact: 0, whitespace: 0, varyingParts: 2, live: 0 } });
    expect(r.notes?.[0]).toMatch(/^sub-call #1 the same chunk with another instruction \(word overlap 0\.\d\d\)/);
    expect(r.fixture?.answer).toBe('North: North grew.\nSouth: South shrank.');
  });

  it('names the sub-call, the nearest recorded call and what differed when nothing fits', async () => {
    const m = await loggedRun([['Summarize this section in brief.', 'Sales rose 12%.', 'North grew.']], 'x', ['Summarize this section in brief.']);
    const r = await replayMember(db, pool, summarize, m, 30_000);
    expect(r.reproduced).toBe(false);
    expect(r.reason).toMatch(
      new RegExp(`^${NOT_IN_LOG}: sub-call #1 \\(llm\\) "Summarize this section in brief\\." over 28 characters: no recorded call over this chunk; the nearest with the same instruction \\(#1 of 1\\) differs in the chunk: 28 characters where the log has 15; first difference at character 0`),
    );
  });

  it('says which logged sub-calls the function does not make when the answer differs (a repair in later steps)', async () => {
    const m = await loggedRun(
      [
        ['Summarize this section in brief.', `${NORTH}\n`, 'North grew.'],
        ['Summarize this section in brief.', `${SOUTH}\n`, 'South shrank.'],
        ['Check the summaries again.', 'North grew.', 'North grew 12%.'],
      ],
      'North: North grew 12%.\nSouth: South shrank.',
      ['Summarize this section in brief.'],
    );
    const r = await replayMember(db, pool, summarize, m, 30_000);
    expect(r.reproduced).toBe(false);
    expect(r.reason).toMatch(/^a different answer after 2 sub-calls: .*; the run made 1 logged sub-call the function does not make \(#3 "Check the summaries again\." over 11 characters\): a repair or a step outside the function\?$/);
  });

  it('counts a run stopped at its own final check as reproduced up to it, when the function makes the same calls and stops there too', async () => {
    const m = await loggedRun(
      [
        ['Give the figure.', NORTH, '12%'],
        ['Give the figure.', SOUTH, 'NONE'],
        ['Give the figure, as a number.', SOUTH, '3%'],
      ],
      '12%, 3%',
      [],
    );
    const r = await replayMember(db, pool, checked, m, 30_000);
    expect(r).toMatchObject({ reproduced: true, partial: 'own-check', calls: 2 });
    expect(r.fixture).toBeUndefined();
    expect(r.notes?.at(-1)).toMatch(/^stopped at the program's own final check after the same 2 sub-calls, as the run did; the run then repaired with 1 more sub-call in later steps/);
  });

  it('asks the configured model live where nothing recorded fits, within the budget, and logs the calls under a verify run', async () => {
    server = await scriptedServer([], ['South shrank.']);
    const model = resolveModel(server.models.subModel, 'sub', server.models.openai);
    const m = await loggedRun([['Summarize this section in brief.', NORTH, 'North grew.']], 'North: North grew.\nSouth: South shrank.', ['Summarize this section in brief.']);
    const budget = new LiveBudget({ model, budget: 1 });
    const r = await replayMember(db, pool, summarize, m, { timeoutMs: 30_000, live: budget, clusterId: 'c9' });
    expect(r).toMatchObject({ reproduced: true, match: { exact: 0, whitespace: 1, live: 1 } });
    expect(budget.used).toBe(1);
    expect(server.requests()).toBe(1);
    const runs = await db.query<{ id: string; query: string; status: string; llm_calls: number }>("select id, query, status, llm_calls from runs where source = 'verify'");
    expect(runs).toEqual([{ id: expect.any(String), query: `verify summarizeSections (cluster c9): live sub-calls replaying run ${m.runId}`, status: 'succeeded', llm_calls: 1 }]);
    const [call] = await db.query<{ kind: string; response: string; gen_ai_request_model: string }>('select kind, response, gen_ai_request_model from llm_calls where run_id = $1', [runs[0].id]);
    expect(call).toEqual({ kind: 'sub', response: 'South shrank.', gen_ai_request_model: 'test-sub' });
    // the budget is spent: the next member that needs a live call fails, and says so
    const again = await replayMember(db, pool, summarize, m, { timeoutMs: 30_000, live: budget, clusterId: 'c9' });
    expect(again.reason).toMatch(/\(the live-check budget is spent\)$/);
    expect(server.requests()).toBe(1);
  });

  it('keeps the last verification per cluster and renders it for clusters show', async () => {
    await db.query("insert into clusters (id, created_pass, updated_pass, size, support, success_rate, skeleton, members_hash) values ('c7', 1, 1, 2, 2, 1, 'FINAL', 'h')");
    const v = {
      at: '2026-01-01T00:00:00.000Z',
      status: 'rejected' as const,
      name: 'summarizeSections',
      coverage: 0.5,
      reason: 'coverage 50% < 80%: 1 of 2 members reproduced; run aaaaaaaa: a different answer',
      members: [
        { runId: 'aaaaaaaa-0000-0000-0000-000000000000', reproduced: false, reason: 'a different answer' },
        { runId: 'bbbbbbbb-0000-0000-0000-000000000000', reproduced: true, notes: ['sub-call #1 differs only in whitespace'] },
      ],
    };
    await recordVerification(db, 'c7', v);
    expect(await lastVerification(db, 'c7')).toEqual(v);
    expect(await lastVerification(db, 'nope')).toBeUndefined();
    expect(parseVerification({ status: 'rejected' })).toBeUndefined();
    expect(renderVerification(v)).toEqual([
      'last verification (2026-01-01T00:00:00.000Z): rejected (summarizeSections): coverage 50% < 80%: 1 of 2 members reproduced; run aaaaaaaa: a different answer',
      '  run aaaaaaaa-0000-0000-0000-000000000000: not reproduced: a different answer',
      '  run bbbbbbbb-0000-0000-0000-000000000000: reproduced',
      '    note: sub-call #1 differs only in whitespace',
    ]);
  });
});
