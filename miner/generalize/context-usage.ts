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

/**
 * What an expression holds, as far as `context`'s records go: the array itself (or some of its
 * elements), one record, an object grouping arrays of records under keys (`(byCard[k] ||= []).push(t)`),
 * or an array of such arrays (`Object.values(byCard)`). `own`: keys an object literal spreading a
 * record wrote itself (`{ ...t, prev }`): reads of those are not fields of context's records.
 */
interface Held {
  kind: 'records' | 'record' | 'groups' | 'lists';
  own: ReadonlySet<string>;
}

const NONE: ReadonlySet<string> = new Set();

/** The names (declared anywhere) that hold records' arrays or groupings, to a fixpoint, and what they hold. */
type Names = Map<string, Held>;

/** `(x)`-free callee of `Object.values(…)`. */
const isObjectCall = (n: NNode, method: string): boolean => n.k === 'call' && n.c[0].k === 'mem' && n.c[0].v === method && n.c[0].c[0]?.k === 'id' && n.c[0].c[0].v === 'Object';

/** `x[k] ||= []`, `x[k] ??= []`, `x[k] = x[k] || []` → `x[k]` (the slot written and read). */
function slotOf(n: NNode): NNode {
  return n.k === 'assign' ? n.c[0] : n;
}

function heldBy(n: NNode | undefined, scope: ReadonlyMap<string, Held>, names: Names): Held | undefined {
  if (!n) return undefined;
  if (n.k === 'id') return scope.get(n.v ?? '') ?? names.get(n.v ?? '');
  if (n.k === 'await') return heldBy(n.c[0], scope, names);
  if (n.k === 'call' && n.c[0].k === 'mem') {
    const inner = heldBy(n.c[0].c[0], scope, names);
    if (inner?.kind === 'records' && SAME_ELEMENTS.has(n.c[0].v ?? '')) return inner;
    if (inner?.kind === 'records' && n.c[0].v === 'find') return { kind: 'record', own: inner.own };
    if (isObjectCall(n, 'values')) {
      const g = heldBy(n.c[1], scope, names);
      if (g?.kind === 'groups') return { kind: 'lists', own: g.own };
    }
    return undefined;
  }
  if (n.k === 'idx') {
    const inner = heldBy(n.c[0], scope, names);
    if (inner?.kind === 'records') return { kind: 'record', own: inner.own };
    if (inner?.kind === 'groups' || inner?.kind === 'lists') return { kind: 'records', own: inner.own };
    return undefined;
  }
  if (n.k === 'assign' && ['||=', '??='].includes(n.v ?? '')) return heldBy(n.c[0], scope, names);
  // { ...t, prev: … }: a record with t's fields, and the keys written here
  if (n.k === 'obj') {
    const spread = n.c.find((p) => p.k === 'spread' && heldBy(p.c[0], scope, names)?.kind === 'record');
    if (!spread) return undefined;
    const base = heldBy(spread.c[0], scope, names)!;
    const own = new Set(base.own);
    for (const p of n.c) if (p.k === 'prop' && p.v !== undefined) own.add(p.v);
    return { kind: 'record', own };
  }
  return undefined;
}

/** The fields read off `name` inside `body` (`name.field`; `name.trim()` calls a method, it reads no field). */
function fieldsOf(body: NNode, name: string, into: Set<string>, own: ReadonlySet<string> = NONE, parent?: NNode): void {
  const called = parent?.k === 'call' && parent.c[0] === body;
  if (body.k === 'mem' && !called && body.c[0]?.k === 'id' && body.c[0].v === name && body.v !== undefined && !own.has(body.v)) into.add(body.v);
  for (const c of body.c) fieldsOf(c, name, into, own, body);
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

/** The callback parameters an array method binds to the array's elements: reduce's second, sort's both, the others' first. */
const elementParams = (method: string): number[] => (method === 'reduce' ? [1] : method === 'sort' || method === 'toSorted' ? [0, 1] : [0]);

/**
 * The record fields the code reads off `context`'s elements, when it uses `context` as an array;
 * undefined when nothing says it is one. Records are followed through names bound to some of them
 * (`const low = context.filter(…)`), chains that keep them (`low.filter(…).slice(0, 60).map((r) => r.text)`),
 * arrays they are pushed to (`enriched.push({ ...t, prev })`: the fields read there, but `prev`),
 * groupings (`(byCard[t.card_id] ||= []).push(t)`, then `for (const list of Object.values(byCard))`,
 * `list.sort((a, b) => …)`, `list[i - 1].timestamp`) and loops and callbacks over any of these.
 */
export function contextFieldsFromUsage(tree: NNode): string[] | undefined {
  const names: Names = new Map([['context', { kind: 'records', own: NONE }]]);
  const fields = new Set<string>();
  let array = false;
  let text = false;
  let grew = true;
  const learn = (name: string | undefined, held: Held | undefined): void => {
    if (name === undefined || !held || held.kind === 'record' || names.has(name)) return;
    names.set(name, held);
    grew = true;
  };
  // scope: callback parameters and loop variables bound to records or to arrays of them
  const walk = (n: NNode, scope: ReadonlyMap<string, Held>, parent?: NNode): void => {
    const held = (e: NNode | undefined) => heldBy(e, scope, names);
    if (n.k === 'decl' && n.c[0]?.k === 'id') learn(n.c[0].v, held(n.c[1]));
    if (n.k === 'call' && n.c[0].k === 'mem') {
      const method = n.c[0].v ?? '';
      const target = n.c[0].c[0];
      const on = held(target);
      // context.split(…): text (on context or a chain of its records' arrays)
      if (on?.kind === 'records' && STRING_ONLY.has(method)) text = true;
      if ((on?.kind === 'records' || on?.kind === 'lists') && ARRAY_ONLY.has(method)) {
        if (on.kind === 'records') array = true;
        const fn = n.c[1];
        if (fn?.k === 'fn') {
          const inner = new Map(scope);
          for (const i of on.kind === 'records' ? elementParams(method) : [0]) {
            const p = paramAt(fn, i);
            if (on.kind === 'records') {
              if (p.name) fieldsOf(fn.c[2] ?? fn, p.name, fields, on.own);
              for (const k of p.keys) if (!on.own.has(k)) fields.add(k);
            }
            if (p.name) inner.set(p.name, { kind: on.kind === 'records' ? 'record' : 'records', own: on.own });
          }
          n.c.forEach((c) => walk(c, inner, n));
          return;
        }
      }
      // xs.push(record), (groups[k] ||= []).push(record)
      if (method === 'push' && n.c.slice(1).some((a) => held(a)?.kind === 'record')) {
        const pushed = held(n.c.slice(1).find((a) => held(a)?.kind === 'record'))!;
        const slot = slotOf(target);
        if (slot.k === 'id') learn(slot.v, { kind: 'records', own: pushed.own });
        if (slot.k === 'idx' && slot.c[0].k === 'id') learn(slot.c[0].v, { kind: 'groups', own: pushed.own });
      }
    }
    // records[i].field (a field, not a method: strings index to characters); it adds a field, an array method decides
    if (n.k === 'mem' && n.v !== undefined && !(parent?.k === 'call' && parent.c[0] === n)) {
      const obj = held(n.c[0]);
      if (obj?.kind === 'record' && n.c[0].k !== 'id' && !obj.own.has(n.v)) fields.add(n.v);
    }
    // for (const r of records) { … r.score … } (strings iterate too: this adds fields, it does not decide)
    if (n.k === 'forof' && n.c[0]?.k === 'id' && n.c[0].v !== undefined) {
      const over = held(n.c[1]);
      if (over?.kind === 'records' || over?.kind === 'lists') {
        if (over.kind === 'records') fieldsOf(n.c[2], n.c[0].v, fields, over.own);
        const inner = new Map(scope).set(n.c[0].v, { kind: over.kind === 'records' ? 'record' : 'records', own: over.own });
        n.c.slice(1).forEach((c) => walk(c, inner, n));
        return;
      }
    }
    for (const c of n.c) walk(c, scope, n);
  };
  while (grew) {
    grew = false;
    walk(tree, new Map());
  }
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
