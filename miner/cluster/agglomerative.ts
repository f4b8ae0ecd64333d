/**
 * Average-linkage clustering of profile vectors, with clusters chosen by the data:
 *
 *  1. Average linkage, exactly and cheaply: similarities are inner products, so the mean
 *     similarity between two groups is the inner product of their mean vectors. Candidate pairs
 *     come from the kNN graph (groups that are never neighbours never merge); merges go best first.
 *  2. Which groups of that hierarchy are clusters: the most stable ones (stability.ts, HDBSCAN's
 *     excess of mass on this hierarchy) — each cluster at the similarity that suits it, no global
 *     threshold. Groups smaller than `minClusterSize` are noise.
 *  3. A noise point then joins the cluster it is closest to when its mean similarity to the members
 *     reaches `attach` × the cluster's own cohesion (mean similarity between members): a relative
 *     test that adapts to how tight each cluster is.
 *
 * Deterministic: ties broken by index.
 */
import { type Accumulator, addTo, dot, dotAccumulator, mergeInto, scaled, selfDotAccumulator, type SparseVector } from '../represent/sparse.js';
import type { KnnEdge } from './knn.js';
import { type Merge, selectStableClusters } from './stability.js';

export interface AgglomerativeOptions {
  /** Smallest group reported as a cluster (default 3). */
  minClusterSize?: number;
  /** A noise point joins a cluster at this fraction of the cluster's cohesion (default 0.7). */
  attach?: number;
  /** Lowest similarity at which groups may still merge (default 0). */
  floor?: number;
}

export interface AgglomerativeResult {
  /** Cluster label per point (0..k−1), or −1 for noise. */
  labels: number[];
  /** Per cluster label: its members, mean vector, cohesion and stability. */
  clusters: { members: number[]; centroid: SparseVector; cohesion: number; stability: number }[];
}

interface Group {
  sum: Accumulator;
  size: number;
  /** Σ |v|² over members, for cohesion. */
  self: number;
  partners: Set<number>;
  alive: boolean;
}

/** Mean pairwise similarity between distinct members, from the sum vector and Σ|v|². */
export function cohesionOf(sum: Accumulator, size: number, self: number): number {
  if (size < 2) return 1;
  return (selfDotAccumulator(sum) - self) / (size * (size - 1));
}

/** Inner product of two sums (iterating the smaller). */
function dotSums(a: Accumulator, b: Accumulator): number {
  const [x, y] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, v] of x) {
    const u = y.get(k);
    if (u !== undefined) s += v * u;
  }
  return s;
}

function accumulatorOf(v: SparseVector): Accumulator {
  const acc: Accumulator = new Map();
  addTo(acc, v);
  return acc;
}

interface HeapEntry {
  s: number;
  a: number;
  b: number;
  /** Versions of a and b when the entry was pushed. */
  va: number;
  vb: number;
}

class MaxHeap {
  private readonly items: HeapEntry[] = [];
  get size(): number {
    return this.items.length;
  }
  private better(i: number, j: number): boolean {
    const x = this.items[i];
    const y = this.items[j];
    return x.s > y.s || (x.s === y.s && (x.a < y.a || (x.a === y.a && x.b < y.b)));
  }
  push(item: HeapEntry): void {
    this.items.push(item);
    let i = this.items.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.better(i, p)) break;
      [this.items[i], this.items[p]] = [this.items[p], this.items[i]];
      i = p;
    }
  }
  pop(): HeapEntry | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length > 0 && last) {
      this.items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < this.items.length && this.better(l, m)) m = l;
        if (r < this.items.length && this.better(r, m)) m = r;
        if (m === i) break;
        [this.items[i], this.items[m]] = [this.items[m], this.items[i]];
        i = m;
      }
    }
    return top;
  }
}


/** The merge sequence of average linkage restricted to kNN-connected groups. */
export function mergeSequence(vectors: readonly SparseVector[], neighbours: readonly KnnEdge[][], floor: number, weights: readonly number[]): Merge[] {
  const n = vectors.length;
  const groups: Group[] = vectors.map((v, i) => {
    const sum = accumulatorOf(v);
    if (weights[i] !== 1) for (const [k, x] of sum) sum.set(k, x * weights[i]);
    return { sum, size: weights[i], self: dot(v, v) * weights[i], partners: new Set<number>(), alive: true };
  });
  for (let i = 0; i < n; i++) {
    for (const e of neighbours[i]) {
      if (e.j === i || e.j < 0 || e.j >= n) continue;
      groups[i].partners.add(e.j);
      groups[e.j].partners.add(i);
    }
  }
  const sim = (a: number, b: number): number => dotSums(groups[a].sum, groups[b].sum) / (groups[a].size * groups[b].size);
  const heap = new MaxHeap();
  // a merged group keeps the smaller index; an entry is stale once either group changed since it was pushed
  const version = new Int32Array(n);
  for (let i = 0; i < n; i++) for (const j of groups[i].partners) if (i < j) heap.push({ s: sim(i, j), a: i, b: j, va: 0, vb: 0 });
  const merges: Merge[] = [];
  while (heap.size > 0) {
    const top = heap.pop() as HeapEntry;
    if (top.s < floor) break;
    const { a, b } = top;
    if (!groups[a].alive || !groups[b].alive) continue;
    if (top.va !== version[a] || top.vb !== version[b]) continue;
    const keep = Math.min(a, b);
    const drop = Math.max(a, b);
    const g = groups[keep];
    const h = groups[drop];
    mergeInto(g.sum, h.sum);
    g.size += h.size;
    g.self += h.self;
    h.alive = false;
    for (const p of h.partners) {
      if (p === keep) continue;
      groups[p].partners.delete(drop);
      if (groups[p].alive) {
        groups[p].partners.add(keep);
        g.partners.add(p);
      }
    }
    g.partners.delete(drop);
    h.partners.clear();
    version[keep]++;
    merges.push({ a: keep, b: drop, s: top.s });
    for (const p of g.partners) {
      if (!groups[p].alive) continue;
      const lo = Math.min(keep, p);
      const hi = Math.max(keep, p);
      heap.push({ s: sim(keep, p), a: lo, b: hi, va: version[lo], vb: version[hi] });
    }
  }
  return merges;
}

export function agglomerate(vectors: readonly SparseVector[], neighbours: readonly KnnEdge[][], options: AgglomerativeOptions = {}, weights?: readonly number[]): AgglomerativeResult {
  const n = vectors.length;
  const w = weights ?? new Array<number>(n).fill(1);
  const minClusterSize = options.minClusterSize ?? 3;
  const attach = options.attach ?? 0.7;
  // identical copies decide whether a group is big enough to be a cluster, not how tight it looks:
  // the hierarchy and cohesion count a distinct program once
  const ones = new Array<number>(n).fill(1);
  const merges = mergeSequence(vectors, neighbours, options.floor ?? 0, ones);
  const { labels, stability } = selectStableClusters(n, merges, minClusterSize, w);
  const members: number[][] = stability.map(() => []);
  labels.forEach((c, i) => c >= 0 && members[c].push(i));
  const summarize = (list: number[]): { sum: Accumulator; self: number; size: number; cohesion: number } => {
    const sum: Accumulator = new Map();
    let self = 0;
    for (const i of list) {
      addTo(sum, vectors[i]);
      self += dot(vectors[i], vectors[i]);
    }
    return { sum, self, size: list.length, cohesion: cohesionOf(sum, list.length, self) };
  };
  const stats = members.map(summarize);
  // attach noise points that sit as close to a cluster as its own members do
  const attached = [...labels];
  for (let i = 0; i < n; i++) {
    if (labels[i] >= 0) continue;
    let bestRatio = -Infinity;
    let bestLabel = -1;
    const seen = new Set<number>();
    for (const e of neighbours[i]) {
      const c = labels[e.j];
      if (c < 0 || seen.has(c)) continue;
      seen.add(c);
      const mean = dotAccumulator(vectors[i], stats[c].sum) / stats[c].size;
      const ratio = stats[c].cohesion > 0 ? mean / stats[c].cohesion : 0;
      if (ratio > bestRatio || (ratio === bestRatio && c < bestLabel)) {
        bestRatio = ratio;
        bestLabel = c;
      }
    }
    if (bestLabel >= 0 && bestRatio >= attach) attached[i] = bestLabel;
  }
  const finalMembers = members.map(() => [] as number[]);
  attached.forEach((c, i) => c >= 0 && finalMembers[c].push(i));
  const clusters = finalMembers.map((list, c) => {
    const s = summarize(list);
    return { members: list, centroid: scaled(s.sum, 1 / s.size), cohesion: s.cohesion, stability: stability[c] };
  });
  return { labels: attached, clusters };
}
