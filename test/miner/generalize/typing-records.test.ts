/**
 * Records the model's JavaScript reads fields off, typed without `any` (avoid-any.ts, context-usage.ts):
 *   - `context`'s fields are read through groupings (`(byCard[k] ||= []).push(t)`, `Object.values(byCard)`),
 *     spreads (`{ ...t, prev }`: every field but `prev`) and both parameters of `sort`;
 *   - a variable filled from `JSON.parse` is typed by the fields the code reads off it (found with the
 *     checker), a field the code only passes on or tests staying `unknown`;
 *   - a reduce seed `[]` takes the type of what the callback pushes on its accumulator;
 *   - `new Map()` / `new Set()` take the types of what the code sets or adds;
 *   - the fixed list, last, tries `unknown` first, and only once nothing the code says fits.
 * Each function type-checks with no `any` and answers as the member's own program in the sandbox.
 */
import { describe, expect, it } from 'vitest';
import { contextFieldsFromUsage } from '../../../miner/generalize/context-usage.js';
import { probeRecord } from '../../../miner/generalize/avoid-any.js';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import { programTree } from './helpers.js';
import { generalized, hasAny, sandboxAnswers, typed } from './typed-functions.js';

const sameAnswer = sandboxAnswers();

describe("context's fields read through groupings and spreads", () => {
  const program = (question: string) =>
    [
      'let byCard = {};',
      'for (let t of context) {',
      '  (byCard[t.card] ||= []).push(t);',
      '}',
      'let enriched = [];',
      'for (let list of Object.values(byCard)) {',
      '  list.sort((a, b) => new Date(a.ts) - new Date(b.ts));',
      '  list.forEach((t, i) => enriched.push({ ...t, prev: i ? { city: list[i - 1].city } : null }));',
      '}',
      'let odd = enriched.filter((t) => (t.prev && t.prev.city !== t.city) || t.flagged);',
      `let res = await llm(${JSON.stringify(question)}, odd.map((t) => JSON.stringify(t)).join("\\n"));`,
      'FINAL(odd.length + " odd: " + res);',
    ].join('\n');
  const QUESTIONS = ['Which of these card payments look like fraud?', 'Which of these payments look stolen?', 'Which of these transactions look suspicious?'];
  const ROWS = [
    { card: 'k1', ts: '2024-01-02T10:00:00Z', city: 'Oslo', amount: 20, flagged: false },
    { card: 'k1', ts: '2024-01-01T10:00:00Z', city: 'Lima', amount: 30, flagged: false },
    { card: 'k2', ts: '2024-01-01T11:00:00Z', city: 'Rome', amount: 900, flagged: false },
    { card: 'k3', ts: '2024-01-01T12:00:00Z', city: 'Rome', amount: 5, flagged: true },
  ];

  it('reads the fields through the grouping, the sort, the indexed neighbour and the spread (not the spread\'s own key)', () => {
    expect(contextFieldsFromUsage(programTree(program(QUESTIONS[0])))?.sort()).toEqual(['card', 'city', 'flagged', 'ts']);
  });

  it('the function types context with them, has no any, and answers as the member did', async () => {
    const c = await generalized(QUESTIONS.map(program));
    expect(typeCheck(c.source)).toEqual({ ok: true });
    expect(hasAny(c.source)).toBe(false);
    expect(c.signature).toMatch(/^\(context: \{[^}]*\bts: string\b[^}]*\}\[\]/);
    expect(withoutDoc(c.source)).toMatch(/let byCard: Record<string, \{[^}]*\}\[\]> = \{\};/);
    const answer = await sameAnswer(c, 0, program(QUESTIONS[0]), JSON.stringify(ROWS), 'json', (q, ctx) => `${q.length}:${ctx.split('\n').length}`);
    expect(answer).toMatch(/^2 odd: \d+:2$/);
  });
});

describe('a variable filled from JSON.parse', () => {
  it('is typed by the fields the code reads off it; a field only tested or passed on stays unknown', () => {
    const out = typed([
      'export function f(context: string, label: string): string {',
      '  let reviews = typeof context === "string" ? JSON.parse(context) : context;',
      '  let labelOf = {};',
      '  reviews.forEach((r) => { labelOf[r.id] = r.stars > 3 ? "good" : "bad"; });',
      '  let picked = reviews.filter((r) => labelOf[r.id] === label);',
      '  return picked.map((r) => (r.title ? r.title + ": " : "") + r.text.trim()).join("\\n");',
      '}',
    ]);
    expect(out).toContain('let reviews: { id: string; stars: number; title: unknown; text: string; }[] =');
    expect(out).toContain('reviews.filter((r) => labelOf[r.id] === label)');
  });

  it('finds no record where the code reads no field (probeRecord)', () => {
    expect(probeRecord((e) => `export function f(s: string): number {\n  const xs: ${e}[] = JSON.parse(s);\n  return xs.length;\n}\n`)).toBeUndefined();
  });

  const program = (question: string) =>
    [
      'let reviews = typeof context === "string" ? JSON.parse(context) : context;',
      `let answers = await llmBatch(reviews.map((r) => ({ query: ${JSON.stringify(question)}, context: r.id + ": " + r.text.slice(0, 200) })));`,
      'let labelOf = {};',
      'answers.forEach((a, i) => { labelOf[reviews[i].id] = a.includes("neg") ? "negative" : "positive"; });',
      'let neg = reviews.filter((r) => labelOf[r.id] === "negative");',
      'FINAL(neg.length + " negative: " + neg.map((r) => r.id).join(", "));',
    ].join('\n');
  const QUESTIONS = ['Is this blender review positive or negative?', 'Is this kettle review positive or negative?', 'Is this toaster review positive or negative?'];
  const REVIEWS = [
    { id: 'a1', text: 'Loud and it broke. neg' },
    { id: 'a2', text: 'Lovely.' },
    { id: 'a3', text: 'neg: leaks' },
  ];

  it('the function has no any and answers as the member did', async () => {
    const c = await generalized(QUESTIONS.map(program));
    expect(typeCheck(c.source)).toEqual({ ok: true });
    expect(hasAny(c.source)).toBe(false);
    expect(withoutDoc(c.source)).toMatch(/let reviews: \{ id: string; text: string; \}\[\] =/);
    const answer = await sameAnswer(c, 0, program(QUESTIONS[0]), JSON.stringify(REVIEWS), 'string', (_q, ctx) => (ctx.includes('neg') ? 'neg' : 'pos'));
    expect(answer).toBe('2 negative: a1, a3');
  });
});

describe('pushed spreads of parsed JSON, a Map and a reduce seed', () => {
  it('an array of pushed spreads takes the fields read off it; the Map what it sets; the record what it stores', () => {
    const out = typed([
      'export function f(outs: string[]): string {',
      '  let events = [];',
      '  outs.forEach((o, i) => {',
      '    let arr = JSON.parse(o);',
      '    for (let e of arr) events.push({ ...e, chunk: i });',
      '  });',
      '  let seen = new Map();',
      '  for (let e of events) {',
      '    let t = Date.parse(e.date) + e.event.length * 0;',
      '    if (!seen.has(e.date)) seen.set(e.date, { ...e, t });',
      '  }',
      '  let byDate = {};',
      '  for (let e of [...seen.values()]) if (!byDate[e.date] || e.event.length > byDate[e.date].event.length) byDate[e.date] = e;',
      '  return Object.values(byDate).sort((a, b) => a.t - b.t).map((e) => e.date + " " + e.event).join("\\n");',
      '}',
    ]);
    expect(out).toContain('let events: { date: string; event: string; }[] = [];');
    expect(out).toMatch(/let seen = new Map<string, \{ t: number; date: string; event: string; \}>\(\);/);
    expect(out).toMatch(/let byDate: Record<string, \{ t: number; date: string; event: string; \}> = \{\};/);
  });

  it('a reduce seed takes the type of what the callback pushes on its accumulator', () => {
    const out = typed([
      'export function f(xs: { id: string }[], n: number): string {',
      '  const chunks = xs.reduce((a, x, i) => ((i % n) ? a[a.length - 1].push(x) : a.push([x]), a), []);',
      '  return chunks.map((c) => c.map((x) => x.id).join(",")).join("|");',
      '}',
    ]);
    expect(out).toContain('[] as { id: string; }[][]');
  });

  it('an array pushed records of the code takes their type, not a fixed one that merely passes', () => {
    const out = typed([
      'export function f(resps: string[], ids: string[]): string {',
      '  let flagged = [];',
      '  resps.forEach((r) => r.split("\\n").forEach((l) => { const p = l.split("|"); if (p.length >= 2) flagged.push({ id: p[0], why: p[1] }); }));',
      '  let valid = flagged.filter((f) => ids.includes(f.id));',
      '  return valid.map((f) => f.id + " " + f.why).join("\\n");',
      '}',
    ]);
    expect(out).toContain('let flagged: { id: string; why: string; }[] = [];');
    expect(out).toContain('let valid = flagged.filter');
  });

  it('the fixed list starts with unknown: a value only passed on is not claimed to be text', () => {
    const out = typed(['export function f(s: string): string {', '  const show = (v) => JSON.stringify(v);', '  return show(JSON.parse(s));', '}']);
    expect(out).toContain('const show = (v: unknown) =>');
  });
});
