/**
 * Names without a repair's number. A model that repairs a failed block often declares everything
 * again with a digit (`docs2`, `groupUnits2`, `resultText2`) because the REPL still holds the first
 * names; the function is generalized from that block, where the first names never existed. Each such
 * name takes its base name back (`docs`) when nothing else in the program is called that, and no
 * other numbered name would take the same one (nor `base1`: `step1`, `step2` is a series), and the base is no
 * keyword, global or name of the shared machinery. Property keys are untouched (only identifiers are
 * renamed; the printer writes keys and destructured names apart from the variables they bind).
 */
import type { NNode } from '../front/tree.js';
import { MACHINERY_NAMES } from './checked.js';
import { identifiersOf, RESERVED } from './param-names.js';

/** Globals a function's code may use: never a variable's new name. */
const GLOBALS = new Set(
  'JSON Math Promise String Number Boolean Array Object Map Set WeakMap WeakSet Date RegExp Error TypeError RangeError Symbol BigInt Intl Reflect Proxy globalThis parseInt parseFloat isNaN isFinite encodeURIComponent decodeURIComponent structuredClone'.split(' '),
);

/** `docs2` → `docs`: a base of three or more characters ending in a letter, and one digit from 2 to 5. */
const NUMBERED = /^([A-Za-z_$][\w$]*[A-Za-z_$])([2-5])$/;

/** The tree with repair-numbered identifiers renamed to their base names (a new tree; the input is not changed). */
export function withoutRepairNumbers(tree: NNode): { tree: NNode; renamed: Map<string, string> } {
  const names = identifiersOf(tree);
  const reserved = new Set<string>([...RESERVED, ...GLOBALS, ...MACHINERY_NAMES, 'context']);
  const byBase = new Map<string, string[]>();
  for (const name of names) {
    const m = NUMBERED.exec(name);
    if (!m || m[1].length < 3) continue;
    byBase.set(m[1], [...(byBase.get(m[1]) ?? []), name]);
  }
  const renamed = new Map<string, string>();
  for (const [base, numbered] of byBase) {
    // `step1` and `step2` are a series, not a repair
    if (numbered.length !== 1 || names.has(base) || names.has(`${base}1`) || reserved.has(base)) continue;
    renamed.set(numbered[0], base);
  }
  if (renamed.size === 0) return { tree, renamed };
  const copy = (n: NNode): NNode => ({ ...n, ...(n.k === 'id' && n.v !== undefined && renamed.has(n.v) ? { v: renamed.get(n.v) } : {}), c: n.c.map(copy) });
  return { tree: copy(tree), renamed };
}
