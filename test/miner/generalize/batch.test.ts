/**
 * Loops of independent model calls in the members become one llmBatch call in the emitted function
 * (miner/generalize/batch.ts): the same questions with the same contexts in the same order, the
 * answers handed back in order. Folds (a prompt that reads an earlier answer), early exits and
 * prompts that read state the loop mutates stay sequential. The functions run in plain Node with
 * fake primitives that record every call and whether it came in a batch.
 */
import { describe, expect, it } from 'vitest';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import type { Candidate } from '../../../miner/generalize/types.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import { compiledJs } from '../../helpers/compiled.js';
import { cluster, members } from './helpers.js';

async function generalize(program: (word: string) => string): Promise<Candidate> {
  const words = ['cities', 'rivers', 'towns'];
  const r = await generalizeMembers(cluster(), members(words.map(program), words.map((w) => `Which ${w} does the text name?`)));
  if (isRejected(r)) throw new Error(r.rejected);
  expect(typeCheck(r.source)).toEqual({ ok: true });
  return r;
}

interface Call {
  query: string;
  context: string | undefined;
  batch: number;
}

type Fn = (...args: unknown[]) => Promise<unknown>;

/** Fake primitives: `reply` answers; every call is recorded with the batch it came in (0: a single llm call). */
function primitives(reply: (query: string, context: string | undefined) => string) {
  const calls: Call[] = [];
  let batches = 0;
  const ask = (query: string, context: unknown, batch: number) => {
    const ctx = context === undefined ? undefined : String(context);
    calls.push({ query, context: ctx, batch });
    return reply(query, ctx);
  };
  const llm = async (query: string, context?: unknown) => ask(query, context, 0);
  const llmBatch = async (items: ({ query: string; context?: unknown } | string)[]) => {
    batches++;
    return items.map((item) => (typeof item === 'string' ? ask(item, undefined, batches) : ask(item.query, item.context, batches)));
  };
  return { calls, llm, llmBatch, batches: () => batches };
}

/** The candidate as the sandbox gets it, run with the primitives. */
function load(c: Candidate, p: ReturnType<typeof primitives>): Fn {
  return new Function('llm', 'llmBatch', 'rlm', 'print', `${compiledJs(c.name, c.source)}\nreturn ${c.name};`)(p.llm, p.llmBatch, p.llm, () => {}) as Fn;
}

/** The member's own program run as the sandbox ran it (one step, FINAL captured). */
async function runMember(code: string, context: string, p: ReturnType<typeof primitives>): Promise<string> {
  let final = '';
  const FINAL = (v: unknown) => {
    final = typeof v === 'string' ? v : JSON.stringify(v);
  };
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction('context', 'llm', 'recursive_llm', 'llmBatch', 'FINAL', 'print', code)(context, p.llm, p.llm, p.llmBatch, FINAL, () => {});
  return final;
}

const reply = (query: string, context: string | undefined) => (context && /x/.test(context) ? `${query.length}:${context.slice(0, 6)}` : 'NONE');
const TEXT = 'alpha one\n\nbeta x two\n\ngamma three\n\ndelta x four\n\nepsilon five';

/** The member run directly and the function on the same input make the same calls and give the same answer; the function batches. */
async function sameAsMember(c: Candidate, code: string, memberIndex: number): Promise<Call[]> {
  const direct = primitives(reply);
  const expected = await runMember(code, TEXT, direct);
  const batched = primitives(reply);
  const answer = await load(c, batched)(TEXT, ...c.members[memberIndex].args);
  expect(answer).toBe(expected);
  expect(batched.calls.map(({ query, context }) => ({ query, context }))).toEqual(direct.calls.map(({ query, context }) => ({ query, context })));
  return batched.calls;
}

describe('independent model calls in a loop become one llmBatch call', () => {
  it('for (const x of xs) out.push(await llm(q, x))', async () => {
    const program = (w: string) => `const parts = context.split("\\n\\n");\nconst found = [];\nfor (const part of parts) {\n  found.push(await llm("Which ${w} are named here? Reply NONE if none.", part));\n}\nFINAL(found.filter((f) => f !== "NONE").join("\\n"));`;
    const c = await generalize(program);
    const code = withoutDoc(c.source);
    expect(code).toContain('await model.llmBatch(Array.from(parts, (part) => ({query: ');
    expect(code).not.toContain('model.llm(');
    const calls = await sameAsMember(c, program('rivers'), 1);
    expect(calls).toHaveLength(5);
    expect(new Set(calls.map((x) => x.batch))).toEqual(new Set([1]));
  });

  it('an index loop writing r[i], and a chunking loop with a step', async () => {
    const indexed = (w: string) => `const parts = context.split("\\n\\n");\nconst r = [];\nfor (let i = 0; i < parts.length; i++) {\n  r[i] = await llm("Review this section for ${w}.", parts[i]);\n}\nFINAL(r.join("\\n"));`;
    const c = await generalize(indexed);
    expect(withoutDoc(c.source)).toMatch(/await model\.llmBatch\(indexes\.map\(\(i\) => \(\{query: \w+, context: parts\[i\]\}\)\)\)/);
    expect(new Set((await sameAsMember(c, indexed('towns'), 2)).map((x) => x.batch))).toEqual(new Set([1]));

    const chunked = (w: string) => `const out = [];\nfor (let i = 0; i < context.length; i += 12) {\n  const piece = context.slice(i, i + 12);\n  out.push(await recursive_llm("List the ${w} named here.", piece));\n}\nFINAL(out.join(" | "));`;
    const d = await generalize(chunked);
    const calls = await sameAsMember(d, chunked('cities'), 0);
    expect(calls.length).toBe(Math.ceil(TEXT.length / 12));
    expect(new Set(calls.map((x) => x.batch))).toEqual(new Set([1]));
  });

  it('a body that still reads the loop variable after the call, with continue, keeps the order of the answers', async () => {
    const program = (w: string) =>
      `const parts = context.split("\\n\\n");\nconst out = [];\nfor (const part of parts) {\n  const head = part.slice(0, 5);\n  const a = await llm(\`List the ${w} in the part that starts with \${head}\`, part);\n  if (a === "NONE") continue;\n  out.push(head + "=" + a);\n}\nFINAL(out.join(";"));`;
    const c = await generalize(program);
    expect(withoutDoc(c.source)).toMatch(/for \(let \[index, part\] of items\.entries\(\)\)/);
    const calls = await sameAsMember(c, program('cities'), 0);
    expect(new Set(calls.map((x) => x.batch))).toEqual(new Set([1]));
  });
});

describe('loops that stay sequential', () => {
  const sequential = async (program: (w: string) => string) => {
    const c = await generalize(program);
    const code = withoutDoc(c.source);
    expect(code).not.toContain('llmBatch(');
    expect(code).toContain('await model.llm(');
    const calls = await sameAsMember(c, program('rivers'), 1);
    expect(calls.every((x) => x.batch === 0)).toBe(true);
  };

  it('a fold: the prompt reads the previous answer', async () => {
    await sequential((w) => `const parts = context.split("\\n\\n");\nlet summary = "";\nfor (const part of parts) {\n  summary = await llm("Update the list of ${w} with this part. So far: " + summary, part);\n}\nFINAL(summary);`);
  });

  it('an early exit that depends on an answer', async () => {
    await sequential((w) => `const parts = context.split("\\n\\n");\nlet hit = "NONE";\nfor (const part of parts) {\n  const a = await llm("Find the ${w} code.", part);\n  if (a !== "NONE") {\n    hit = a;\n    break;\n  }\n}\nFINAL(hit);`);
  });

  it('a prompt that reads state the loop mutates', async () => {
    await sequential((w) => `const parts = context.split("\\n\\n");\nconst seen = [];\nfor (const part of parts) {\n  const a = await llm("Which ${w} are new here? Already seen: " + seen.join(", "), part);\n  if (a !== "NONE") seen.push(a);\n}\nFINAL(seen.join("\\n"));`);
  });

  it('a call made only on some iterations', async () => {
    await sequential((w) => `const parts = context.split("\\n\\n");\nconst out = [];\nfor (const part of parts) {\n  if (part.includes("x")) out.push(await llm("Which ${w} are named?", part));\n}\nFINAL(out.join("\\n"));`);
  });
});
