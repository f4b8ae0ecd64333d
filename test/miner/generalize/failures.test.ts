/**
 * A generalized function whose sub-call fails reports it, run in the real sandbox (src/sandbox) the
 * way runs load it, with the simulated leaf model (src/sim) answering its calls:
 *   - a leaf that answers wrongly at its error rate (NONE): the checked form retries, and lists the
 *     pieces still failing in `failures`, with their query and context;
 *   - a leaf whose calls fail (throw) where its error rate says so: the default form throws an
 *     error naming the function and the failed piece; the checked form keeps the other answers and
 *     lists the failed pieces (problem "the call failed: ...") in `failures`.
 * The host handlers behave as the runtime's (src/runtime/run.ts): a failed llmBatch item fails the
 * batch with "llmBatch: item N failed: ...".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import type { Candidate } from '../../../miner/generalize/types.js';
import { callStep, compileCandidate } from '../../../miner/verify/compile.js';
import { runStep } from '../../../miner/verify/sandbox-call.js';
import type { HostHandlers, LlmCallArgs } from '../../../src/sandbox/repl.js';
import { SandboxPool } from '../../../src/sandbox/repl.js';
import { SimLeafModel } from '../../../src/sim/leaf-model.js';
import { cluster, members } from './helpers.js';

const PARAGRAPHS = [
  'The harbour of Lisbon handled 12 ships in May. Trade grew after the new dock opened.',
  'Rivers in the north flooded twice this year. Farmers lost most of the barley crop.',
  'The council approved a new budget for schools. Teachers welcomed the decision.',
  'A storm closed the airport for two days. Flights resumed on Friday morning.',
  'The museum opened a new wing for modern art. Visitors queued for hours.',
  'Prices of bread rose by ten percent. Bakers blamed the cost of flour.',
];
const TEXT = PARAGRAPHS.join('\n\n');
const QUESTION = 'What is this paragraph about? Answer in a few words.';

const program = (question: string) =>
  `const parts = context.split("\\n\\n");\nconst notes = [];\nfor (const part of parts) {\n  notes.push(await llm(${JSON.stringify(question)}, part));\n}\nFINAL(notes.join("\\n"));`;

interface Piece {
  query: string;
  context: string;
  answer: string;
  retried: boolean;
  problem?: string;
}
interface CheckedAnswer {
  answer: string;
  pieces: Piece[];
  failures: Piece[];
}

/** Host handlers over a leaf: `fails` says which calls throw; llmBatch fails as the runtime's does. */
function leafHandlers(leaf: SimLeafModel, fails: (query: string, context: string) => boolean = () => false): HostHandlers {
  const ask = async ({ query, context }: LlmCallArgs): Promise<string> => {
    if (fails(query, context ?? '')) throw new Error('the model server answered 500 Internal Server Error');
    return leaf.answer(query, context ?? '');
  };
  return {
    llm: (args) => ask(args),
    rlm: (args) => ask(args),
    llmBatch: async ({ calls }) => {
      const settled = await Promise.allSettled(calls.map(ask));
      const failed = settled.findIndex((s) => s.status === 'rejected');
      if (failed >= 0) throw new Error(`llmBatch: item ${failed} failed: ${String((settled[failed] as PromiseRejectedResult).reason)}`);
      return settled.map((s) => (s as PromiseFulfilledResult<string>).value);
    },
  };
}

let pool: SandboxPool;
let candidate: Candidate;
let args: unknown[];

beforeAll(async () => {
  pool = new SandboxPool(1);
  const r = await generalizeMembers(cluster(), members([program(QUESTION), program('What is this section about? Answer in a few words.'), program('What is this passage about? Answer in a few words.')]));
  if (isRejected(r)) throw new Error(r.rejected);
  candidate = r;
  args = r.members[0].args;
});
afterAll(async () => {
  await pool?.close();
});

async function call(handlers: HostHandlers, checked: boolean): Promise<{ final?: string; error?: string }> {
  const compiled = compileCandidate(candidate.name, candidate.source);
  if (!compiled.ok) throw new Error(compiled.error);
  const callArgs = checked ? [...args, { checked: true }] : args;
  return runStep(pool, { context: TEXT, contextType: 'string', step: callStep(candidate.name, callArgs), librarySource: compiled.fn.librarySource, handlers, timeoutMs: 30_000 });
}

const reference = new SimLeafModel({ errorRate: 0 });
/** The simulated leaf at an error rate of one in two: which of its answers are wrong is fixed by the seed. */
const flaky = new SimLeafModel({ errorRate: 0.5, seed: 1 });

describe('a generalized function that hits a failed sub-call', () => {
  it('is checkable and batches its calls', () => {
    expect(candidate.params.some((p) => p.name === 'checked') || candidate.source.includes('checked?: boolean')).toBe(true);
    expect(candidate.source).toContain('model.llmBatch(');
  });

  it('checked: answers the leaf got wrong (NONE) are retried once, and those still wrong are listed in failures', async () => {
    const r = await call(leafHandlers(flaky), true);
    expect(r.error).toBeUndefined();
    const result = JSON.parse(r.final!) as CheckedAnswer;
    expect(result.pieces.map((p) => p.context)).toEqual(PARAGRAPHS);
    // What the leaf answered each piece first decides what was retried.
    for (const p of result.pieces) expect(p.retried).toBe(flaky.answer(p.query, p.context).trim() === 'NONE');
    expect(result.pieces.some((p) => p.retried && p.problem === undefined)).toBe(true);
    // Those still failing after the retry are reported, with their query and context, and nothing else is.
    expect(result.failures.length).toBeGreaterThan(0);
    expect(result.failures).toEqual(result.pieces.filter((p) => p.answer.trim() === 'NONE'));
    for (const f of result.failures) expect(f).toMatchObject({ query: QUESTION, retried: true, problem: 'answered NONE' });
    expect(result.answer.split('\n')).toEqual(result.pieces.map((p) => p.answer));
  });

  it('default: a call that fails throws an error naming the function and the failed piece', async () => {
    const fails = (q: string, ctx: string) => flaky.answer(q, ctx) !== reference.answer(q, ctx);
    const failing = PARAGRAPHS.findIndex((p) => fails(QUESTION, p));
    expect(failing).toBeGreaterThanOrEqual(0);
    const r = await call(leafHandlers(reference, fails), false);
    expect(r.final).toBeUndefined();
    // The context is named by its first 80 characters.
    const start = PARAGRAPHS[failing].length > 80 ? `${PARAGRAPHS[failing].slice(0, 80)}…` : PARAGRAPHS[failing];
    expect(r.error).toContain(`${candidate.name}: model call ${failing + 1} (query ${JSON.stringify(QUESTION)}, context ${JSON.stringify(start)}) failed: Error: the model server answered 500`);
    expect(r.error).toContain('the model server answered 500');
    expect(r.error).toContain('{ checked: true }');
  });

  it('checked: a call that fails is reported in failures; the other pieces keep their answers', async () => {
    const fails = (q: string, ctx: string) => flaky.answer(q, ctx) !== reference.answer(q, ctx);
    const r = await call(leafHandlers(reference, fails), true);
    expect(r.error).toBeUndefined();
    const result = JSON.parse(r.final!) as CheckedAnswer;
    const failed = PARAGRAPHS.filter((p) => fails(QUESTION, p));
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(PARAGRAPHS.length);
    expect(result.failures.map((f) => f.context)).toEqual(failed);
    for (const f of result.failures) expect(f).toMatchObject({ query: QUESTION, answer: '', retried: true, problem: expect.stringMatching(/^the call failed: .*the model server answered 500/) });
    for (const p of result.pieces.filter((x) => x.problem === undefined)) expect(p.answer).toBe(reference.answer(QUESTION, p.context));
    expect(result.pieces.map((p) => p.context)).toEqual(PARAGRAPHS);
  });

  it('default: a failing call of a sequential loop (a fold) is named too', async () => {
    const fold = (q: string) => `const parts = context.split("\\n\\n");\nlet summary = "";\nfor (const part of parts) {\n  summary = await llm(${JSON.stringify(q)} + " Earlier: " + summary, part);\n}\nFINAL(summary);`;
    const r = await generalizeMembers(cluster(), members([fold(QUESTION), fold('What is this section about? Answer in a few words.'), fold('What is this passage about? Answer in a few words.')]));
    if (isRejected(r)) throw new Error(r.rejected);
    expect(withoutDoc(r.source)).not.toContain('llmBatch(');
    const compiled = compileCandidate(r.name, r.source);
    if (!compiled.ok) throw new Error(compiled.error);
    // The third call fails.
    const fails = (_q: string, ctx: string) => ctx === PARAGRAPHS[2];
    const out = await runStep(pool, { context: TEXT, contextType: 'string', step: callStep(r.name, r.members[0].args), librarySource: compiled.fn.librarySource, handlers: leafHandlers(reference, fails), timeoutMs: 30_000 });
    expect(out.error).toMatch(new RegExp(`${r.name}: model call 3 \\(query "What is this paragraph about\\? Answer in a few words\\. Earlier: [^"]*", context "The council approved`));
  });

  it('with a leaf that does not fail: no failures, and the default form answers as the checked one does', async () => {
    const plain = await call(leafHandlers(reference), false);
    const checked = JSON.parse((await call(leafHandlers(reference), true)).final!) as CheckedAnswer;
    expect(checked.failures).toEqual([]);
    expect(plain.final).toBe(checked.answer);
  });
});
