/**
 * Canonical statement order: statements of a list that do not depend on each other (no shared
 * variable written by one and read or written by the other) are ordered by their name-free shape,
 * so that two programs that differ only in the order of independent statements print alike.
 * Statements that print, jump or call FINAL are barriers and never move.
 */
import { EffectsAnalyzer, collectFunctions, type Effects } from './scope.js';
import { printNode } from './print.js';
import { listStart, type NNode } from './tree.js';

export function canonicalOrder(root: NNode): void {
  const an = new EffectsAnalyzer(collectFunctions([root]));
  const walk = (n: NNode): void => {
    for (const ch of n.c) walk(ch);
    if (n.k === 'prog' || n.k === 'block') reorderList(n, an);
  };
  walk(root);
}

function isBarrier(s: NNode, e: Effects): boolean {
  return e.final || e.jump || e.print || s.k === 'return' || s.k === 'throw' || s.k === 'break' || s.k === 'continue' || s.k === 'label';
}

function reorderList(list: NNode, an: EffectsAnalyzer): void {
  const start = listStart(list);
  const stmts = list.c.slice(start);
  const n = stmts.length;
  if (n < 2 || n > 400) return;
  const effs = stmts.map((s) => an.effects(s));
  const defs = effs.map((e) => new Set([...e.strong, ...e.weak, ...e.declares]));
  const barrier = stmts.map((s, i) => isBarrier(s, effs[i]));
  // Dependence edges a → b (a < b) through an index of who defined and used each name so far.
  const preds: number[] = new Array<number>(n).fill(0);
  const succ: number[][] = stmts.map(() => []);
  const definers = new Map<string, number[]>();
  const users = new Map<string, number[]>();
  const barriers: number[] = [];
  const add = (into: Map<string, number[]>, name: string, i: number): void => {
    const list = into.get(name);
    if (list) list.push(i);
    else into.set(name, [i]);
  };
  for (let b = 0; b < n; b++) {
    const from = new Set<number>(barriers);
    if (barrier[b]) for (let a = 0; a < b; a++) from.add(a);
    else {
      for (const u of effs[b].uses) for (const a of definers.get(u) ?? []) from.add(a);
      for (const d of defs[b]) {
        for (const a of definers.get(d) ?? []) from.add(a);
        for (const a of users.get(d) ?? []) from.add(a);
      }
    }
    for (const a of from) {
      succ[a].push(b);
      preds[b]++;
    }
    if (barrier[b]) barriers.push(b);
    for (const u of effs[b].uses) add(users, u, b);
    for (const d of defs[b]) add(definers, d, b);
  }
  // Shape keys are printed only when there is a choice to make.
  const keyCache: (string | undefined)[] = new Array<string | undefined>(n);
  const key = (i: number): string => (keyCache[i] ??= printNode(stmts[i], { abstract: true, anonymize: true }));
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (preds[i] === 0) ready.push(i);
  const order: number[] = [];
  while (ready.length > 0) {
    let best = 0;
    for (let r = 1; r < ready.length; r++) {
      const x = ready[r];
      const y = ready[best];
      const kx = key(x);
      const ky = key(y);
      if (kx < ky || (kx === ky && x < y)) best = r;
    }
    const i = ready.splice(best, 1)[0];
    order.push(i);
    for (const s of succ[i]) if (--preds[s] === 0) ready.push(s);
  }
  if (order.length !== n) return;
  list.c = [...list.c.slice(0, start), ...order.map((i) => stmts[i])];
}
