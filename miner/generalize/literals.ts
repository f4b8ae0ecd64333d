/**
 * Literal sub-terms of a program tree: the atoms generalization may turn into parameters. Strings,
 * numbers (a leading minus included), regular expressions (their source; the flags are part of
 * the structure), the text parts of template literals, and JSON-literal arrays and objects (label
 * lists, tallies: `["a", "b"]`, `{"billing": 0, "bug": 0}`) taken as one value. An empty `[]` or
 * `{}` is not a literal: it is the seed of something the code fills, part of the structure.
 */
import type { NNode } from '../front/tree.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export type LiteralKind = 'str' | 'num' | 're' | 'tstr' | 'json';

export interface Literal {
  kind: LiteralKind;
  /** str, tstr: the text; num: the number; re: the pattern source; json: the value. */
  value: JsonValue;
  /** Regular expressions only: the flags (not a parameter; members with other flags differ in structure). */
  flags?: string;
}

function numberOf(text: string | undefined): number | undefined {
  if (text === undefined || /n$/.test(text)) return undefined;
  const n = Number(text.replace(/_/g, ''));
  return Number.isFinite(n) ? n : undefined;
}

/** The JSON value of a literal-only array/object subtree (or scalar inside one). */
function jsonOf(n: NNode): { ok: true; value: JsonValue } | { ok: false } {
  switch (n.k) {
    case 'str':
      return { ok: true, value: n.v ?? '' };
    case 'num': {
      const v = numberOf(n.v);
      return v === undefined ? { ok: false } : { ok: true, value: v };
    }
    case 'pre': {
      if (n.v !== '-' || n.c[0]?.k !== 'num') return { ok: false };
      const v = numberOf(n.c[0].v);
      return v === undefined ? { ok: false } : { ok: true, value: -v };
    }
    case 'bool':
      return { ok: true, value: n.v === 'true' };
    case 'null':
      return { ok: true, value: null };
    case 'arr': {
      const out: JsonValue[] = [];
      for (const el of n.c) {
        const v = jsonOf(el);
        if (!v.ok) return v;
        out.push(v.value);
      }
      return { ok: true, value: out };
    }
    case 'obj': {
      const out: { [key: string]: JsonValue } = {};
      for (const p of n.c) {
        if (p.k !== 'prop' || p.v === undefined || p.v === '__proto__' || Object.prototype.hasOwnProperty.call(out, p.v)) return { ok: false };
        const v = jsonOf(p.c[0]);
        if (!v.ok) return v;
        out[p.v] = v.value;
      }
      return { ok: true, value: out };
    }
    default:
      return { ok: false };
  }
}

/** Splits a regular-expression literal `/source/flags`. */
export function splitRegex(text: string): { source: string; flags: string } {
  const end = text.lastIndexOf('/');
  if (!text.startsWith('/') || end <= 0) return { source: text, flags: '' };
  return { source: text.slice(1, end), flags: text.slice(end + 1) };
}

/** The literal a node is, if it is one (an array or object only when every part is a literal). */
export function literalOf(n: NNode): Literal | undefined {
  switch (n.k) {
    case 'str':
      return { kind: 'str', value: n.v ?? '' };
    case 'tstr':
      return { kind: 'tstr', value: n.v ?? '' };
    case 'num': {
      const v = numberOf(n.v);
      return v === undefined ? undefined : { kind: 'num', value: v };
    }
    case 'pre': {
      if (n.v !== '-' || n.c[0]?.k !== 'num') return undefined;
      const v = numberOf(n.c[0].v);
      return v === undefined ? undefined : { kind: 'num', value: -v };
    }
    case 're': {
      const { source, flags } = splitRegex(n.v ?? '//');
      return { kind: 're', value: source, flags };
    }
    case 'arr':
    case 'obj': {
      // An empty `[]` / `{}` is a container the code fills (an accumulator's seed), not a value.
      if (n.c.length === 0) return undefined;
      const v = jsonOf(n);
      return v.ok ? { kind: 'json', value: v.value } : undefined;
    }
    default:
      return undefined;
  }
}

/** Same kind (and flags): one may stand for the other at a parameter position. */
export function sameLiteralKind(a: Literal, b: Literal): boolean {
  return a.kind === b.kind && (a.flags ?? '') === (b.flags ?? '');
}

/** A stable text key of a literal value (for equality and counting). */
export function valueKey(v: JsonValue): string {
  return JSON.stringify(v);
}

export interface LiteralSite {
  /** Child indices from the root. */
  path: number[];
  key: string;
  literal: Literal;
}

export const pathKey = (path: readonly number[]): string => path.join('.');

/** Every literal atom of a tree, in source order (arrays and objects of literals are one atom). */
export function literalSites(root: NNode): LiteralSite[] {
  const out: LiteralSite[] = [];
  const walk = (n: NNode, path: number[]): void => {
    const lit = literalOf(n);
    if (lit) {
      out.push({ path, key: pathKey(path), literal: lit });
      return;
    }
    for (let i = 0; i < n.c.length; i++) walk(n.c[i], [...path, i]);
  };
  walk(root, []);
  return out;
}

/** The node at a path. */
export function nodeAt(root: NNode, path: readonly number[]): NNode | undefined {
  let cur: NNode | undefined = root;
  for (const i of path) cur = cur?.c[i];
  return cur;
}
