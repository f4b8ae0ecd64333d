/**
 * The type of `context` read from how the code uses it, for members whose inputs were not stored (an
 * imported log keeps the code, not the input). Code that calls array methods on `context`
 * (`context.map((r) => r.answer)`, `context.filter(…)`), indexes it and reads a field
 * (`context[i].answer`) or loops over it reading fields (`for (const r of context) r.score`) was
 * given JSON records: their fields are the ones it reads. Each field's type is then the first of a
 * few candidates with which the function type-checks best (fitRecordType), the way avoid-any.ts
 * picks concrete types.
 */
import type { NNode } from '../front/tree.js';
import { namedList, typeKey } from './context-type.js';

/** Methods only arrays have (strings have slice, length, includes, indexOf too, so those say nothing). */
const ARRAY_ONLY = new Set(['map', 'filter', 'forEach', 'reduce', 'find', 'findIndex', 'some', 'every', 'flatMap', 'sort']);

/** Methods that return (some of) the same elements: a name bound to `context.filter(…)` holds records too. */
const SAME_ELEMENTS = new Set(['filter', 'slice', 'sort', 'concat', 'reverse', 'toSorted', 'toReversed']);

/** `context` and the names bound to its elements' arrays (`const good = context.filter(…)`), to a fixpoint. */
function recordArrays(tree: NNode): Set<string> {
  const names = new Set(['context']);
  const holds = (n: NNode | undefined): boolean => {
    if (n?.k === 'id') return names.has(n.v ?? '');
    if (n?.k === 'call' && n.c[0].k === 'mem' && SAME_ELEMENTS.has(n.c[0].v ?? '')) return holds(n.c[0].c[0]);
    return false;
  };
  for (let grew = true; grew; ) {
    grew = false;
    const walk = (n: NNode): void => {
      if (n.k === 'decl' && n.c[0]?.k === 'id' && n.c[0].v !== undefined && !names.has(n.c[0].v) && holds(n.c[1])) {
        names.add(n.c[0].v);
        grew = true;
      }
      n.c.forEach(walk);
    };
    walk(tree);
  }
  return names;
}

/** The fields read off `name` inside `body` (`name.field`; `name.trim()` calls a method, it reads no field). */
function fieldsOf(body: NNode, name: string, into: Set<string>, parent?: NNode): void {
  const called = parent?.k === 'call' && parent.c[0] === body;
  if (body.k === 'mem' && !called && body.c[0]?.k === 'id' && body.c[0].v === name && body.v !== undefined) into.add(body.v);
  for (const c of body.c) fieldsOf(c, name, into, body);
}

/** Methods only strings have: code that calls one on `context` was given text. */
const STRING_ONLY = new Set(['split', 'toLowerCase', 'toUpperCase', 'trim', 'trimStart', 'trimEnd', 'match', 'matchAll', 'replace', 'replaceAll', 'startsWith', 'endsWith', 'charAt', 'charCodeAt', 'codePointAt', 'substring', 'substr', 'padStart', 'padEnd', 'search', 'normalize', 'localeCompare']);

/** The name a callback's parameter binds, and the keys it destructures (`({ answer }) => …`). */
function paramAt(fn: NNode, index: number): { name?: string; keys: string[] } {
  const param = fn.c[1]?.c[index];
  const pattern = param?.k === 'param' ? param.c[0] : param;
  if (pattern?.k === 'id' && pattern.v !== undefined) return { name: pattern.v, keys: [] };
  if (pattern?.k === 'opat') return { keys: pattern.c.flatMap((b) => (b.k === 'bind' && b.v !== undefined ? [b.v] : [])) };
  return { keys: [] };
}

/**
 * The record fields the code reads off `context`'s elements, when it uses `context` as an array;
 * undefined when nothing says it is one.
 */
export function contextFieldsFromUsage(tree: NNode): string[] | undefined {
  const arrays = recordArrays(tree);
  // context, a name bound to its records, or a chain of calls that keep the same elements
  // (`low.filter(…).slice(0, 60)`, on which `.map((r) => r.text)` reads a field of context's records)
  const isContext = (n: NNode | undefined): boolean => {
    if (n?.k === 'id') return arrays.has(n.v ?? '');
    if (n?.k === 'call' && n.c[0].k === 'mem' && SAME_ELEMENTS.has(n.c[0].v ?? '')) return isContext(n.c[0].c[0]);
    return false;
  };
  let array = false;
  let text = false;
  const fields = new Set<string>();
  const walk = (n: NNode, parent?: NNode): void => {
    // context.split(…), /x/.test(context)'s kin: text
    if (n.k === 'call' && n.c[0].k === 'mem' && isContext(n.c[0].c[0]) && STRING_ONLY.has(n.c[0].v ?? '')) text = true;
    // context.map((r) => r.answer), context.filter(({ score }) => …)
    if (n.k === 'call' && n.c[0].k === 'mem' && isContext(n.c[0].c[0]) && ARRAY_ONLY.has(n.c[0].v ?? '')) {
      array = true;
      const fn = n.c[1];
      if (fn?.k === 'fn') {
        // reduce's callback gets the accumulator first, the element second
        const p = paramAt(fn, n.c[0].v === 'reduce' ? 1 : 0);
        if (p.name) fieldsOf(fn.c[2] ?? fn, p.name, fields);
        for (const k of p.keys) fields.add(k);
      }
    }
    // context[i].answer (a field, not a method: strings index to characters); it adds a field, an array method decides
    if (n.k === 'mem' && n.c[0]?.k === 'idx' && isContext(n.c[0].c[0]) && n.v !== undefined && !(parent?.k === 'call' && parent.c[0] === n)) fields.add(n.v);
    // for (const r of context) { … r.score … } (strings iterate too: this adds fields, it does not decide)
    if (n.k === 'forof' && isContext(n.c[1]) && n.c[0]?.k === 'id' && n.c[0].v !== undefined) fieldsOf(n.c[2], n.c[0].v, fields);
    for (const c of n.c) walk(c, n);
  };
  walk(tree);
  if (!array || text) return undefined;
  return [...fields].filter((f) => !['length', 'constructor', 'prototype'].includes(f));
}

/** Candidate types of one field, most specific first. */
const FIELD_TYPES = ['string', 'number', 'boolean', 'string[]', 'unknown'];

/** `{ a: string; b: number }[]` */
export function recordArrayType(fields: ReadonlyMap<string, string>): string {
  if (fields.size === 0) return 'Record<string, unknown>[]';
  return `{ ${[...fields].map(([k, t]) => `${typeKey(k)}: ${t}`).join('; ')} }[]`;
}

/**
 * The record type with which the function has the fewest type errors: every field `string` first,
 * then, field by field, the first other candidate that lowers the count. `errorsWith` type-checks
 * the function with a given type of `context` and returns how many errors it has.
 */
export function fitRecordType(fieldNames: readonly string[], errorsWith: (contextType: string) => number): { type: string; errors: number } {
  // each trial is a whole type check: the fields past the first MAX_FITTED are `unknown`
  const fields = new Map(fieldNames.map((f, i) => [f, i < MAX_FITTED ? 'string' : 'unknown']));
  let best = errorsWith(recordArrayType(fields));
  for (const name of fieldNames.slice(0, MAX_FITTED)) {
    if (best === 0) break;
    for (const candidate of FIELD_TYPES.slice(1)) {
      const trial = new Map(fields).set(name, candidate);
      const errors = errorsWith(recordArrayType(trial));
      if (errors < best) {
        best = errors;
        fields.set(name, candidate);
        break;
      }
    }
  }
  return { type: recordArrayType(fields), errors: best };
}

/** An array whose elements the code reads no field of: the first element type that type-checks best. */
export function fitArrayType(errorsWith: (contextType: string) => number): { type: string; errors: number } {
  let best = { type: 'unknown[]', errors: Number.MAX_SAFE_INTEGER };
  for (const type of ['string[]', 'number[]', 'Record<string, unknown>[]', 'unknown[]']) {
    const errors = errorsWith(type);
    if (errors < best.errors) best = { type, errors };
    if (errors === 0) break;
  }
  return best;
}

/** Fields typed by trial; the rest are `unknown`. */
const MAX_FITTED = 8;

/** The doc's Input sentence for records known only from the code. */
export function usageInputSentence(fieldNames: readonly string[]): string {
  const list = namedList(fieldNames);
  return fieldNames.length
    ? `\`context\` is JSON, not text: an array of records, each with ${list} (as the code reads them; the logged runs did not store their input).`
    : '`context` is JSON, not text: an array (as the code uses it; the logged runs did not store their input).';
}
