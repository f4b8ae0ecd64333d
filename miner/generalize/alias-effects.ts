/**
 * Effects for slicing, with one more alias the front half's analysis does not follow: a mutating
 * method called on a value read out of a variable (`groups.get(key).push(x)`, `list.at(-1).push(x)`,
 * `map.get(k).count = 1`) mutates that variable's contents. Without it the slice drops such
 * statements, and the generalized function computes a different answer.
 */
import { PURE_METHODS } from '../front/names.js';
import { EffectsAnalyzer, type Effects } from '../front/scope.js';
import type { NNode } from '../front/tree.js';

/** The variable a value may alias: through members, indexing and calls of non-mutating methods. */
function aliasRoot(n: NNode): { root: string; throughCall: boolean } | undefined {
  let cur: NNode | undefined = n;
  let throughCall = false;
  while (cur) {
    if (cur.k === 'mem' || cur.k === 'idx') cur = cur.c[0];
    else if (cur.k === 'call' && cur.c[0]?.k === 'mem' && PURE_METHODS.has(cur.c[0].v ?? '')) {
      throughCall = true;
      cur = cur.c[0].c[0];
    } else break;
  }
  return cur && cur.k === 'id' && cur.v !== undefined ? { root: cur.v, throughCall } : undefined;
}

function aliasedWrites(stmt: NNode, out: Set<string>): void {
  const walk = (n: NNode): void => {
    if (n.k === 'call' && n.c[0]?.k === 'mem' && !PURE_METHODS.has(n.c[0].v ?? '')) {
      const r = aliasRoot(n.c[0].c[0]);
      if (r?.throughCall) out.add(r.root);
    }
    if (n.k === 'assign' && (n.c[0]?.k === 'mem' || n.c[0]?.k === 'idx')) {
      const r = aliasRoot(n.c[0]);
      if (r?.throughCall) out.add(r.root);
    }
    for (const ch of n.c) walk(ch);
  };
  walk(stmt);
}

export class AliasAwareEffects extends EffectsAnalyzer {
  private readonly augmented = new WeakSet<Effects>();

  override effects(stmt: NNode): Effects {
    const e = super.effects(stmt);
    if (!this.augmented.has(e)) {
      this.augmented.add(e);
      const extra = new Set<string>();
      aliasedWrites(stmt, extra);
      for (const name of extra) if (!e.declares.has(name)) e.weak.add(name);
    }
    return e;
  }
}
