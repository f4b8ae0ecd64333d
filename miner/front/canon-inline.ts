/**
 * Inlining of single-use bindings, so that naming an intermediate result (or a prompt, or a
 * callback) and writing it inline normalize alike:
 *   const q = `...${t}`; chunks.map(c => llm(q, c))   → chunks.map(c => llm(`...${t}`, c))
 *   const r = llm(q, c); return r                      → return llm(q, c)
 *   const f = x => llm(q, x); xs.map(f)                → xs.map(x => llm(q, x))
 *   ((x) => e)(a)                                      → e[x := a]   (a a name or literal)
 * A binding is inlined only when it is read exactly once, never written, nothing between its
 * definition and its use writes what it reads, and (unless it is cheap and pure) the use is not
 * inside a loop body or a function that would evaluate it more often.
 */
import { EffectsAnalyzer, collectFunctions } from './scope.js';
import { isKeptGlobal, PURE_METHODS } from './names.js';
import { isId, some, STATEMENT_LIST_KINDS, listStart, type NNode } from './tree.js';

/** Longer statement lists are left alone (the scan is quadratic; such programs are outliers). */
const MAX_LIST = 300;

/** Inlines single-use bindings in every statement list of the tree (inner lists first). */
export function inlineSingleUse(root: NNode): boolean {
  let changed = false;
  let fns: Map<string, NNode> | undefined;
  const getFns = (): Map<string, NNode> => (fns ??= collectFunctions([root]));
  const walk = (n: NNode): void => {
    for (const ch of n.c) walk(ch);
    if (STATEMENT_LIST_KINDS.has(n.k) && inlineInList(n, getFns)) changed = true;
  };
  walk(root);
  return changed;
}

/**
 * One forward inlining pass over a statement list; `fns` supplies the program's functions (for
 * the effects of calls) and is only called when needed. Returns true if anything was inlined.
 */
export function inlineInList(list: NNode, fns: () => ReadonlyMap<string, NNode>): boolean {
  if (list.c.length > MAX_LIST) return false;
  return inlineList(list, fns);
}

function countOccurrences(nodes: readonly NNode[], name: string, limit: number): number {
  let count = 0;
  const walk = (n: NNode): void => {
    if (count > limit) return;
    if (n.k === 'id' && n.v === name) count++;
    for (const ch of n.c) walk(ch);
  };
  for (const n of nodes) walk(n);
  return count;
}

const ARITHMETIC = new Set(['+', '-', '*', '/', '%']);

function isCheap(n: NNode): boolean {
  switch (n.k) {
    case 'str':
    case 'num':
    case 're':
    case 'bool':
    case 'null':
    case 'id':
    case 'fn':
    case 'tstr':
      return true;
    case 'mem':
      return isCheap(n.c[0]);
    case 'tpl':
      return n.c.every(isCheap);
    case 'bin':
      return ARITHMETIC.has(n.v ?? '') && isCheap(n.c[0]) && isCheap(n.c[1]);
    case 'call':
      // Math.ceil(s.length / N) and the like: pure, cheap to re-evaluate.
      return n.c[0].k === 'mem' && isId(n.c[0].c[0], 'Math') && n.c.slice(1).every(isCheap);
    default:
      return false;
  }
}

interface UseSite {
  parent: NNode;
  index: number;
  /** The use sits in a loop body or a function body relative to the statement. */
  repeated: boolean;
  /** The use is a write or a possibly mutating method receiver. */
  written: boolean;
}

/** Children that may run more than once per run of their parent statement. */
function repeatsChild(parent: NNode, i: number): boolean {
  switch (parent.k) {
    case 'fn':
      return true;
    case 'for':
      return i > 0;
    case 'forof':
    case 'forawait':
    case 'forin':
      return i === 2;
    case 'while':
    case 'do':
      return true;
    default:
      return false;
  }
}

function findUse(stmt: NNode, name: string): UseSite | undefined {
  let found: UseSite | undefined;
  const walk = (n: NNode, parent: NNode | undefined, repeated: boolean): void => {
    for (let i = 0; i < n.c.length && !found; i++) {
      const ch = n.c[i];
      if (ch.k === 'id' && ch.v === name) {
        found = { parent: n, index: i, repeated, written: isWritePosition(n, i, parent) };
        return;
      }
      walk(ch, n, repeated || repeatsChild(n, i));
    }
  };
  walk(stmt, undefined, false);
  return found;
}

function isWritePosition(parent: NNode, i: number, grand: NNode | undefined): boolean {
  if (parent.k === 'assign' && i === 0) return true;
  if ((parent.k === 'pre' || parent.k === 'post') && (parent.v === '++' || parent.v === '--' || parent.v === 'delete')) return true;
  if ((parent.k === 'forof' || parent.k === 'forin' || parent.k === 'forawait') && i === 0) return true;
  if (parent.k === 'decl' && i === 0) return true;
  if (parent.k === 'param' || parent.k === 'bind' || parent.k === 'rest' || parent.k === 'dflt' || parent.k === 'apat' || parent.k === 'opat') return true;
  if (parent.k === 'mem' && i === 0 && grand?.k === 'call' && grand.c[0] === parent && parent.v !== undefined && !PURE_METHODS.has(parent.v)) return true;
  if (parent.k === 'mem' && i === 0 && grand?.k === 'assign' && grand.c[0] === parent) return true;
  return false;
}

/** Occurrences of every name in the list's statements. Inlining moves names, so totals stay valid. */
function nameCounts(list: NNode): Map<string, number> {
  const counts = new Map<string, number>();
  const walk = (n: NNode): void => {
    if (n.k === 'id' && n.v !== undefined) counts.set(n.v, (counts.get(n.v) ?? 0) + 1);
    for (const ch of n.c) walk(ch);
  };
  for (let k = listStart(list); k < list.c.length; k++) walk(list.c[k]);
  return counts;
}

/** One forward pass over the list; returns true if anything was inlined. */
function inlineList(list: NNode, fns: () => ReadonlyMap<string, NNode>): boolean {
  let changed = false;
  let i = listStart(list);
  let counts: Map<string, number> | undefined;
  while (i < list.c.length) {
    const s = list.c[i];
    if (s.k === 'var' && s.v !== 'class' && s.c.length === 1 && s.c[0].c[1] !== undefined) {
      counts ??= nameCounts(list);
      if (inlineAt(list, i, fns, counts)) {
        changed = true;
        continue;
      }
    }
    i++;
  }
  return changed;
}

function inlineAt(list: NNode, i: number, fns: () => ReadonlyMap<string, NNode>, counts: Map<string, number>): boolean {
  const s = list.c[i];
  if (s.k !== 'var' || s.v === 'class' || s.c.length !== 1) return false;
  const decl = s.c[0];
  const target = decl.c[0];
  const init = decl.c[1];
  if (!init || target.k !== 'id' || !target.v || isKeptGlobal(target.v)) return false;
  const name = target.v;
  if (isLiteral(init) && s.v !== 'var') {
    if (!propagateLiteral(list, i, name, init)) return false;
    counts.set(name, 0);
    return true;
  }
  // The declaration and exactly one use (which must come after it: a function declared earlier may read it).
  if (counts.get(name) !== 2 || some(init, (x) => isId(x, name))) return false;
  let u = -1;
  for (let k = i + 1; k < list.c.length; k++) {
    if (some(list.c[k], (x) => isId(x, name))) {
      u = k;
      break;
    }
  }
  if (u < 0) return false;
  const site = findUse(list.c[u], name);
  if (!site || site.written) return false;
  if (site.repeated && !isCheap(init)) return false;
  if (u > i + 1) {
    const an = new EffectsAnalyzer(fns());
    const reads = an.effects({ k: 'expr', v: undefined, c: [init] }).uses;
    let clash = false;
    for (let k = i + 1; k < u && !clash; k++) {
      const e = an.effects(list.c[k]);
      for (const r of reads) if (e.strong.has(r) || e.weak.has(r)) clash = true;
    }
    if (clash) return false;
  }
  site.parent.c[site.index] = init;
  list.c.splice(i, 1);
  counts.set(name, 0);
  return true;
}

function isLiteral(n: NNode): boolean {
  return n.k === 'str' || n.k === 'num' || n.k === 're' || n.k === 'bool' || n.k === 'null' || (n.k === 'pre' && n.v === '-' && n.c[0].k === 'num');
}

/** Every use of a literal constant is replaced by the literal (when it is never written). */
function propagateLiteral(list: NNode, i: number, name: string, init: NNode): boolean {
  const start = listStart(list);
  if (countOccurrences(list.c.slice(start, i), name, 0) !== 0) return false;
  const sites: UseSite[] = [];
  const collect = (n: NNode, parent: NNode | undefined): void => {
    for (let k = 0; k < n.c.length; k++) {
      const ch = n.c[k];
      if (ch.k === 'id' && ch.v === name) sites.push({ parent: n, index: k, repeated: false, written: isWritePosition(n, k, parent) });
      else collect(ch, n);
    }
  };
  for (let k = i + 1; k < list.c.length; k++) collect(list.c[k], list);
  if (sites.some((x) => x.written)) return false;
  for (const site of sites) site.parent.c[site.index] = { ...init, c: init.c.map((x) => ({ ...x })) };
  list.c.splice(i, 1);
  return true;
}

