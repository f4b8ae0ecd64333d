/**
 * Anti-unification of normalized trees (as in Getafix/Stitch): the most specific common
 * generalization of two trees, with holes where they differ. Children lists of different lengths
 * are aligned (sequence alignment maximizing the matched size), so an extra statement costs its
 * own size rather than derailing the rest. Local names and literal values never matter (labels
 * as in the embedding).
 *
 * cost(a, b) = 1 − 2·matched / (|a| + |b|), in [0, 1]: 0 for trees that are equal up to names
 * and literals, 1 for trees with different roots.
 */
import { nodeLabel } from '../represent/embed.js';
import type { NNode } from '../front/tree.js';

interface Prepared {
  labels: Int32Array;
  kids: Int32Array[];
  size: number;
}

const labelIds = new Map<string, number>();
const prepared = new WeakMap<NNode, Prepared>();
/** Above this many node pairs the cost is approximated from label counts. */
const MAX_PAIRS = 1_000_000;

function labelId(l: string): number {
  let id = labelIds.get(l);
  if (id === undefined) {
    if (labelIds.size > 100_000) labelIds.clear();
    id = labelIds.size;
    labelIds.set(l, id);
  }
  return id;
}

function prepare(tree: NNode): Prepared {
  const hit = prepared.get(tree);
  if (hit) return hit;
  const labels: number[] = [];
  const kids: Int32Array[] = [];
  const walk = (n: NNode): number => {
    const idx = labels.length;
    labels.push(labelId(nodeLabel(n)));
    kids.push(new Int32Array(0));
    const ch = new Int32Array(n.c.length);
    for (let i = 0; i < n.c.length; i++) ch[i] = walk(n.c[i]);
    kids[idx] = ch;
    return idx;
  };
  walk(tree);
  const p: Prepared = { labels: Int32Array.from(labels), kids, size: labels.length };
  prepared.set(tree, p);
  return p;
}

/**
 * Number of nodes in the best top-down alignment of a and b (the matched part of their
 * anti-unifier). A node of either tree may be skipped (its children aligned in its place), so
 * that a wrapper such as `String(x)` or a template around `x` costs only itself.
 */
export function matchedSize(a: NNode, b: NNode): number {
  const pa = prepare(a);
  const pb = prepare(b);
  if (pa.size * pb.size > MAX_PAIRS) return approximateMatch(pa, pb);
  const memo = new Int32Array(pa.size * pb.size).fill(-1);
  return new Matcher(pa, pb, memo).match(0, 0);
}

class Matcher {
  constructor(
    private readonly pa: Prepared,
    private readonly pb: Prepared,
    private readonly memo: Int32Array,
  ) {}

  match(i: number, j: number): number {
    const key = i * this.pb.size + j;
    const hit = this.memo[key];
    if (hit >= 0) return hit;
    let best = 0;
    const xs = this.pa.kids[i];
    const ys = this.pb.kids[j];
    if (this.pa.labels[i] === this.pb.labels[j]) best = 1 + (xs.length === 0 || ys.length === 0 ? 0 : this.align(xs, ys));
    for (let k = 0; k < ys.length; k++) best = Math.max(best, this.match(i, ys[k]));
    for (let k = 0; k < xs.length; k++) best = Math.max(best, this.match(xs[k], j));
    this.memo[key] = best;
    return best;
  }

  private align(xs: Int32Array, ys: Int32Array): number {
    const n = xs.length;
    const m = ys.length;
    let prev = new Int32Array(m + 1);
    let cur = new Int32Array(m + 1);
    for (let i = 1; i <= n; i++) {
      cur[0] = 0;
      for (let j = 1; j <= m; j++) {
        const diag = prev[j - 1] + this.match(xs[i - 1], ys[j - 1]);
        cur[j] = Math.max(prev[j], cur[j - 1], diag);
      }
      [prev, cur] = [cur, prev];
    }
    return prev[m];
  }
}

function approximateMatch(pa: Prepared, pb: Prepared): number {
  const counts = new Map<number, number>();
  for (const l of pa.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  let shared = 0;
  for (const l of pb.labels) {
    const c = counts.get(l) ?? 0;
    if (c > 0) {
      shared++;
      counts.set(l, c - 1);
    }
  }
  return shared;
}

/** Anti-unification distance in [0, 1]. */
export function antiUnificationCost(a: NNode, b: NNode): number {
  const sa = prepare(a).size;
  const sb = prepare(b).size;
  return 1 - (2 * matchedSize(a, b)) / (sa + sb);
}

/**
 * The best order-preserving pairing of two sequences (a longest-common-subsequence alignment that
 * maximizes the summed score of the paired items); unpaired items are gaps.
 */
export function alignSequences<T>(xs: readonly T[], ys: readonly T[], score: (x: T, y: T) => number): [number, number][] {
  const n = xs.length;
  const m = ys.length;
  const best: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = 1; i <= n; i++)
    for (let j = 1; j <= m; j++) best[i][j] = Math.max(best[i - 1][j], best[i][j - 1], best[i - 1][j - 1] + score(xs[i - 1], ys[j - 1]));
  const pairs: [number, number][] = [];
  let i = n;
  let j = m;
  while (i > 0 && j > 0) {
    if (best[i][j] === best[i - 1][j]) i--;
    else if (best[i][j] === best[i][j - 1]) j--;
    else {
      pairs.push([i - 1, j - 1]);
      i--;
      j--;
    }
  }
  return pairs.reverse();
}

export interface AntiUnifier {
  /** The common generalization; `{k: '?'}` nodes are holes. */
  tree: NNode;
  holes: number;
  matched: number;
}

/** The anti-unifier of two trees (labels compared as for the cost; values taken from `a`). */
export function antiUnify(a: NNode, b: NNode): AntiUnifier {
  let holes = 0;
  let matched = 0;
  const hole = (): NNode => {
    holes++;
    return { k: '?', v: undefined, c: [] };
  };
  const go = (x: NNode, y: NNode): NNode => {
    if (nodeLabel(x) !== nodeLabel(y)) return hole();
    matched++;
    const out: NNode[] = [];
    const xs = x.c;
    const ys = y.c;
    if (xs.length === ys.length) {
      for (let k = 0; k < xs.length; k++) out.push(go(xs[k], ys[k]));
    } else {
      // Align by matched size, then generalize aligned pairs; gaps become holes.
      const n = xs.length;
      const m = ys.length;
      const pairs = alignSequences(xs, ys, matchedSize);
      let lastX = 0;
      let lastY = 0;
      for (const [pi, pj] of pairs) {
        if (pi > lastX || pj > lastY) out.push(hole());
        out.push(go(xs[pi], ys[pj]));
        lastX = pi + 1;
        lastY = pj + 1;
      }
      if (lastX < n || lastY < m) out.push(hole());
    }
    return { k: x.k, v: x.v, c: out };
  };
  const tree = go(a, b);
  return { tree, holes, matched };
}
