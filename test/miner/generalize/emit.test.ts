/**
 * The emitted function: FINAL becomes a return (stringified as FINAL does), prints are sliced away,
 * sandbox calls stay free identifiers, steps are stitched together, and the untyped model code is
 * annotated until it type-checks. The functions are run in plain Node with fake primitives.
 */
import { describe, expect, it } from 'vitest';
import { CHECK_FAILED } from '../../../src/contracts/listing.js';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import type { Candidate } from '../../../miner/generalize/types.js';
import { repairTypes } from '../../../miner/generalize/typing.js';
import { compiledJs } from '../../helpers/compiled.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import { cluster, members } from './helpers.js';

async function generalize(programs: string[], queries: string[] = []): Promise<Candidate> {
  const r = await generalizeMembers(cluster(), members(programs, queries));
  if (isRejected(r)) throw new Error(r.rejected);
  return r;
}

type Fn = (...args: unknown[]) => Promise<unknown>;

/** The function, compiled as the sandbox gets it, with primitives that answer `reply(query, context)`. */
function load(c: Candidate, reply: (q: string, ctx?: unknown) => string): { fn: Fn; queries: string[] } {
  const queries: string[] = [];
  const answer = (q: string, ctx?: unknown) => {
    queries.push(q);
    return reply(q, ctx);
  };
  const llm = async (q: string, ctx?: unknown) => answer(q, ctx);
  const llmBatch = async (items: { query: string; context?: unknown }[]) => items.map((i) => answer(i.query, i.context));
  const fn = new Function('llm', 'llmBatch', 'rlm', 'print', `${compiledJs(c.name, c.source)}\nreturn ${c.name};`)(llm, llmBatch, llm, () => {}) as Fn;
  return { fn, queries };
}

describe('emitting the function', () => {
  it('stitches the steps of a run, returns what FINAL_VAR named as FINAL would, keeps recursive_llm as llm', async () => {
    const program = (size: number, word: string) => [
      'print(context.slice(0, 300));',
      `const pieces = [];\nfor (let i = 0; i < context.length; i += ${size}) pieces.push(context.slice(i, i + ${size}));\nconsole.log(pieces.length);`,
      `const found = [];\nfor (const p of pieces) found.push(await recursive_llm("Which ${word} are named here? Reply NONE if none.", p));\nconst result = { count: found.filter((f) => f !== "NONE").length, names: found };\nFINAL_VAR("result");`,
    ].join('\n;;;\n');
    const c = await generalize([program(10, 'cities'), program(20, 'rivers'), program(10, 'towns')]);
    const code = withoutDoc(c.source);
    expect(code).not.toMatch(/print|console|FINAL|recursive_llm|import /);
    // Model calls go through the checked form's switch (by default the sandbox's own llmBatch); the loop's calls are one batch.
    expect(code).toContain('await model.llmBatch(');
    expect(typeCheck(c.source)).toEqual({ ok: true });
    const { fn, queries } = load(c, (q, ctx) => (String(ctx).includes('x') ? 'Xavier' : 'NONE'));
    const args = c.members[1].args;
    const out = await fn('aaaaaaaaaaaaaaaxaaaaaaaaaaaaaaaaaaaa', ...args);
    // a non-string answer comes back as FINAL stringifies it: JSON
    expect(out).toBe(JSON.stringify({ count: 1, names: ['Xavier', 'NONE'] }));
    expect(queries).toEqual(['Which rivers are named here? Reply NONE if none.', 'Which rivers are named here? Reply NONE if none.']);
  });

  it('keeps line breaks of template literals exact however the body is indented', async () => {
    const program = (topic: string) => `const rs = await llmBatch(context.split("\\n\\n").map((p) => ({ query: \`Summarize this about ${topic}:
- keep numbers
- keep names\`, context: p })));\nFINAL(rs.join("\\n"));`;
    const c = await generalize([program('ships'), program('trains'), program('planes')], ['Summarize what it says about ships.', 'What about trains?', 'Summarize the planes.']);
    expect(typeCheck(c.source)).toEqual({ ok: true });
    const { fn, queries } = load(c, () => 'ok');
    expect(await fn('a\n\nb', ...c.members[0].args)).toBe('ok\nok');
    expect(queries[0]).toBe('Summarize this about ships:\n- keep numbers\n- keep names');
  });

  it('throws an error carrying the answer when the program\'s own check fails (the logged run retried instead of answering), and says so', async () => {
    const program = (n: number) =>
      `const rs = await llmBatch(context.split("\\n").map((l) => ({ query: "Is this a refund request? yes or no", context: l })));\nconst count = rs.filter((r) => r.trim() === "yes").length;\nconst answer = String(count);\nif (count > ${n}) {\n  print("too many; retrying with smaller chunks");\n} else {\n  FINAL(answer);\n}`;
    const c = await generalize([program(100), program(200), program(300)]);
    expect(c.doc).toMatch(/check fails .* it throws an error that says so, with the answer it computed/);
    const { fn } = load(c, () => 'yes');
    expect(await fn('a\nb\nc', ...c.members[0].args)).toBe('3');
    const limit = c.params.find((p) => p.type === 'number')!.name;
    await expect(fn('a\nb\nc', { [limit]: 1 })).rejects.toThrow(new RegExp(`${CHECK_FAILED}.*The answer it computed: 3$`, 's'));
  });

  it('makes parameters of parts of a template literal nested in a later part of another', async () => {
    const program = (team: string, unit: string) =>
      `const names = ["a", "b"];\nconst r = await llm(\`Team \${names.length} is ${team}: \${names.map((n) => \`${unit} item \${n}\`).join(", ")}\`, context);\nconst lines = r.split("\\n").map((l) => l.trim()).filter((l) => l.length > 0);\nconst unique = [...new Set(lines)];\nFINAL(unique.join("\\n"));`;
    const c = await generalize([program('red', 'boxes'), program('blue', 'crates'), program('green', 'bags')], ['Team red: boxes?', 'Team blue: crates?', 'Team green: bags?']);
    expect(typeCheck(c.source)).toEqual({ ok: true });
    const { fn, queries } = load(c, () => 'ok');
    expect(await fn('text', ...c.members[1].args)).toBe('ok');
    expect(queries[0]).toBe('Team 2 is blue: crates item a, crates item b');
  });

  it('refuses a FINAL it cannot turn into a return', async () => {
    const program = (q: string) => `const parts = context.split("\\n");\nconst rs = await llmBatch(parts.map((p) => ({ query: ${JSON.stringify(q)}, context: p })));\nrs.forEach((r) => { if (r === "yes") FINAL(r); });`;
    const r = await generalizeMembers(cluster(), members([program('a?'), program('b?'), program('c?')]));
    expect(isRejected(r) && r.rejected).toMatch(/^cannot emit a function: FINAL is called inside a nested function/);
  });

  it('merges a name declared again in a later step into an assignment', async () => {
    const program = (q: string) =>
      [`let notes = await llm(${JSON.stringify(q)}, context.slice(0, 1000));`, `const first = notes;\nconst notes = await llm("Shorten: " + first, context.slice(0, 500));\nFINAL(first + " / " + notes);`].join('\n;;;\n');
    const c = await generalize([program('Summarize the start of this text in detail.'), program('Summarise the start in detail.'), program('Describe the start in detail.')]);
    expect(typeCheck(c.source)).toEqual({ ok: true });
    expect(withoutDoc(c.source)).toMatch(/^\s+notes = await model\.llm\("Shorten: " \+ first/m);
    const { fn } = load(c, (q) => (q.startsWith('Shorten') ? 'short' : 'long'));
    expect(await fn('text', ...c.members[0].args)).toBe('long / short');
  });
});

describe('typing the model\'s JavaScript', () => {
  it('gives helper parameters the types their call sites pass, and Record types to objects indexed by strings', () => {
    const source = `export async function f(context: string): Promise<string> {
  const asAnswer = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value) ?? String(value));
  let pack = (text, maxChars) => {
    let out = [];
    for (let i = 0; i < text.length; i += maxChars) out.push(text.slice(i, i + maxChars));
    return out;
  };
  let tally = {a: 0, b: 0};
  for (let part of pack(context, 100)) {
    let obj = {};
    obj = JSON.parse(await llm("Count a and b as JSON.", part));
    for (let k of Object.keys(tally)) tally[k] += Number(obj[k]) || 0;
  }
  return asAnswer(JSON.stringify(tally));
}
`;
    expect(typeCheck(source).ok).toBe(false);
    const r = repairTypes(source, 'asAnswer');
    expect(r.errors).toEqual([]);
    expect(r.repairs).toEqual(expect.arrayContaining(['parameter text: string', 'parameter maxChars: number', 'variable tally: Record<string, number>', 'variable obj: Record<string, any>']));
    expect(r.source).toContain('let pack = (text: string, maxChars: number) =>');
    // the answer is already a string: no helper needed
    expect(r.source).not.toContain('asAnswer');
    expect(r.source).toContain('return JSON.stringify(tally);');
    expect(typeCheck(r.source)).toEqual({ ok: true });
  });

  it('reports what it cannot repair', () => {
    const r = repairTypes('export async function f(context: string): Promise<string> {\n  return lib.other(context);\n}\n', 'asAnswer');
    expect(r.errors).toEqual([expect.stringMatching(/^2:10 TS2304 Cannot find name 'lib'/)]);
  });
});
