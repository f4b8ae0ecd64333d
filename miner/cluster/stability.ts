/**
 * Which groups of an average-linkage hierarchy are clusters, chosen by stability (the excess-of-
 * mass selection of HDBSCAN, on this hierarchy instead of a single-linkage one):
 *
 *  - Density is the similarity λ at which points are joined (merges happen from high λ down).
 *  - The condensed tree: going down from a root, a split that sheds fewer than `minClusterSize`
 *    points is those points falling out of the cluster, not a new cluster.
 *  - A cluster's stability is Σ over its points of (λ at which they leave it − λ at which it was
 *    born), weighted by copies: large groups that hold together over a wide range of similarity.
 *  - Bottom-up, a cluster is selected when its stability beats the sum of its descendants'; a
 *    root (a whole connected component) is never selected when it splits (a corpus is rarely one
 *    family).
 *
 * So each cluster gets the cut that suits it: tight template families at high similarity, loose
 * families of real-model programs lower down; no threshold is tuned on one corpus.
 */

/** One merge of the hierarchy: groups containing a and b join at similarity s. */
export interface Merge {
  a: number;
  b: number;
  s: number;
}

interface CondensedCluster {
  parent: number;
  /** λ at which the cluster appeared (its parent split). */
  birth: number;
  stability: number;
  children: number[];
  /** Points that left this cluster directly, with the λ at which they left. */
  points: { p: number; lambda: number }[];
}

/** λ of a merge: its similarity, never negative. */
const lambdaOf = (s: number): number => Math.max(0, s);

/**
 * Labels per point (0..k−1, or −1 for noise) and each selected cluster's stability.
 * `weights`: copies each point stands for (default 1).
 */
export function selectStableClusters(n: number, merges: readonly Merge[], minClusterSize: number, weights?: readonly number[]): { labels: number[]; stability: number[] } {
  const w = weights ?? new Array<number>(n).fill(1);
  // the hierarchy as a binary tree: leaves 0..n−1, internal nodes n.. in merge order
  const parent = new Int32Array(2 * n).map((_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const left: number[] = [];
  const right: number[] = [];
  const height: number[] = [];
  const size: number[] = Array.from({ length: n }, (_, i) => w[i]);
  let next = n;
  for (const m of merges) {
    const ra = find(m.a);
    const rb = find(m.b);
    if (ra === rb) continue;
    const node = next++;
    parent[ra] = node;
    parent[rb] = node;
    left[node - n] = ra;
    right[node - n] = rb;
    height[node - n] = m.s;
    size[node] = size[ra] + size[rb];
  }
  const roots: number[] = [];
  for (let i = 0; i < next; i++) if (parent[i] === i) roots.push(i);

  const condensed: CondensedCluster[] = [];
  const leavesOf = (node: number): number[] => {
    const out: number[] = [];
    const stack = [node];
    while (stack.length) {
      const x = stack.pop() as number;
      if (x < n) out.push(x);
      else stack.push(left[x - n], right[x - n]);
    }
    return out;
  };
  const open = (parentCluster: number, birth: number): number => {
    condensed.push({ parent: parentCluster, birth, stability: 0, children: [], points: [] });
    return condensed.length - 1;
  };
  for (const root of roots) {
    if (size[root] < minClusterSize) continue; // a small component: all noise
    const rootCluster = open(-1, 0);
    const stack: { node: number; cluster: number }[] = [{ node: root, cluster: rootCluster }];
    while (stack.length) {
      const { node, cluster } = stack.pop() as { node: number; cluster: number };
      if (node < n) {
        condensed[cluster].points.push({ p: node, lambda: Infinity });
        continue;
      }
      const lambda = lambdaOf(height[node - n]);
      const l = left[node - n];
      const r = right[node - n];
      const bigL = size[l] >= minClusterSize;
      const bigR = size[r] >= minClusterSize;
      if (bigL && bigR) {
        for (const child of [l, r]) {
          const id = open(cluster, lambda);
          condensed[cluster].children.push(id);
          stack.push({ node: child, cluster: id });
        }
      } else {
        for (const [child, big] of [
          [l, bigL],
          [r, bigR],
        ] as const) {
          if (big) stack.push({ node: child, cluster });
          else for (const p of leavesOf(child)) condensed[cluster].points.push({ p, lambda });
        }
      }
    }
  }
  // a point still inside a cluster at the bottom leaves it at the highest λ seen there
  for (const c of condensed) {
    let top = c.birth;
    for (const pt of c.points) if (Number.isFinite(pt.lambda)) top = Math.max(top, pt.lambda);
    for (const pt of c.points) if (!Number.isFinite(pt.lambda)) pt.lambda = top;
  }
  // weight of each cluster's points, its descendants' included: bottom-up (children come after their parents)
  const clusterSize = new Array<number>(condensed.length).fill(0);
  for (let c = condensed.length - 1; c >= 0; c--) {
    for (const pt of condensed[c].points) clusterSize[c] += w[pt.p];
    for (const ch of condensed[c].children) clusterSize[c] += clusterSize[ch];
  }
  for (const c of condensed) {
    let s = 0;
    for (const pt of c.points) s += (pt.lambda - c.birth) * w[pt.p];
    for (const ch of c.children) s += (condensed[ch].birth - c.birth) * clusterSize[ch];
    c.stability = s;
  }
  // excess of mass, bottom-up (children come after their parents)
  const selected = new Array<boolean>(condensed.length).fill(false);
  const best = new Array<number>(condensed.length).fill(0);
  for (let c = condensed.length - 1; c >= 0; c--) {
    const node = condensed[c];
    const childSum = node.children.reduce((s, ch) => s + best[ch], 0);
    const isRoot = node.parent === -1;
    if (node.children.length === 0 || (!isRoot && node.stability >= childSum)) {
      best[c] = node.stability;
      selected[c] = true;
      const stack = [...node.children];
      while (stack.length) {
        const d = stack.pop() as number;
        selected[d] = false;
        stack.push(...condensed[d].children);
      }
    } else best[c] = childSum;
  }
  const labels = new Array<number>(n).fill(-1);
  const stability: number[] = [];
  condensed.forEach((c, id) => {
    if (!selected[id]) return;
    const label = stability.length;
    stability.push(c.stability);
    const stack = [id];
    while (stack.length) {
      const d = stack.pop() as number;
      for (const pt of condensed[d].points) labels[pt.p] = label;
      stack.push(...condensed[d].children);
    }
  });
  return { labels, stability };
}
