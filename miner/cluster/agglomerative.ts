/**
 * Average-linkage clustering of profile vectors, with the cut chosen by the data:
 *
 *  1. Average linkage, exactly and cheaply: similarities are inner products, so the mean
 *     similarity between two groups is the inner product of their mean vectors. Candidate pairs
 *     come from the kNN graph (groups that are never neighbours never merge); merges go best first.
 *  2. The cut: the merge sequence is cut at the similarity whose partition scores best by
 *     silhouette (points left out of clusters count 0, so a cut that leaves everything out, or
 *     lumps everything together, scores low). Computed over a sample of points when the pool is
 *     large. No absolute threshold is tuned on one corpus: each pass picks its own.
 *  3. Groups smaller than `minClusterSize` are noise. A noise point then joins the cluster it is
 *     closest to when its mean similarity to the members reaches `attach` × the cluster's own
 *     cohesion (mean similarity between members): a relative test that adapts to how tight each
 *     cluster is.
 *
 * Deterministic: ties broken by index, sampling by a fixed stride.
 */
import { type Accumulator, addTo, dot, dotAccumulator, mergeInto, scaled, selfDotAccumulator, type SparseVector } from '../represent/sparse.js';
import type { KnnEdge } from './knn.js';

export interface AgglomerativeOptions {
  /** Smallest group reported as a cluster (default 3). */
  minClusterSize?: number;
  /** A noise point joins a cluster at this fraction of the cluster's cohesion (default 0.7). */
  attach?: number;
  /**
   * Two clusters of the cut merge when their mean cross similarity reaches this fraction of the
   * looser one's cohesion (default: `attach`): variants of one decomposition, each tight, join up.
   */
  merge?: number;
  /** Lowest similarity at which groups may still merge (default 0.02). */
  floor?: number;
  /** Cuts whose silhouette is within this fraction of the best compete; the coarsest wins (default 0.05). */
  tolerance?: number;
  /** Points the silhouette is computed over, at most (default 3,000). */
  sample?: number;
  /** Called with each candidate cut, its silhouette and labels (for measuring the cut criterion). */
  onCut?: (cut: number, silhouette: number, labels: readonly number[]) => void;
}

export interface AgglomerativeResult {
  /** Cluster label per point (0..k−1), or −1 for noise. */
  labels: number[];
  /** The similarity at which the merge sequence was cut. */
  cut: number;
  /** Silhouette of the chosen partition (noise counted as 0). */
  silhouette: number;
  /** Per cluster label: its mean vector and cohesion. */
  clusters: { members: number[]; centroid: SparseVector; cohesion: number }[];
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

interface Merge {
  a: number;
  b: number;
  s: number;
}

/** The merge sequence of average linkage restricted to kNN-connected groups. */
function mergeSequence(vectors: readonly SparseVector[], neighbours: readonly KnnEdge[][], floor: number, weights: readonly number[]): Merge[] {
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

/** The partition after the merges with similarity ≥ cut (a prefix of the sequence). */
function partitionAt(n: number, merges: readonly Merge[], cut: number): Int32Array {
  const parent = new Int32Array(n).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const m of merges) {
    if (m.s < cut) break;
    parent[find(m.b)] = find(m.a);
  }
  const root = new Int32Array(n);
  for (let i = 0; i < n; i++) root[i] = find(i);
  return root;
}

interface Partition {
  labels: number[];
  members: number[][];
}

function labelled(root: Int32Array, minClusterSize: number, weights: readonly number[]): Partition {
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < root.length; i++) {
    const list = byRoot.get(root[i]);
    if (list) list.push(i);
    else byRoot.set(root[i], [i]);
  }
  const labels = new Array<number>(root.length).fill(-1);
  const members: number[][] = [];
  for (const list of [...byRoot.values()].sort((x, y) => x[0] - y[0])) {
    const size = list.reduce((s, i) => s + weights[i], 0);
    if (size < minClusterSize) continue;
    for (const i of list) labels[i] = members.length;
    members.push(list);
  }
  return { labels, members };
}

/** Up to this many clusters, a point's nearest other cluster is searched among all of them. */
const ALL_CLUSTERS_LIMIT = 400;

/**
 * Merges clusters of a partition that are as close to each other as their looser member is to
 * itself: mean cross similarity ≥ `ratio` × min(cohesion). Best pair first, until none qualifies.
 * Past ALL_CLUSTERS_LIMIT clusters, only clusters that are kNN neighbours are compared.
 */
function mergeRelated(p: Partition, vectors: readonly SparseVector[], neighbours: readonly KnnEdge[][], weights: readonly number[], ratio: number): Partition {
  const groups = p.members.map((list) => {
    const sum: Accumulator = new Map();
    let self = 0;
    let size = 0;
    for (const i of list) {
      addTo(sum, vectors[i], weights[i]);
      self += dot(vectors[i], vectors[i]) * weights[i];
      size += weights[i];
    }
    return { list: [...list], sum, self, size, alive: true };
  });
  const linked = new Set<string>();
  // every pair while that is affordable, else pairs that are kNN neighbours
  if (groups.length <= ALL_CLUSTERS_LIMIT) for (let a = 0; a < groups.length; a++) for (let b = a + 1; b < groups.length; b++) linked.add(`${a},${b}`);
  else for (let i = 0; i < vectors.length; i++) {
    const a = p.labels[i];
    if (a < 0) continue;
    for (const e of neighbours[i]) {
      const b = p.labels[e.j];
      if (b >= 0 && b !== a) linked.add(a < b ? `${a},${b}` : `${b},${a}`);
    }
  }
  for (;;) {
    let best: { a: number; b: number; r: number } | undefined;
    for (const key of linked) {
      const [a, b] = key.split(',').map(Number);
      const ga = groups[a];
      const gb = groups[b];
      if (!ga.alive || !gb.alive) continue;
      const cross = dotSums(ga.sum, gb.sum) / (ga.size * gb.size);
      const tighter = Math.min(cohesionOf(ga.sum, ga.size, ga.self), cohesionOf(gb.sum, gb.size, gb.self));
      const r = tighter > 0 ? cross / tighter : 0;
      if (r >= ratio && (!best || r > best.r)) best = { a, b, r };
    }
    if (!best) break;
    const ga = groups[best.a];
    const gb = groups[best.b];
    mergeInto(ga.sum, gb.sum);
    ga.self += gb.self;
    ga.size += gb.size;
    ga.list.push(...gb.list);
    gb.alive = false;
    const relinked: string[] = [];
    for (const key of linked) {
      const [a, b] = key.split(',').map(Number);
      if (a === best.b || b === best.b) {
        const other = a === best.b ? b : a;
        if (other !== best.a) relinked.push(other < best.a ? `${other},${best.a}` : `${best.a},${other}`);
        linked.delete(key);
      }
    }
    for (const key of relinked) linked.add(key);
  }
  const labels = new Array<number>(vectors.length).fill(-1);
  const members: number[][] = [];
  for (const g of groups) {
    if (!g.alive) continue;
    const list = g.list.sort((x, y) => x - y);
    for (const i of list) labels[i] = members.length;
    members.push(list);
  }
  return { labels, members };
}

/** Silhouette over a sample, noise counted 0; other clusters considered are those among a point's neighbours. */
function silhouette(vectors: readonly SparseVector[], neighbours: readonly KnnEdge[][], p: Partition, sample: number, weights: readonly number[]): number {
  const n = vectors.length;
  if (p.members.length === 0) return 0;
  const sums = p.members.map((list) => {
    const s: Accumulator = new Map();
    for (const i of list) addTo(s, vectors[i], weights[i]);
    return s;
  });
  const sizes = p.members.map((list) => list.reduce((s, i) => s + weights[i], 0));
  const stride = Math.max(1, Math.floor(n / sample));
  let total = 0;
  let count = 0;
  for (let i = 0; i < n; i += stride) {
    count += weights[i];
    const c = p.labels[i];
    if (c < 0) continue;
    const self = dot(vectors[i], vectors[i]);
    const own = sizes[c] > 1 ? (dotAccumulator(vectors[i], sums[c]) - self) / (sizes[c] - 1) : self;
    const a = 1 - own;
    let b = Infinity;
    // the nearest other cluster: all of them while that is affordable, else those among the neighbours
    const others = new Set<number>();
    if (p.members.length <= ALL_CLUSTERS_LIMIT) for (let o = 0; o < p.members.length; o++) others.add(o);
    else for (const e of neighbours[i]) if (p.labels[e.j] >= 0) others.add(p.labels[e.j]);
    others.delete(c);
    for (const o of others) b = Math.min(b, 1 - dotAccumulator(vectors[i], sums[o]) / sizes[o]);
    if (!Number.isFinite(b)) {
      // no other cluster among the neighbours: at least as far as the farthest neighbour
      const far = neighbours[i].reduce((m, e) => Math.min(m, e.similarity), 1);
      b = 1 - far;
    }
    const denom = Math.max(a, b);
    total += (denom > 0 ? (b - a) / denom : 0) * weights[i];
  }
  return count > 0 ? total / count : 0;
}

/**
 * Clusters points given their profile vectors (inner product = similarity) and kNN lists.
 * `weights`: copies each point stands for (identical programs clustered once); default 1.
 */
export function agglomerate(vectors: readonly SparseVector[], neighbours: readonly KnnEdge[][], options: AgglomerativeOptions = {}, weights?: readonly number[]): AgglomerativeResult {
  const n = vectors.length;
  const w = weights ?? new Array<number>(n).fill(1);
  const minClusterSize = options.minClusterSize ?? 3;
  const attach = options.attach ?? 0.7;
  // identical copies decide whether a group is big enough to be a cluster, not how tight it looks:
  // every other statistic counts a distinct program once
  const ones = new Array<number>(n).fill(1);
  const merges = mergeSequence(vectors, neighbours, options.floor ?? 0.02, ones);
  // candidate cuts: the distinct merge similarities, thinned to at most 60
  const sims = [...new Set(merges.map((m) => Math.round(m.s * 1000) / 1000))].sort((x, y) => y - x);
  const step = Math.max(1, Math.floor(sims.length / 60));
  const cuts = sims.filter((_, i) => i % step === 0);
  let best: { cut: number; silhouette: number; partition: Partition } = { cut: 1, silhouette: 0, partition: labelled(partitionAt(n, merges, Infinity), minClusterSize, w) };
  const scored: { cut: number; silhouette: number; partition: Partition }[] = [];
  for (const cut of cuts) {
    const partition = labelled(partitionAt(n, merges, cut), minClusterSize, w);
    const s = silhouette(vectors, neighbours, partition, options.sample ?? 3_000, ones);
    options.onCut?.(cut, s, partition.labels);
    scored.push({ cut, silhouette: s, partition });
    if (s > best.silhouette + 1e-9) best = { cut, silhouette: s, partition };
  }
  // the silhouette barely tells a family from its tight variants: of the cuts that score within
  // `tolerance` of the best, take the coarsest (the lowest cut, fewest and largest clusters)
  const tolerance = options.tolerance ?? 0.05;
  for (const c of scored) if (c.silhouette >= best.silhouette * (1 - tolerance) && c.cut < best.cut) best = c;
  const { labels, members } = mergeRelated(best.partition, vectors, neighbours, ones, options.merge ?? 0.9);
  const summarize = (list: number[]): { sum: Accumulator; self: number; size: number; cohesion: number } => {
    const sum: Accumulator = new Map();
    let self = 0;
    let size = 0;
    for (const i of list) {
      addTo(sum, vectors[i]);
      self += dot(vectors[i], vectors[i]);
      size += 1;
    }
    return { sum, self, size, cohesion: cohesionOf(sum, size, self) };
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
      if (ratio > bestRatio) {
        bestRatio = ratio;
        bestLabel = c;
      }
    }
    if (bestLabel >= 0 && bestRatio >= attach) attached[i] = bestLabel;
  }
  const finalMembers = members.map(() => [] as number[]);
  attached.forEach((c, i) => c >= 0 && finalMembers[c].push(i));
  const clusters = finalMembers.map((list) => {
    const s = summarize(list);
    return { members: list, centroid: scaled(s.sum, 1 / s.size), cohesion: s.cohesion };
  });
  return { labels: attached, cut: best.cut, silhouette: best.silhouette, clusters };
}
