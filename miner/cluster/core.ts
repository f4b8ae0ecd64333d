/**
 * In-memory clustering of analyzed programs, driven by a kNN source (brute force in tests, pgvector
 * HNSW in the database layer):
 *
 *  0. Identical programs (same fingerprint) are clustered once, as one item weighted by its copies.
 *  1. kNN graph: each item's k nearest neighbours with cosine similarity ≥ τ; an edge needs one
 *     end in the other's list (`edges: 'any'`, the default) or both (`'mutual'`).
 *  2. Density (HDBSCAN-lite): items with at least `minCore` neighbours within τ (copies count) are
 *     core points; clusters are the connected components of core points; a non-core item joins
 *     the cluster of its most similar core neighbour; everything else is noise.
 *  3. Refinement by anti-unification: each cluster's medoid is the member with the least total
 *     anti-unification cost to the others; members whose cost to the medoid exceeds `maxCost` are
 *     split off as noise. Clusters smaller than `minClusterSize` dissolve into noise.
 *
 * Defaults were tuned on the labelled corpus (corpus.ts): within-family cosine ≥ ~0.77,
 * across-family ≤ ~0.75, within-family anti-unification cost ≤ ~0.4.
 *
 * `assignToExisting` handles incremental passes: new items join an existing cluster when they are
 * close to its centroid and cheap to anti-unify with its medoid; cluster ids never change.
 */
import { antiUnificationCost } from './antiunify.js';
import { cosine } from '../represent/embed.js';
import type { NNode } from '../front/tree.js';

export interface ClusterItem {
  id: string;
  /** L2-normalized structural embedding. */
  embedding: readonly number[];
  /** Normalized tree (ProgramAnalysis.tree); used by the default anti-unification cost. */
  tree?: NNode;
  /** Fingerprint of the normalized program: items that share one are clustered as one. */
  fingerprint?: string;
}

export interface Neighbor {
  id: string;
  similarity: number;
}

/** The k nearest neighbours of an item (it may or may not include the item itself). */
export type KnnFn = (item: ClusterItem, k: number) => Neighbor[] | Promise<Neighbor[]>;

/** Anti-unification distance in [0, 1] between two items. */
export type CostFn = (a: ClusterItem, b: ClusterItem) => number;

export interface ClusterOptions {
  /** Neighbours fetched per item (default 10). */
  k?: number;
  /** Minimum cosine similarity of an edge, τ (default 0.8). */
  minSimilarity?: number;
  /** Neighbours (within τ) needed to be a core point; identical copies count (default 2). */
  minCore?: number;
  /** 'mutual': an edge needs each end in the other's kNN list; 'any': either list (default 'any'). */
  edges?: 'mutual' | 'any';
  /** Smallest cluster kept (default 3). */
  minClusterSize?: number;
  /** Anti-unification distance to the medoid above which a member is split off (default 0.45). */
  maxCost?: number;
  /** Anti-unification cost; default: {@link antiUnificationCost} of the items' trees (0 if either has none). */
  cost?: CostFn;
  /** Id for the i-th new cluster (default `c${i}`). Must not return an id already in use. */
  newClusterId?: (index: number) => string;
}

export interface Cluster {
  id: string;
  /** Member ids, sorted. */
  members: string[];
  medoid: string;
  /** Mean of the members' embeddings, L2-normalized. */
  centroid: number[];
}

export interface ClusterResult {
  clusters: Cluster[];
  /** Every input id → its cluster id, or null for noise. */
  assignments: Map<string, string | null>;
  noise: string[];
}

const DEFAULTS = { k: 10, minSimilarity: 0.8, minCore: 2, minClusterSize: 3, maxCost: 0.45, edges: 'any' as 'mutual' | 'any' };

export function defaultCost(a: ClusterItem, b: ClusterItem): number {
  if (!a.tree || !b.tree) return 0;
  return antiUnificationCost(a.tree, b.tree);
}

/** Brute-force cosine kNN over a fixed set of items (for tests and small batches). */
export function bruteForceKnn(items: readonly ClusterItem[]): KnnFn {
  return (item, k) => {
    const scored: Neighbor[] = [];
    for (const other of items) scored.push({ id: other.id, similarity: cosine(item.embedding, other.embedding) });
    scored.sort((x, y) => y.similarity - x.similarity || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    return scored.slice(0, k + 1);
  };
}

/** Mean of embeddings, L2-normalized. */
export function centroidOf(embeddings: readonly (readonly number[])[]): number[] {
  const dim = embeddings[0]?.length ?? 0;
  const c = new Array<number>(dim).fill(0);
  for (const e of embeddings) for (let i = 0; i < dim; i++) c[i] += e[i];
  let norm = 0;
  for (const x of c) norm += x * x;
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  return c.map((x) => x * inv);
}

class UnionFind {
  private readonly parent: number[];
  constructor(n: number) {
    this.parent = Array.from({ length: n }, (_, i) => i);
  }
  find(x: number): number {
    while (this.parent[x] !== x) {
      this.parent[x] = this.parent[this.parent[x]];
      x = this.parent[x];
    }
    return x;
  }
  union(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
}

/** Medoid candidates and comparison set, among the members closest to the centroid (bounds the anti-unification work). */
const MEDOID_CANDIDATES = 12;
const MEDOID_OTHERS = 30;

/**
 * The member with the least total (weighted) anti-unification cost to the others, among the
 * members closest to the centroid. `weight` counts identical copies of a member (default 1).
 */
export function medoidOf(members: readonly ClusterItem[], centroid: readonly number[], cost: CostFn, weight: (m: ClusterItem) => number = () => 1): ClusterItem {
  const byCentroid = members
    .map((m) => ({ m, sim: cosine(m.embedding, centroid) }))
    .sort((a, b) => b.sim - a.sim || (a.m.id < b.m.id ? -1 : a.m.id > b.m.id ? 1 : 0))
    .map((x) => x.m);
  const candidates = byCentroid.slice(0, MEDOID_CANDIDATES);
  const others = byCentroid.slice(0, MEDOID_OTHERS);
  let best = candidates[0];
  let bestCost = Infinity;
  for (const c of candidates) {
    let total = 0;
    for (const o of others) if (o !== c) total += weight(o) * cost(c, o);
    if (total < bestCost - 1e-12) {
      best = c;
      bestCost = total;
    }
  }
  return best;
}

function embeddingKey(e: readonly number[]): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x12345678;
  for (let i = 0; i < e.length; i++) {
    const q = Math.round(e[i] * 1e9) | 0;
    h1 = Math.imul(h1 ^ q, 0x01000193);
    h2 = Math.imul(h2 + q, 0x85ebca6b) ^ (h2 >>> 13);
  }
  return `${e.length}:${(h1 >>> 0).toString(36)}:${(h2 >>> 0).toString(36)}`;
}

/** Identical programs (same fingerprint, or same embedding) are clustered once, as one weighted item. */
function dedupe(items: readonly ClusterItem[]): { reps: ClusterItem[]; weight: number[]; copies: Map<string, string[]> } {
  const byKey = new Map<string, number>();
  const reps: ClusterItem[] = [];
  const weight: number[] = [];
  const copies = new Map<string, string[]>();
  for (const it of items) {
    const key = it.fingerprint ?? embeddingKey(it.embedding);
    const at = byKey.get(key);
    if (at === undefined) {
      byKey.set(key, reps.length);
      reps.push(it);
      weight.push(1);
      copies.set(it.id, [it.id]);
    } else {
      weight[at]++;
      copies.get(reps[at].id)?.push(it.id);
    }
  }
  return { reps, weight, copies };
}

/** Clusters items; deterministic for a given input order, kNN source and options. */
export async function clusterItems(items: readonly ClusterItem[], knn: KnnFn, options: ClusterOptions = {}): Promise<ClusterResult> {
  const o = { ...DEFAULTS, ...options };
  const cost = options.cost ?? defaultCost;
  const { reps, weight, copies } = dedupe(items);
  const index = new Map<string, number>();
  reps.forEach((it, i) => index.set(it.id, i));
  const n = reps.length;

  // 1. kNN lists over distinct programs (similarity ≥ τ, self and duplicates excluded).
  const near: Map<number, number>[] = [];
  for (const it of reps) {
    const list = await knn(it, o.k + weight[index.get(it.id) ?? 0]);
    const m = new Map<number, number>();
    for (const nb of list) {
      const j = index.get(nb.id);
      if (j === undefined || nb.id === it.id || nb.similarity < o.minSimilarity) continue;
      if (m.size >= o.k) break;
      m.set(j, nb.similarity);
    }
    near.push(m);
  }
  const edges: Map<number, number>[] = near.map(() => new Map());
  for (let i = 0; i < n; i++) {
    for (const [j, s] of near[i]) {
      if (o.edges === 'mutual' && !near[j].has(i)) continue;
      edges[i].set(j, s);
      edges[j].set(i, s);
    }
  }

  // 2. Core points (copies of a program count as its neighbours), components, border points.
  const core = edges.map((m, i) => m.size + weight[i] - 1 >= o.minCore);
  const uf = new UnionFind(n);
  for (let i = 0; i < n; i++) if (core[i]) for (const j of edges[i].keys()) if (core[j]) uf.union(i, j);
  const groupOf = new Array<number>(n).fill(-1);
  for (let i = 0; i < n; i++) if (core[i]) groupOf[i] = uf.find(i);
  for (let i = 0; i < n; i++) {
    if (core[i]) continue;
    let best = -1;
    let bestSim = -Infinity;
    for (const [j, s] of near[i]) {
      if (core[j] && s > bestSim) {
        best = j;
        bestSim = s;
      }
    }
    if (best >= 0) groupOf[i] = groupOf[best];
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (groupOf[i] < 0) continue;
    const g = groups.get(groupOf[i]);
    if (g) g.push(i);
    else groups.set(groupOf[i], [i]);
  }

  // 3. Refinement by anti-unification cost to the medoid (over distinct programs, weighted by copies).
  const weightOf = (m: ClusterItem): number => weight[index.get(m.id) ?? 0];
  const total = (members: readonly ClusterItem[]): number => members.reduce((t, m) => t + weightOf(m), 0);
  const kept: { reps: ClusterItem[]; medoid: ClusterItem }[] = [];
  for (const idxs of groups.values()) {
    let members = idxs.map((i) => reps[i]);
    if (total(members) < o.minClusterSize) continue;
    let medoid = members[0];
    for (let round = 0; round < 3; round++) {
      const centroid = centroidOf(members.map((m) => m.embedding));
      medoid = medoidOf(members, centroid, cost, weightOf);
      const close = members.filter((m) => m === medoid || cost(m, medoid) <= o.maxCost);
      if (close.length === members.length) break;
      members = close;
    }
    if (total(members) >= o.minClusterSize) kept.push({ reps: members, medoid });
  }
  return finish(items, kept, copies, options.newClusterId ?? ((i) => `c${i}`));
}

function finish(
  items: readonly ClusterItem[],
  groups: { reps: ClusterItem[]; medoid: ClusterItem }[],
  copies: ReadonlyMap<string, string[]>,
  newId: (i: number) => string,
): ClusterResult {
  const byId = new Map(items.map((it) => [it.id, it]));
  const expanded = groups.map((g) => ({
    medoid: g.medoid.id,
    members: g.reps.flatMap((r) => copies.get(r.id) ?? [r.id]).sort(),
  }));
  expanded.sort((a, b) => (a.members[0] < b.members[0] ? -1 : a.members[0] > b.members[0] ? 1 : 0));
  const assignments = new Map<string, string | null>();
  for (const it of items) assignments.set(it.id, null);
  const clusters: Cluster[] = expanded.map((g, i) => {
    const id = newId(i);
    for (const m of g.members) assignments.set(m, id);
    const centroid = centroidOf(g.members.map((m) => byId.get(m)?.embedding ?? []));
    return { id, members: g.members, medoid: g.medoid, centroid };
  });
  const noise = items.filter((it) => assignments.get(it.id) === null).map((it) => it.id);
  return { clusters, assignments, noise };
}

/** An existing cluster as stored: its id, centroid, size and medoid item. */
export interface ExistingCluster {
  id: string;
  centroid: readonly number[];
  size: number;
  medoid: ClusterItem;
}

export interface AssignOptions {
  /** Minimum cosine similarity to a cluster's centroid to join it (default 0.8). */
  minSimilarity?: number;
  /** Maximum anti-unification cost to the cluster's medoid (default 0.45). */
  maxCost?: number;
  cost?: CostFn;
}

export interface AssignResult {
  /** Every input id → the id of the cluster it joined, or null. */
  assignments: Map<string, string | null>;
  /** Updated centroid and size of every cluster that gained members. */
  updated: Map<string, { centroid: number[]; size: number }>;
  /** Items that joined no cluster. */
  unassigned: ClusterItem[];
}

/**
 * Incremental pass: each new item joins the existing cluster whose centroid it is most similar to,
 * if that similarity is ≥ the threshold and its anti-unification cost to the medoid is ≤ maxCost.
 * Cluster ids are never changed; centroids are updated as running means.
 */
export function assignToExisting(items: readonly ClusterItem[], clusters: readonly ExistingCluster[], options: AssignOptions = {}): AssignResult {
  const minSim = options.minSimilarity ?? DEFAULTS.minSimilarity;
  const maxCost = options.maxCost ?? DEFAULTS.maxCost;
  const cost = options.cost ?? defaultCost;
  const state = new Map<string, { sum: number[]; size: number }>();
  const assignments = new Map<string, string | null>();
  const unassigned: ClusterItem[] = [];
  for (const it of items) {
    const ranked = clusters
      .map((c) => ({ c, sim: cosine(it.embedding, c.centroid) }))
      .filter((x) => x.sim >= minSim)
      .sort((a, b) => b.sim - a.sim || (a.c.id < b.c.id ? -1 : 1));
    const hit = ranked.find((x) => cost(it, x.c.medoid) <= maxCost);
    if (!hit) {
      assignments.set(it.id, null);
      unassigned.push(it);
      continue;
    }
    assignments.set(it.id, hit.c.id);
    let s = state.get(hit.c.id);
    if (!s) {
      s = { sum: hit.c.centroid.map((x) => x * hit.c.size), size: hit.c.size };
      state.set(hit.c.id, s);
    }
    for (let i = 0; i < s.sum.length; i++) s.sum[i] += it.embedding[i];
    s.size++;
  }
  const updated = new Map<string, { centroid: number[]; size: number }>();
  for (const [id, s] of state) updated.set(id, { centroid: centroidOf([s.sum]), size: s.size });
  return { assignments, updated, unassigned };
}

export interface IncrementalResult {
  /** Every new or pooled id → cluster id (existing or new), or null. */
  assignments: Map<string, string | null>;
  /** Updated existing clusters (centroid, size). */
  updated: Map<string, { centroid: number[]; size: number }>;
  /** Clusters formed in this pass (ids from `newClusterId`). */
  created: Cluster[];
  noise: string[];
}

/**
 * One incremental pass: new items first try to join existing clusters; the rest, together with the
 * noise pool from earlier passes, are clustered among themselves into new clusters.
 */
export async function incrementalPass(
  newItems: readonly ClusterItem[],
  existing: readonly ExistingCluster[],
  noisePool: readonly ClusterItem[],
  knn: KnnFn,
  options: ClusterOptions & AssignOptions = {},
): Promise<IncrementalResult> {
  const assigned = assignToExisting(newItems, existing, options);
  const taken = new Set(existing.map((c) => c.id));
  let next = existing.length;
  const allocate = (): string => {
    let id = `c${next++}`;
    while (taken.has(id)) id = `c${next++}`;
    taken.add(id);
    return id;
  };
  const newClusterId = options.newClusterId ?? allocate;
  const rest = [...assigned.unassigned, ...noisePool];
  const inner = await clusterItems(rest, knn, { ...options, newClusterId });
  const assignments = new Map(assigned.assignments);
  for (const [id, c] of inner.assignments) assignments.set(id, c);
  return { assignments, updated: assigned.updated, created: inner.clusters, noise: inner.noise };
}
