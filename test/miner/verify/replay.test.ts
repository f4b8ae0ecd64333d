/**
 * The pieces of verify: the type check, the sandbox script, replay of a hand-made logged run in the
 * real sandbox (reproduced, a sub-call not in the log, a different answer, unverifiable), call
 * sequence comparison, and the edge-case inputs.
 */
import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CandidateMember } from '../../../miner/generalize/types.js';
import { callStep, compileCandidate, type SandboxFunction } from '../../../miner/verify/compile.js';
import { edgeInputs, fakeAnswer, runEdgeCases } from '../../../miner/verify/edge-cases.js';
import { compareCalls, comparePrinted, NOT_IN_LOG, replayMember } from '../../../miner/verify/replay.js';
import { callKey, canonicalKey } from '../../../miner/verify/subcalls.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import type { Database } from '../../../src/db/connection.js';
import { buildSubCallMessages } from '../../../src/contracts/messages.js';
import { SandboxPool } from '../../../src/sandbox/repl.js';
import type { TraceRecord } from '../../../src/trace/records.js';
import { writeRecords } from '../../../src/trace/writer.js';
import { memoryDb } from '../../helpers/db.js';

const SOURCE = `/** Asks about every paragraph; returns the answers that are not NONE. */
export async function askParagraphs(context: string, question: string, opts: { separator?: string } = {}): Promise<string> {
  const parts: string[] = context.split(opts.separator ?? "\\n\\n").filter((p) => p.trim());
  const replies = await llmBatch(parts.map((p) => ({ query: question, context: p })));
  const kept = replies.filter((r) => r !== "NONE");
  if (kept.length > 1) kept.push(await llm("Which of these is best?", kept.join("\\n")));
  return kept.join(" | ");
}
`;

describe('the type check', () => {
  it('accepts a function that uses the primitives, under strict with lib es2022', () => {
    expect(typeCheck(SOURCE)).toEqual({ ok: true });
    expect(typeCheck('export async function f(context: string): Promise<string> {\n  print(context.at(-1));\n  return (await rlm("q", { a: 1 })).replaceAll("a", "b");\n}\n')).toEqual({ ok: true });
  });

  it('rejects with the diagnostics: undeclared names, wrong types, implicit any, node APIs', () => {
    const r = typeCheck('export async function f(context: string, n): Promise<string> {\n  const x: number = await llm(context);\n  return lib.g(process.env.X, require("fs"));\n}\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^1:42 TS7006 Parameter 'n' implicitly has an 'any' type/),
        expect.stringMatching(/^2:9 TS2322 Type 'string' is not assignable to type 'number'/),
        expect.stringMatching(/TS2304 Cannot find name 'lib'/),
        expect.stringMatching(/TS2(304|580|591) Cannot find name 'process'/),
        expect.stringMatching(/TS2(304|580|591) Cannot find name 'require'/),
      ]),
    );
  });
});

/** A candidate compiled by the library's compiler, as runs load it; the test fails when it does not compile. */
function compiled(name: string, source: string): SandboxFunction {
  const r = compileCandidate(name, source);
  if (!r.ok) throw new Error(r.error);
  return r.fn;
}

describe('the sandbox script', () => {
  it('is the library source runs load (types and export erased), and a step that calls lib.<name> and ends with FINAL', () => {
    const fn = compiled('askParagraphs', SOURCE);
    expect(fn.librarySource).toMatch(/\/\*\* Asks about every paragraph; returns the answers that are not NONE\. \*\/\nasync function askParagraphs\(context, question, opts = \{\}\) \{/);
    expect(fn.librarySource).toContain('lib["askParagraphs"] = __accrete_wrap("askParagraphs"');
    expect(fn.librarySource).not.toMatch(/export|: string/);
    expect(callStep('askParagraphs', ['Q?', { separator: '\n' }])).toBe(`FINAL(await lib.askParagraphs(context, "Q?", {"separator":"\\n"}));\n`);
  });
  it('refuses what the library loader would refuse', () => {
    expect(compileCandidate('askParagraphs', 'import x from "y";\nexport async function askParagraphs(context: string) { return x; }\n')).toMatchObject({ ok: false, error: expect.stringMatching(/must not import anything/) });
  });
});

describe('comparing sub-calls with the log', () => {
  const rec = (calls: string[], subRuns: string[] = []) => ({ responses: new Map<string, string>(), calls, subRuns });
  it('accepts the logged sequence, and cache hits logged late', () => {
    expect(compareCalls(['a', 'b', 'c'], rec(['a', 'b', 'c']))).toBeUndefined();
    // the second "a" was a cache hit: logged when its answer arrived, after "b"
    expect(compareCalls(['a', 'a', 'b'], rec(['a', 'b', 'a']))).toBeUndefined();
    expect(compareCalls(['a', 'r', 'b'], rec(['a', 'b'], ['r']))).toBeUndefined();
  });
  it('refuses other calls, other counts, another order', () => {
    expect(compareCalls(['a', 'b'], rec(['a', 'b', 'c']))).toBe('different sub-calls: 2 made, 3 logged');
    expect(compareCalls(['b', 'a'], rec(['a', 'b']))).toBe('the same number of sub-calls in a different order');
    expect(compareCalls(['a'], rec(['a'], ['r']))).toBe('different rlm() sub-runs: 0 made, 1 logged');
  });
  it('keys calls as ReplayFixture does; a call without a context matches either spelling of none', () => {
    expect(callKey('q', 'c')).toBe(createHash('sha256').update(JSON.stringify(['q', 'c'])).digest('hex'));
    expect(callKey('q', undefined)).toBe(callKey('q', null));
    expect(callKey('q', '')).not.toBe(callKey('q', null));
    expect(canonicalKey('q', '')).toBe(canonicalKey('q', null));
  });
});

describe('replaying a logged run in the sandbox', () => {
  let db: Database;
  let pool: SandboxPool;
  const CONTEXT = 'Alpha paragraph.\n\nBeta paragraph.\n\nGamma paragraph.';
  const sha = createHash('sha256').update(CONTEXT).digest('hex');
  const fn = compiled('askParagraphs', SOURCE);

  /** A run as the runtime logs it: its input, and its sub-calls in order. */
  async function loggedRun(calls: [string, string | undefined, string][], answer: string, withContext = true): Promise<CandidateMember> {
    const id = randomUUID();
    const now = new Date();
    const records: TraceRecord[] = [];
    if (withContext) records.push({ table: 'contexts', row: { sha256: sha, kind: 'text', sizeBytes: CONTEXT.length, content: CONTEXT, encoding: 'utf8' } });
    records.push({ table: 'runs', row: { id, rootRunId: id, query: 'q', status: 'succeeded', answer, contextSha256: withContext ? sha : null, startedAt: now } });
    records.push({ table: 'llm_calls', row: { id: randomUUID(), runId: id, seq: 0, kind: 'root', provider: 'p', requestModel: 'm', requestMessages: [], requestHash: 'h', status: 'ok', response: '```js\n...\n```' } });
    calls.forEach(([query, ctx, response], i) => {
      records.push({ table: 'llm_calls', row: { id: randomUUID(), runId: id, seq: i + 1, kind: 'sub', provider: 'p', requestModel: 'm', requestMessages: buildSubCallMessages(query, ctx), requestHash: 'h', status: 'ok', response } });
    });
    await writeRecords(db.db, records);
    return { runId: id, query: 'q', answer, source: 'runtime', contextSha256: withContext ? sha : null, code: '', args: ['What is named?'], structuralDiff: 0, unaligned: 0 };
  }

  beforeAll(async () => {
    db = await memoryDb();
    pool = new SandboxPool(1);
  });
  afterAll(async () => {
    await pool?.close();
    await db?.close();
  });

  const Q = 'What is named?';
  const ALL: [string, string | undefined, string][] = [
    [Q, 'Alpha paragraph.', 'alpha'],
    [Q, 'Beta paragraph.', 'NONE'],
    [Q, 'Gamma paragraph.', 'gamma'],
    ['Which of these is best?', 'alpha\ngamma', 'gamma'],
  ];

  it('reproduces a run: same answer, same sub-calls; the fixture holds what the replay used', async () => {
    const m = await loggedRun(ALL, 'alpha | gamma | gamma');
    const r = await replayMember(db, pool, fn, m, 30_000);
    expect(r).toMatchObject({ runId: m.runId, reproduced: true, calls: 4 });
    expect(r.fixture?.args).toEqual([CONTEXT, 'What is named?']);
    expect(r.fixture?.calls).toEqual(ALL.map(([q, c]) => callKey(q, c)));
    expect(r.fixture?.responses).toEqual(Object.fromEntries(ALL.map(([q, c, response]) => [callKey(q, c), response])));
    expect(r.fixture?.answer).toBe('alpha | gamma | gamma');
  });

  it('fails on a request the log does not hold', async () => {
    const m = await loggedRun(ALL.slice(0, 3), 'alpha | gamma | gamma');
    const r = await replayMember(db, pool, fn, m, 30_000);
    expect(r.reproduced).toBe(false);
    // which sub-call, and the nearest recorded call with what differed
    expect(r.reason).toMatch(new RegExp(`^${NOT_IN_LOG}: sub-call #4 \\(llm\\) "Which of these is best\\?" over 11 characters: no recorded call fits; the nearest \\(#\\d of 3\\) differs in the instruction`));
  });

  it('fails on a different answer, and on different arguments', async () => {
    const m = await loggedRun(ALL, 'alpha | gamma');
    expect((await replayMember(db, pool, fn, m, 30_000)).reason).toBe(
      'a different answer after 4 sub-calls: 21 characters where the log has 13; first difference at character 13: "alpha | gamma | gamma" where the log has "alpha | gamma" (the function answered "alpha | gamma | gamma", the run "alpha | gamma")',
    );
    const other = await loggedRun(ALL, 'alpha | gamma | gamma');
    const r = await replayMember(db, pool, fn, { ...other, args: ['What is named?', { separator: '.' }] }, 30_000);
    expect(r.reason).toMatch(/^sub-call not in the log: sub-call #1 \(llm\) "What is named\?" over 15 characters: no recorded call over this chunk; the nearest with the same instruction \(#1 of 4\) differs in the chunk: 15 characters where the log has 16; first difference at character 15: /);
  });

  it('counts a run without recorded sub-calls or input as unverifiable', async () => {
    const noInput = await loggedRun(ALL, 'x', false);
    expect(await replayMember(db, pool, fn, noInput, 30_000)).toEqual({ runId: noInput.runId, calls: 0, reproduced: false, unverifiable: true, reason: "unverifiable: the run's input is not stored (imported log)" });
    const id = randomUUID();
    await writeRecords(db.db, [{ table: 'runs', row: { id, rootRunId: id, query: 'q', status: 'succeeded', answer: 'x', contextSha256: sha, source: 'import', startedAt: new Date() } }]);
    const noCalls = { ...noInput, runId: id, contextSha256: sha };
    expect(await replayMember(db, pool, fn, noCalls, 30_000)).toMatchObject({ reproduced: false, unverifiable: true, reason: 'unverifiable: the run has no recorded sub-calls (imported log)' });
  });

  it('runs the edge cases against a deterministic fake: they must return a string, a throw fails them', async () => {
    const ok = await runEdgeCases(pool, fn, ['What?'], { type: 'string', text: CONTEXT }, 30_000);
    expect(ok.map((e) => [e.name, e.passed])).toEqual([
      ['empty', true],
      ['single-chunk', true],
      ['multibyte', true],
    ]);
    const fragile = compiled('firstWord', 'export async function firstWord(context: string): Promise<string> {\n  const w = context.match(/\\w+/)![0];\n  return (await llm("Define " + w + " as JSON.")).toUpperCase();\n}\n');
    const bad = await runEdgeCases(pool, fragile, [], { type: 'string', text: 'hello world' }, 30_000);
    expect(bad.find((e) => e.name === 'empty')).toMatchObject({ passed: false, reason: expect.stringMatching(/^threw: TypeError/) });
    expect(bad.find((e) => e.name === 'single-chunk')).toMatchObject({ passed: true, answer: '{}', calls: 1 });
  });
});

describe('edge-case inputs', () => {
  it('sizes the single chunk below the smallest size argument and the multibyte text above the largest', () => {
    const sample = Array.from({ length: 50 }, (_, i) => `line ${i} of the sample`).join('\n');
    const [empty, single, multi] = edgeInputs(sample, ['prompt', 3000, { chunkSize: 120 }]);
    expect(empty).toEqual({ name: 'empty', input: '' });
    expect(single.input.length).toBeLessThanOrEqual(60);
    expect(sample.startsWith(single.input)).toBe(true);
    expect(multi.input.length).toBeGreaterThanOrEqual(7_500);
    expect(multi.input).toMatch(/^[€😀 \n]+$/u);
    // fixed-size chunks of common sizes cut emoji in half
    const cuts = [1000, 2000, 4000, 5200, 6000].filter((n) => /[\uD800-\uDBFF]/.test(multi.input[n - 1]));
    expect(cuts.length).toBeGreaterThan(0);
  });

  it('the fake sub-model answers by what the query asks for', () => {
    expect(fakeAnswer('Reply with a JSON array of names.')).toBe('[]');
    expect(fakeAnswer('Answer as JSON mapping category to count.')).toBe('{}');
    expect(fakeAnswer('Summarize.')).toBe('NONE');
  });
});

describe('a function that returns the lines the model read', () => {
  it('is compared with what the step printed: every returned line is in it, peeks aside', () => {
    const output = { text: 'string 9000 chars\nTessaly 1 mentions:\n   Project Tessaly uses the code 2370-WA.', truncated: false };
    expect(comparePrinted('Tessaly 1 mentions:\n  Project Tessaly uses the code 2370-WA.', output)).toEqual({});
    expect(comparePrinted('Umber 0 mentions:', output).problem).toMatch(/^1 of 1 returned lines are not in the step's logged output/);
    expect(comparePrinted('', output).problem).toMatch(/no lines/);
  });

  it('tolerates lines missing from an output the log cut, when some line was found', () => {
    const cut = { text: 'Tessaly 1 mentions:\n… [truncated] …', truncated: true };
    const r = comparePrinted('Tessaly 1 mentions:\nUmber 1 mentions:', cut);
    expect(r.problem).toBeUndefined();
    expect(r.note).toMatch(/which the log cut/);
  });
});
