/** `context` typed from how the code uses it, when the members' inputs were not stored (an imported log). */
import { describe, expect, it } from 'vitest';
import { contextFieldsFromUsage, fitRecordType, recordArrayType } from '../../../miner/generalize/context-usage.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import { cluster, members, programTree } from './helpers.js';

const tree = programTree;

describe('contextFieldsFromUsage', () => {
  it('reads the fields off array methods, indexing, for-of and reduce', () => {
    expect(contextFieldsFromUsage(tree('const xs = context.map((r) => r.answer);\nFINAL(xs.join("\\n"));'))).toEqual(['answer']);
    expect(contextFieldsFromUsage(tree('const n = context.filter(({ score }) => score > 3).length;\nFINAL(String(n + context[0].id));'))?.sort()).toEqual(['id', 'score']);
    expect(contextFieldsFromUsage(tree('let t = 0;\nfor (const r of context) t += r.amount;\nconst n = context.filter((r) => r.ok).length;\nFINAL(String(t + n));'))?.sort()).toEqual(['amount', 'ok']);
    expect(contextFieldsFromUsage(tree('const t = context.reduce((a, r) => a + r.amount, 0);\nFINAL(String(t));'))).toEqual(['amount']);
  });

  it('says nothing for text: split, slice and length are string methods too', () => {
    expect(contextFieldsFromUsage(tree('const parts = context.split("\\n").slice(0, 3);\nFINAL(parts.join("") + context.length);'))).toBeUndefined();
    // a loop over characters, indexing, and a method call are no array of records
    expect(contextFieldsFromUsage(tree('let n = 0;\nfor (const ch of context) if (ch.trim() === "") n++;\nconst r = await llm("Is this about refunds?", context.slice(0, 2000));\nFINAL(r + n + context[0].toUpperCase());'))).toBeUndefined();
    // an array method next to a string method: text wins (the member ran, so context had both)
    expect(contextFieldsFromUsage(tree('const a = context.toLowerCase();\nconst b = [1].map((x) => x);\nFINAL(a + b);'))).toBeUndefined();
  });

  it('reads no field off strings in an array of strings', () => {
    expect(contextFieldsFromUsage(tree('const hits = context.filter((t) => t.toLowerCase().includes("refund"));\nFINAL(String(hits.length));'))).toEqual([]);
  });
});

describe('fitRecordType', () => {
  it('starts from strings and keeps, field by field, the candidate with fewer errors', () => {
    // a fake checker: `score` must be a number
    const errors = (t: string) => (t.includes('score: number') ? 0 : 1);
    expect(fitRecordType(['answer', 'score'], errors)).toEqual({ type: '{ answer: string; score: number }[]', errors: 0 });
    expect(recordArrayType(new Map())).toBe('Record<string, unknown>[]');
  });
});

describe('a function over strings known only from its code', () => {
  it('types context as an array of strings when the code reads no field', async () => {
    const program = (word: string) => `const hits = context.filter((t) => t.toLowerCase().includes(${JSON.stringify(word)}));\nconst a = await llm("Summarize these tickets.", hits.join("\\n"));\nFINAL(a);`;
    const c = await generalizeMembers(cluster({ support: 3, size: 3 }), members([program('refund'), program('late'), program('refund')]));
    if (isRejected(c)) throw new Error(c.rejected);
    expect(c.signature).toMatch(/^\(context: string\[\]/);
    expect(typeCheck(c.source)).toEqual({ ok: true });
  });

  it('keeps text for a loop over characters (it type-checked as text before)', async () => {
    const program = (word: string) => `let n = 0;\nfor (const ch of context) if (ch.trim() === "") n++;\nconst r = await llm(${JSON.stringify(`Is this text about ${word}?`)}, context.slice(0, 2000));\nFINAL(r + n);`;
    const c = await generalizeMembers(cluster({ support: 3, size: 3 }), members([program('refunds'), program('delays'), program('refunds')]));
    if (isRejected(c)) throw new Error(c.rejected);
    expect(c.signature).toMatch(/^\(context: string,/);
    expect(typeCheck(c.source)).toEqual({ ok: true });
  });
});

describe('a function over records known only from its code', () => {
  it('types context by the fields the code reads, so that it type-checks, and says so in its doc', async () => {
    const program = (min: number) =>
      `const good = context.filter((r) => r.score >= ${min});\nconst notes = await llmBatch(good.map((r) => ({ query: "Summarize this answer in five words.", context: r.answer })));\nFINAL(notes.join("\\n"));`;
    const runs = members([program(3), program(4), program(3)]);
    const c = await generalizeMembers(cluster({ support: 3, size: 3 }), runs);
    if (isRejected(c)) throw new Error(c.rejected);
    expect(c.signature).toMatch(/^\(context: \{ score: number; answer: string \}\[\]/);
    expect(c.doc).toContain('Input: `context` is JSON, not text: an array of records, each with `score`, `answer` (as the code reads them; the logged runs did not store their input).');
    expect(typeCheck(c.source)).toEqual({ ok: true });
  });
});
