/**
 * HDBSCAN over a k-nearest-neighbour graph: clusters whose density the data decides, instead of
 * one absolute similarity threshold. Distances are `1 − cosine similarity`.
 *
 *  1. Core distance of a point: the distance to its `minSamples`-th nearest neighbour (itself
 *     excluded; identical copies count through their weight).
 *  2. Mutual reachability of an edge: max(core(a), core(b), d(a, b)), over the kNN edges only
 *     (an approximation that keeps the work at O(n·k) instead of O(n²)).
 *  3. A minimum spanning forest of that graph (Kruskal), read as a single-linkage hierarchy.
 *  4. The condensed tree: splits that shed fewer than `minClusterSize` points are points falling
 *     out of a cluster, not new clusters.
 *  5. Clusters selected by excess of mass (stability = Σ (λ_leave − λ_birth) over their points);
 *     everything outside a selected cluster is noise.
 *
 * Deterministic for a given input order: ties are broken by index.
 */

export interface KnnEdge {
  /** Index of the neighbour. */
  j: number;
  /** Cosine similarity in [−1, 1]. */
  similarity: number;
}

export interface HdbscanOptions {
  /** Smallest group reported as a cluster (default 3). */
  minClusterSize?: number;
  /** Neighbours that make a point "core" (default: minClusterSize − 1, at least 1). */
  minSamples?: number;
  /** Largest distance at which an edge still joins two points (default 1: any kNN edge). */
  maxDistance?: number;
  /** Never select the root as a cluster (default true): a corpus is rarely one family. */
  allowSingleCluster?: boolean;
  /** 'eom' (excess of mass, the default) or 'leaf' (the finest clusters of the condensed tree). */
  selection?: 'eom' | 'leaf';
}

export interface HdbscanResult {
  /** Cluster label per point (0..k−1), or −1 for noise. */
  labels: number[];
  /** Stability of each selected cluster (by label). */
  stability: number[];
  /** Per point: how strongly it belongs to its cluster, in [0, 1] (0 for noise). */
  membership: number[];
}

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = new Int32Array(n).map((_, i) => i);
  }
  find(x: number): number {
    let r = x;
    while (this.parent[r] !== r) r = this.parent[r];
    while (this.parent[x] !== r) {
      const next = this.parent[x];
      this.parent[x] = r;
      x = next;
    }
    return r;
  }
}

interface CondensedNode {
  parent: number;
  /** λ = 1/distance at which this cluster was born. */
  birth: number;
  stability: number;
  children: number[];
  /** Points that fell out of this cluster directly, with the λ at which they left. */
  points: { p: number; lambda: number }[];
  size: number;
}

const lambdaOf = (d: number): number => (d <= 1e-9 ? 1e9 : 1 / d);

/**
 * @param neighbours per point, its nearest neighbours (any order, itself excluded or not)
 * @param weights copies each point stands for (identical programs clustered once); default 1
 */
export function hdbscan(neighbours: KnnEdge[][], options: HdbscanOptions = {}, weights?: number[]): HdbscanResult {
  const n = neighbours.length;
  const minClusterSize = Math.max(2, options.minClusterSize ?? 3);
  const minSamples = Math.max(1, options.minSamples ?? minClusterSize - 1);
  const maxDistance = options.maxDistance ?? 1;
  const w = weights ?? new Array<number>(n).fill(1);
  const dist = (s: number): number => Math.max(0, 1 - s);

  // 1. core distances (a point with copies is its own neighbour copies − 1 times at distance 0)
  const core = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sorted = neighbours[i].filter((e) => e.j !== i).sort((a, b) => b.similarity - a.similarity || a.j - b.j);
    let need = minSamples - (w[i] - 1);
    let d = 0;
    if (need > 0) {
      d = Infinity;
      for (const e of sorted) {
        need -= w[e.j];
        if (need <= 0) {
          d = dist(e.similarity);
          break;
        }
      }
    }
    core[i] = d;
  }
  // 2. mutual-reachability edges, symmetric, deduplicated
  const edges: { a: number; b: number; d: number }[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    for (const e of neighbours[i]) {
      if (e.j === i || e.j < 0 || e.j >= n) continue;
      const a = Math.min(i, e.j);
      const b = Math.max(i, e.j);
      const key = a * n + b;
      if (seen.has(key)) continue;
      seen.add(key);
      const d = Math.max(core[a], core[b], dist(e.similarity));
      if (Number.isFinite(d) && d <= maxDistance) edges.push({ a, b, d });
    }
  }
  edges.sort((x, y) => x.d - y.d || x.a - y.a || x.b - y.b);

  // 3. single-linkage hierarchy from Kruskal: internal nodes n.. with their merge distance
  const uf = new UnionFind(2 * n);
  const left: number[] = [];
  const right: number[] = [];
  const height: number[] = [];
  const size: number[] = Array.from({ length: n }, (_, i) => w[i]);
  let next = n;
  for (const { a, b, d } of edges) {
    const ra = uf.find(a);
    const rb = uf.find(b);
    if (ra === rb) continue;
    const node = next++;
    uf.parent[ra] = node;
    uf.parent[rb] = node;
    left[node - n] = ra;
    right[node - n] = rb;
    height[node - n] = d;
    size[node] = size[ra] + size[rb];
  }
  const roots: number[] = [];
  for (let i = 0; i < next; i++) if (uf.parent[i] === i) roots.push(i);

  // 4. condensed tree
  const condensed: CondensedNode[] = [];
  const allPoints = (node: number, out: number[]): void => {
    const stack = [node];
    while (stack.length) {
      const x = stack.pop() as number;
      if (x < n) out.push(x);
      else stack.push(left[x - n], right[x - n]);
    }
  };
  const newCluster = (parent: number, birth: number, sz: number): number => {
    condensed.push({ parent, birth, stability: 0, children: [], points: [], size: sz });
    return condensed.length - 1;
  };
  const condense = (node: number, cluster: number): void => {
    // iterative walk down the single-linkage tree
    const stack: { node: number; cluster: number }[] = [{ node, cluster }];
    while (stack.length) {
      const { node: x, cluster: c } = stack.pop() as { node: number; cluster: number };
      if (x < n) {
        condensed[c].points.push({ p: x, lambda: condensed[c].birth === 0 ? 0 : Infinity });
        continue;
      }
      const lambda = lambdaOf(height[x - n]);
      const l = left[x - n];
      const r = right[x - n];
      const bigL = size[l] >= minClusterSize;
      const bigR = size[r] >= minClusterSize;
      if (bigL && bigR) {
        for (const child of [l, r]) {
          const id = newCluster(c, lambda, size[child]);
          condensed[c].children.push(id);
          stack.push({ node: child, cluster: id });
        }
      } else {
        for (const [child, big] of [
          [l, bigL],
          [r, bigR],
        ] as const) {
          if (big) stack.push({ node: child, cluster: c });
          else {
            const pts: number[] = [];
            allPoints(child, pts);
            for (const p of pts) condensed[c].points.push({ p, lambda });
          }
        }
      }
    }
  };
  const topClusters: number[] = [];
  for (const root of roots) {
    if (size[root] < minClusterSize) continue; // a small component: all noise
    const id = newCluster(-1, 0, size[root]);
    topClusters.push(id);
    condense(root, id);
  }
  // points still marked Infinity left at the leaf level: they stay until the cluster ends; use the largest λ seen
  for (const c of condensed) {
    let maxLambda = c.birth;
    for (const pt of c.points) if (Number.isFinite(pt.lambda)) maxLambda = Math.max(maxLambda, pt.lambda);
    for (const pt of c.points) if (!Number.isFinite(pt.lambda)) pt.lambda = maxLambda;
  }
  // stability: Σ over points (λ_leave − λ_birth) · weight, plus children's births for points that left via a split
  const pointCount = (c: number): number => condensed[c].size;
  for (let c = 0; c < condensed.length; c++) {
    const node = condensed[c];
    let s = 0;
    for (const pt of node.points) s += (Math.min(pt.lambda, 1e6) - node.birth) * w[pt.p];
    for (const ch of node.children) s += (Math.min(condensed[ch].birth, 1e6) - node.birth) * pointCount(ch);
    node.stability = s;
  }

  // 5. excess of mass, bottom-up (children have higher indices than their parents)
  const selected = new Array<boolean>(condensed.length).fill(false);
  const best = new Array<number>(condensed.length).fill(0);
  for (let c = condensed.length - 1; c >= 0; c--) {
    const node = condensed[c];
    const childSum = node.children.reduce((s, ch) => s + best[ch], 0);
    const isTop = node.parent === -1;
    const canSelectSelf = !isTop || options.allowSingleCluster === true;
    const leafMode = options.selection === 'leaf';
    if (node.children.length === 0 || (!leafMode && canSelectSelf && node.stability >= childSum)) {
      best[c] = canSelectSelf || node.children.length === 0 ? node.stability : childSum;
      selected[c] = canSelectSelf || node.children.length === 0;
      if (selected[c]) {
        // deselect descendants
        const stack = [...node.children];
        while (stack.length) {
          const d = stack.pop() as number;
          selected[d] = false;
          stack.push(...condensed[d].children);
        }
      }
    } else best[c] = childSum;
  }

  const labels = new Array<number>(n).fill(-1);
  const membership = new Array<number>(n).fill(0);
  const stability: number[] = [];
  for (let c = 0; c < condensed.length; c++) {
    if (!selected[c]) continue;
    const label = stability.length;
    stability.push(condensed[c].stability);
    const members: { p: number; lambda: number }[] = [];
    const stack = [c];
    while (stack.length) {
      const d = stack.pop() as number;
      members.push(...condensed[d].points);
      stack.push(...condensed[d].children);
    }
    const maxLambda = Math.max(...members.map((m) => m.lambda), condensed[c].birth);
    for (const m of members) {
      labels[m.p] = label;
      membership[m.p] = maxLambda > condensed[c].birth ? Math.min(1, (m.lambda - condensed[c].birth) / (maxLambda - condensed[c].birth)) : 1;
    }
  }
  return { labels, stability, membership };
}
