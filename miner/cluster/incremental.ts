/**
 * One incremental clustering step over decomposition profiles, id-stable:
 *
 *  1. Each new program joins the existing cluster it is closest to, when its mean similarity to
 *     the members (its inner product with the cluster's mean vector) reaches `attach` × the
 *     cluster's cohesion. Existing clusters keep their ids and members.
 *  2. The new programs that joined none, with the noise of earlier passes, are clustered afresh
 *     (agglomerative.ts: average linkage, clusters selected by stability, attachment by relative
 *     cohesion).
 *     Groups that form get new ids; everything else stays noise.
 *
 * Identical programs (same `key`) are clustered once, weighted by their copies.
 */
import { dotAccumulator, addTo, type Accumulator, type SparseVector, dot, scaled } from '../represent/sparse.js';
import { agglomerate, cohesionOf } from './agglomerative.js';
import { sparseKnn } from './knn.js';

export interface ProfileItem {
  id: string;
  vector: SparseVector;
  /** Programs with the same key (the same vector: sparse.ts vectorKey) are clustered as one, and ordered by it. */
  key?: string;
}

export interface ExistingProfileCluster {
  id: string;
  /** Mean profile vector of the members. */
  centroid: SparseVector;
  /** Mean similarity between distinct members. */
  cohesion: number;
  size: number;
}

export interface IncrementalOptions {
  /** Fraction of a cluster's cohesion a program's mean similarity must reach to join it (default 0.7). */
  attach?: number;
  /** Smallest new cluster (default 3). */
  minClusterSize?: number;
  /** Neighbours per program in the kNN graph (default 15). */
  k?: number;
  /** Id for the i-th new cluster. */
  newClusterId: (index: number) => string;
}

export interface CreatedCluster {
  id: string;
  /** Member ids, sorted. */
  members: string[];
  centroid: SparseVector;
  cohesion: number;
  /** The member closest to the centroid (the most typical program). */
  representative: string;
}

export interface IncrementalProfileResult {
  /** Every new and noise-pool id → its cluster id, or null (noise). */
  assignments: Map<string, string | null>;
  created: CreatedCluster[];
  /** Existing cluster id → the new programs that joined it. */
  joined: Map<string, string[]>;
}

/** Mean vector, cohesion and the most typical member of a group of vectors. */
export function summarizeMembers(members: readonly { id: string; vector: SparseVector }[]): { centroid: SparseVector; cohesion: number; representative: string } {
  const sum: Accumulator = new Map();
  let self = 0;
  for (const m of members) {
    addTo(sum, m.vector);
    self += dot(m.vector, m.vector);
  }
  const centroid = scaled(sum, 1 / Math.max(1, members.length));
  let representative = members[0]?.id ?? '';
  let best = -Infinity;
  for (const m of [...members].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const s = dotAccumulator(m.vector, sum);
    if (s > best) {
      best = s;
      representative = m.id;
    }
  }
  return { centroid, cohesion: cohesionOf(sum, members.length, self), representative };
}

/**
 * A cluster's mean vector and cohesion after new members joined, from what is stored (mean vector,
 * cohesion, size) — exact, without reading the old members: their sum is mean × size, and
 * Σ|v|² follows from the cohesion.
 */
export function grownSummary(cluster: ExistingProfileCluster, joined: readonly SparseVector[]): { centroid: SparseVector; cohesion: number; size: number } {
  const n = cluster.size;
  const sum: Accumulator = new Map();
  addTo(sum, cluster.centroid, n);
  const oldSumSq = dotAccumulator(cluster.centroid, sum) * n;
  let self = oldSumSq - cluster.cohesion * n * (n - 1);
  for (const v of joined) {
    addTo(sum, v);
    self += dot(v, v);
  }
  const size = n + joined.length;
  return { centroid: scaled(sum, 1 / Math.max(1, size)), cohesion: cohesionOf(sum, size, self), size };
}

export function clusterIncrementally(
  newItems: readonly ProfileItem[],
  existing: readonly ExistingProfileCluster[],
  noisePool: readonly ProfileItem[],
  options: IncrementalOptions,
): IncrementalProfileResult {
  const attach = options.attach ?? 0.7;
  const assignments = new Map<string, string | null>();
  const joined = new Map<string, string[]>();
  const rest: ProfileItem[] = [];
  for (const item of newItems) {
    let best: ExistingProfileCluster | undefined;
    let bestRatio = -Infinity;
    for (const c of existing) {
      if (c.cohesion <= 0) continue;
      const ratio = dot(item.vector, c.centroid) / c.cohesion;
      if (ratio > bestRatio || (ratio === bestRatio && best && c.id < best.id)) {
        bestRatio = ratio;
        best = c;
      }
    }
    if (best && bestRatio >= attach) {
      assignments.set(item.id, best.id);
      const list = joined.get(best.id);
      if (list) list.push(item.id);
      else joined.set(best.id, [item.id]);
    } else rest.push(item);
  }
  for (const item of noisePool) if (!assignments.has(item.id)) rest.push(item);

  // identical programs once, weighted by their copies
  const reps: ProfileItem[] = [];
  const copies: ProfileItem[][] = [];
  const byKey = new Map<string, number>();
  // ordered by content (the vector's key) where there is one, so that the result does not depend on
  // run ids: ties between equally similar programs break the same way on every pass
  const order = (i: ProfileItem): string => (i.key !== undefined ? `0${i.key}\u0000${i.id}` : `1${i.id}`);
  for (const item of [...rest].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))) {
    const at = item.key !== undefined ? byKey.get(item.key) : undefined;
    if (at !== undefined) copies[at].push(item);
    else {
      if (item.key !== undefined) byKey.set(item.key, reps.length);
      reps.push(item);
      copies.push([item]);
    }
  }
  const vectors = reps.map((r) => r.vector);
  const neighbours = sparseKnn(vectors, { k: options.k ?? 15 });
  const result = agglomerate(vectors, neighbours, { minClusterSize: options.minClusterSize ?? 3, attach }, copies.map((c) => c.length));
  const created: CreatedCluster[] = [];
  const groups = result.clusters.map((c) => c.members.flatMap((i) => copies[i])).sort((a, b) => (minId(a) < minId(b) ? -1 : 1));
  for (const members of groups) {
    const id = options.newClusterId(created.length);
    const summary = summarizeMembers(members.map((m) => ({ id: m.id, vector: m.vector })));
    created.push({ id, members: members.map((m) => m.id).sort(), ...summary });
    for (const m of members) assignments.set(m.id, id);
  }
  for (const item of rest) if (!assignments.has(item.id)) assignments.set(item.id, null);
  return { assignments, created, joined };
}

function minId(items: readonly ProfileItem[]): string {
  let m = items[0]?.id ?? '';
  for (const i of items) if (i.id < m) m = i.id;
  return m;
}
