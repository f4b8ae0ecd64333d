/**
 * Names of the generated function's parameters: from the role hints of their sites, lower
 * camelCase, never a reserved word, never a name the template already uses (a parameter shadowed
 * by a local variable, or shadowing one, would change what the code means), unique.
 */
import { SANDBOX_NAMES } from '../../src/contracts/sandbox-api.js';
import { patternNames } from '../front/scope.js';
import type { NNode } from '../front/tree.js';

/** Keywords and special names, the names of the sandbox API, and the names of the emitted options object. */
export const RESERVED = new Set([
  ...(
    'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in ' +
    'instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package ' +
    'private protected public await async of arguments eval undefined NaN Infinity opts options'
  ).split(' '),
  ...SANDBOX_NAMES,
]);

/** Every identifier and property-free name in the tree (bindings and references). */
export function identifiersOf(root: NNode): Set<string> {
  const out = new Set<string>();
  const walk = (n: NNode): void => {
    if (n.k === 'id' && n.v !== undefined) out.add(n.v);
    for (const ch of n.c) walk(ch);
  };
  walk(root);
  return out;
}

/** The names a function binds in its own scope: its parameters, and what its body declares outside nested functions. */
function ownBindings(fn: NNode): Set<string> {
  const out = new Set<string>();
  for (const p of fn.c[1]?.c ?? []) for (const n of patternNames(p)) out.add(n);
  const walk = (x: NNode): void => {
    if (x.k === 'fn') return;
    if ((x.k === 'decl' || x.k === 'forof' || x.k === 'forin' || x.k === 'forawait' || x.k === 'catch') && x.c[0]) for (const n of patternNames(x.c[0])) out.add(n);
    x.c.forEach(walk);
  };
  if (fn.c[2]) walk(fn.c[2]);
  return out;
}

/**
 * The names a parameter whose values sit at `sites` may not take: every name the template uses,
 * except one every use of which lies in a function that binds it itself (`async (question) => …`),
 * when no site is inside such a function — there the function's own binding shadows the parameter,
 * and at the sites nothing else goes by that name.
 */
export function namesTakenAt(root: NNode, sites: readonly (readonly number[])[]): Set<string> {
  const taken = new Set<string>();
  const shadowing = new Map<string, NNode[]>();
  const walk = (x: NNode, scopes: readonly Set<string>[], fns: readonly NNode[]): void => {
    if (x.k === 'id' && x.v !== undefined) {
      const i = scopes.findIndex((s) => s.has(x.v!));
      if (i < 0) taken.add(x.v);
      else shadowing.set(x.v, [...(shadowing.get(x.v) ?? []), fns[i]]);
    }
    const inner = x.k === 'fn' ? [[...scopes, ownBindings(x)], [...fns, x]] as const : ([scopes, fns] as const);
    for (const ch of x.c) walk(ch, inner[0], inner[1]);
  };
  walk(root, [], []);
  // a site inside a function that binds the name would read that binding, not the parameter
  for (const path of sites) {
    let node: NNode | undefined = root;
    for (const i of path) {
      if (!node) break;
      if (node.k === 'fn') for (const n of ownBindings(node)) taken.add(n);
      node = node.c[i];
    }
  }
  return taken;
}

/** How many times `name` is bound (declared, or a parameter) anywhere in the tree. */
export function bindingCount(root: NNode, name: string): number {
  let n = 0;
  const walk = (x: NNode): void => {
    if ((x.k === 'decl' || x.k === 'param' || x.k === 'rest' || x.k === 'bind' || x.k === 'dflt') && x.c[0] && patternNames(x.c[0]).includes(name)) n++;
    if ((x.k === 'forof' || x.k === 'forin' || x.k === 'forawait' || x.k === 'catch') && x.c[0] && patternNames(x.c[0]).includes(name)) n++;
    for (const ch of x.c) walk(ch);
  };
  walk(root);
  return n;
}

/** `max_chars`, `MAX-CHARS`, `CHUNK` → `maxChars`, `chunk`; '' when nothing usable is left. */
export function camelIdentifier(hint: string): string {
  const words = hint
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
  if (words.length === 0) return '';
  let name = words[0] + words.slice(1).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  if (/^[0-9]/.test(name)) name = `p${name}`;
  return name.slice(0, 40);
}

const ORDINALS = ['second', 'third', 'fourth', 'fifth'];
const QUALIFIERS = ['other', 'second', 'extra', 'another', 'further', 'additional'];

/**
 * Picks one name per parameter from its hints (best first), avoiding `taken` and each other; when
 * every hint is taken, the first gets a qualifying word (`otherSize`), never a number.
 */
export function uniqueNames(hints: readonly (readonly string[])[], taken: ReadonlySet<string>, otherParams: ReadonlySet<string> = new Set()): string[] {
  const used = new Set<string>();
  const free = (n: string) => n !== '' && !RESERVED.has(n) && !taken.has(n) && !used.has(n);
  return hints.map((list) => {
    // Names of one or two letters (`q`, `n`) say nothing: a longer hint is taken first when there is one.
    const all = list.map(camelIdentifier).filter(Boolean);
    const readable = all.filter((c) => c.length >= 3);
    const candidates = readable.length > 0 ? readable : all;
    // the same role again (a second question to the same helper): `secondQuestion`, not the helper's name for it
    const base0 = candidates[0];
    const cap0 = base0 ? base0[0].toUpperCase() + base0.slice(1) : '';
    let name = base0 && (used.has(base0) || otherParams.has(base0)) ? ORDINALS.map((o) => `${o}${cap0}`).find(free) : undefined;
    name ??= candidates.find(free);
    if (name === undefined) {
      // Never a number (`size2`): a qualifying word in front (`otherSize`, `secondSize`, ...).
      const base = candidates[0] ?? 'value';
      const cap = base[0].toUpperCase() + base.slice(1);
      const qualified = [...QUALIFIERS.map((q) => `${q}${cap}`), ...QUALIFIERS.flatMap((a) => QUALIFIERS.filter((b) => b !== a).map((b) => `${a}${b[0].toUpperCase()}${b.slice(1)}${cap}`))];
      name = qualified.find(free) ?? `${QUALIFIERS.join('')}${cap}`;
    }
    used.add(name);
    return name;
  });
}

export const isUsableName = (name: string): boolean => /^[a-z][A-Za-z0-9]*$/.test(name) && !RESERVED.has(name);

/** A name for the options object that the template does not use. */
export function optionsName(taken: ReadonlySet<string>): string {
  for (const n of ['opts', 'options', 'settings']) if (!taken.has(n)) return n;
  let i = 2;
  while (taken.has(`opts${i}`)) i++;
  return `opts${i}`;
}
