/**
 * Typing the members' own JavaScript so that the emitted function type-checks under strict, with no
 * `any` and the same behaviour (typing.ts, avoid-any.ts, context-usage.ts):
 *   - a Date in arithmetic (`new Date(b) - new Date(a)`) reads its time value (`.getTime()`);
 *   - `Object.entries` / `Object.values` of an untyped value (`JSON.parse`'s result in an untyped
 *     `let`) gets values of a concrete type instead of `unknown`;
 *   - an `any` the typing pass wrote takes the type of what the code stores there (pushes, keyed
 *     writes, a set's adds), or none where the checker then infers one;
 *   - the fields of `context`'s records are read through chains that keep its elements
 *     (`low.filter(…).slice(0, 60).map((r) => r.text)`).
 * The functions are run in the real sandbox against the members' programs with the same model
 * answers: the answers are the same.
 */
import { describe, expect, it } from 'vitest';
import { contextFieldsFromUsage } from '../../../miner/generalize/context-usage.js';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import { repairTypes } from '../../../miner/generalize/typing.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import { programTree } from './helpers.js';
import { generalized, hasAny, sandboxAnswers, typed } from './typed-functions.js';

/** A deterministic model: the answer names the query's length and echoes the context. */
const echo = (query: string, context: string): string => `${query.length}: ${context}`;

const sameAnswer = sandboxAnswers();

describe('a Date in arithmetic', () => {
  it('reads its time value where the checker rejects the arithmetic, and nowhere else', () => {
    const src = 'export function f(a: string, b: string, n: string): number {\n  const d = new Date(a);\n  return (d - new Date(b)) / 1000 + (new Date - d) * 0 + Math.abs(new Date(b) - Date.now());\n}\n';
    const r = repairTypes(src, undefined);
    expect(r.errors).toEqual([]);
    expect(r.source).toContain('(d.getTime() - new Date(b).getTime())');
    // `new Date` without arguments is parenthesized: `new Date.getTime()` would mean something else
    expect(r.source).toContain('((new Date).getTime() - d.getTime())');
    expect(r.source).toContain('Math.abs(new Date(b).getTime() - Date.now())');
    // text in arithmetic is not a Date: left for the checker to report (it may be a field typed by trial)
    expect(repairTypes('export function g(n: string): number {\n  return n * 2;\n}\n', undefined).errors).toHaveLength(1);
  });

  const program = (question: string) =>
    [
      'const rows = context.split("\\n").map((l) => l.split(","));',
      'const spans = rows.map((r) => ({ id: r[0], days: (new Date(r[2]) - new Date(r[1])) / 86400000 }));',
      'const slow = spans.filter((s) => s.days > 3).sort((a, b) => b.days - a.days);',
      `const notes = await llmBatch(slow.map((s) => ({ query: ${JSON.stringify(question)}, context: s.id + " took " + s.days + " days" })));`,
      'FINAL(notes.join("\\n"));',
    ].join('\n');
  const QUESTIONS = ['Why might this order have been slow?', 'Why might this shipment have been late?', 'Why might this ticket have taken long?'];
  const CONTEXT = ['A1,2024-01-01,2024-01-09', 'A2,2024-02-01,2024-02-02', 'A3,2024-03-01,2024-03-06', 'A4,2024-03-10,2024-03-30'].join('\n');

  it('the function subtracting dates type-checks with no any, and answers as the member did', async () => {
    const c = await generalized(QUESTIONS.map(program));
    expect(typeCheck(c.source)).toEqual({ ok: true });
    expect(hasAny(c.source)).toBe(false);
    expect(withoutDoc(c.source)).toContain('.getTime()');
    const answer = await sameAnswer(c, 0, program(QUESTIONS[0]), CONTEXT, 'string', echo);
    expect(answer.split('\n').map((l) => l.replace(/^\d+: /, ''))).toEqual(['A4 took 20 days', 'A1 took 8 days', 'A3 took 5 days']);
  });
});

describe('Object.entries of an untyped value', () => {
  it('gives values of a concrete type, not unknown', () => {
    const out = typed([
      'export function f(res: string): string {',
      '  let groups;',
      '  try {',
      '    groups = JSON.parse(res);',
      '  } catch (e) {',
      '  }',
      '  const counts = Object.entries(groups).map(([name, vs]) => ({ name, n: vs.length, rest: vs.slice(1).join("/") }));',
      '  const parsed = JSON.parse(res);',
      '  const total = Object.values(parsed).reduce((a, vs) => a + vs.length, 0);',
      '  return counts.map((c) => c.name + c.n + c.rest).join("\\n") + total;',
      '}',
    ]);
    expect(out).toContain('Object.entries(groups as Record<string, string[]>)');
  });

  const program = (question: string) =>
    [
      `const res = await llm(${JSON.stringify(`${question} Answer as JSON: {"<product>": ["<how the text names it>", ...]}`)}, context);`,
      'let groups;',
      'try {',
      '  groups = JSON.parse(res.replace(/```json|```/g, ""));',
      '} catch (e) {',
      '}',
      'const counts = Object.entries(groups).map(([name, vs]) => ({ name, n: vs.length, first: vs[0] })).sort((a, b) => b.n - a.n);',
      'FINAL(counts.map((c) => c.name + ": " + c.n + " names, e.g. " + c.first).join("\\n"));',
    ].join('\n');
  const QUESTIONS = ['Group the router models the text mentions.', 'Group the phone models the text mentions.', 'Group the laptop models the text mentions.'];
  const JSON_ANSWER = JSON.stringify({ 'Netgear RAX50': ['RAX50', 'Nighthawk AX6'], 'TP-Link Archer AX21': ['AX21'] });

  it('the function type-checks with no any, and answers as the member did', async () => {
    const c = await generalized(QUESTIONS.map(program));
    expect(typeCheck(c.source)).toEqual({ ok: true });
    expect(hasAny(c.source)).toBe(false);
    const answer = await sameAnswer(c, 0, program(QUESTIONS[0]), 'Thread 1: my RAX50 drops. Thread 2: the Nighthawk AX6 and an AX21.', 'string', () => JSON_ANSWER);
    expect(answer).toBe('Netgear RAX50: 2 names, e.g. RAX50\nTP-Link Archer AX21: 1 names, e.g. AX21');
  });
});

describe('an any the typing pass wrote', () => {
  it('takes the type of what the code pushes, stores under a key, or adds to a set there', () => {
    const out = typed([
      'export function f(lines: string[]): string {',
      '  let progs = {};',
      '  let surface = {};',
      '  let rows = [];',
      '  for (const l of lines) {',
      '    const [p, n] = l.split("|");',
      '    progs[p] = progs[p] || [];',
      '    progs[p].push(Number(n));',
      '    (surface[n] ||= new Set()).add(p.length);',
      '    rows.push({ p, n: Number(n) });',
      '  }',
      '  const avgs = Object.entries(progs).map(([p, a]) => p + a.reduce((x, y) => x + y, 0) / a.length);',
      '  let sizes = 0;',
      '  for (const k of Object.keys(surface)) sizes += (surface[k] || []).size;',
      '  return avgs.join(",") + sizes + rows.map((r) => r.p + r.n).join("");',
      '}',
    ]);
    expect(out).toContain('let progs: Record<string, number[]> = {};');
    expect(out).toContain('let surface: Record<string, Set<number>> = {};');
    // the reduce's parameters are no longer annotated: the checker infers numbers
    expect(out).toContain('a.reduce((x, y) => x + y, 0)');
  });
});

describe("context's records read through a chain that keeps its elements", () => {
  it('reads the fields off filter(…).slice(…).map(…) of an alias of context', () => {
    const code = 'let recs = context;\nconst low = recs.filter((r) => r.stars <= 2);\nconst sample = low.filter((r) => r.id !== "x").slice(0, 60).map((r) => r.text).join("\\n");\nFINAL(sample);';
    expect(contextFieldsFromUsage(programTree(code))?.sort()).toEqual(['id', 'stars', 'text']);
    // a string method on a chain of string-and-array methods says text
    expect(contextFieldsFromUsage(programTree('const a = context.slice(0, 100).split("\\n");\nconst b = context.map((r) => r.x);\nFINAL(a.join("") + b);'))).toBeUndefined();
  });

  const program = (question: string) =>
    [
      'let recs = context;',
      'const low = recs.filter((r) => r.stars <= 2);',
      'const sample = low.slice(0, 60).map((r) => r.text).join("\\n---\\n");',
      `const gist = await llm(${JSON.stringify(question)}, sample);`,
      'FINAL(low.length + " low-star reviews. " + gist.trim());',
    ].join('\n');
  const QUESTIONS = ['In one sentence, what do these reviews complain about most?', 'In one sentence, what do these reviewers dislike most?', 'In one sentence, what is the most common complaint here?'];
  const REVIEWS = [
    { id: 'r1', stars: 1, text: 'Sync loses my notes.' },
    { id: 'r2', stars: 5, text: 'Great app.' },
    { id: 'r3', stars: 2, text: 'Login fails every morning.' },
  ];

  it('the function types context with the field read through the chain, type-checks with no any, and answers as the member did', async () => {
    const c = await generalized(QUESTIONS.map(program));
    expect(c.signature).toMatch(/^\(context: \{[^}]*\btext: string\b[^}]*\}\[\]/);
    expect(typeCheck(c.source)).toEqual({ ok: true });
    expect(hasAny(c.source)).toBe(false);
    const answer = await sameAnswer(c, 0, program(QUESTIONS[0]), JSON.stringify(REVIEWS), 'json', echo);
    expect(answer).toMatch(/^2 low-star reviews\. \d+: Sync loses my notes\.\n---\nLogin fails every morning\.$/);
  });
});
