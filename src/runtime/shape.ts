/**
 * The shape of a JSON input, for the root model's first message: keys, value types, array
 * lengths and a sample record, inferred from a sample of the values (never the whole input in
 * the prompt). A user's JSON Schema (--context-schema) is shown instead when given.
 */
import { thousands } from '../util/digits.js';

/** Items of an array looked at (spread over the array), at each level. */
const SAMPLE_ITEMS = 500;
/** Keys listed per object; the rest are counted. */
const MAX_KEYS = 40;
/** Nesting levels described. */
const MAX_DEPTH = 4;
/** Characters of the sample record and of one string in it. */
const SAMPLE_CHARS = 800;
const SAMPLE_STRING_CHARS = 120;
/** Characters of a user's schema shown. */
const SCHEMA_CHARS = 6_000;

interface Node {
  /** How many values were seen, and of which JSON types. */
  seen: number;
  types: Map<string, number>;
  /** Arrays: shortest and longest, and their items merged. */
  minLen: number;
  maxLen: number;
  items?: Node;
  /** Objects: each key's values merged, in first-seen order. */
  keys?: Map<string, Node>;
}

const newNode = (): Node => ({ seen: 0, types: new Map(), minLen: Infinity, maxLen: 0 });

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** An even spread of at most SAMPLE_ITEMS items (the first and the last included). */
function sample<T>(values: readonly T[]): readonly T[] {
  if (values.length <= SAMPLE_ITEMS) return values;
  const step = (values.length - 1) / (SAMPLE_ITEMS - 1);
  return Array.from({ length: SAMPLE_ITEMS }, (_, i) => values[Math.round(i * step)]);
}

function add(node: Node, v: unknown, depth: number): void {
  node.seen++;
  const t = typeOf(v);
  node.types.set(t, (node.types.get(t) ?? 0) + 1);
  if (depth >= MAX_DEPTH) return;
  if (Array.isArray(v)) {
    node.minLen = Math.min(node.minLen, v.length);
    node.maxLen = Math.max(node.maxLen, v.length);
    node.items ??= newNode();
    for (const item of sample(v)) add(node.items, item, depth + 1);
  } else if (t === 'object') {
    node.keys ??= new Map();
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      let n = node.keys.get(k);
      if (!n) {
        if (node.keys.size >= MAX_KEYS * 4) continue;
        n = newNode();
        node.keys.set(k, n);
      }
      add(n, child, depth + 1);
    }
  }
}

const count = thousands;

function lengths(n: Node): string {
  if (n.maxLen === 0) return 'empty';
  return n.minLen === n.maxLen ? `${count(n.maxLen)} items` : `${count(n.minLen)}–${count(n.maxLen)} items`;
}

/** One line for a node's type, and the lines of what it holds (indented). */
function render(n: Node, indent: string): { type: string; lines: string[] } {
  const types = [...n.types.keys()].filter((t) => t !== 'null');
  const nullable = n.types.has('null');
  const lines: string[] = [];
  const parts = types.map((t) => {
    if (t === 'integer' && n.types.has('number')) return '';
    if (t === 'array') {
      const items = n.items && n.items.seen > 0 ? render(n.items, indent) : undefined;
      if (items) lines.push(...items.lines);
      return `array (${lengths(n)})${items ? ` of ${items.type}` : ''}`;
    }
    if (t === 'object') {
      const keys = [...(n.keys ?? new Map<string, Node>()).entries()];
      for (const [k, child] of keys.slice(0, MAX_KEYS)) {
        const r = render(child, `${indent}  `);
        const sometimes = child.seen < n.types.get('object')! ? ` (in ${count(child.seen)} of ${count(n.types.get('object')!)})` : '';
        lines.push(`${indent}  ${JSON.stringify(k)}: ${r.type}${sometimes}`, ...r.lines);
      }
      if (keys.length > MAX_KEYS) lines.push(`${indent}  ... and ${count(keys.length - MAX_KEYS)} more keys`);
      return keys.length > 0 ? `object with ${count(keys.length)} key${keys.length === 1 ? '' : 's'}` : 'object (no keys)';
    }
    return t;
  });
  const type = [...parts.filter(Boolean), ...(nullable ? ['null'] : [])].join(' | ') || 'unknown';
  return { type, lines };
}

/** A value as JSON with long strings cut, for the sample record. */
function sampleJson(v: unknown): string {
  const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' && x.length > SAMPLE_STRING_CHARS ? `${x.slice(0, SAMPLE_STRING_CHARS)}… (${count(x.length)} chars)` : x));
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
}

/** The description of a parsed JSON value's structure (several lines). */
export function describeJsonShape(value: unknown): string {
  const root = newNode();
  add(root, value, 0);
  const { type, lines } = render(root, '');
  const out = [`Its structure (inferred${Array.isArray(value) && value.length > SAMPLE_ITEMS ? ` from ${count(SAMPLE_ITEMS)} of the items` : ''}): ${type}`, ...lines];
  if (Array.isArray(value) && value.length > 0) out.push(`A sample item (context[0]): ${sampleJson(value[0])}`);
  return out.join('\n');
}

/** A user's JSON Schema of the input, as the first message shows it. */
export function describeSchema(schema: unknown): string {
  const text = JSON.stringify(schema, null, 1) ?? 'null';
  return `Its JSON Schema (given with the input):\n${text.length > SCHEMA_CHARS ? `${text.slice(0, SCHEMA_CHARS)}…` : text}`;
}
