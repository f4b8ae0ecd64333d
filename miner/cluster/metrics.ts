/**
 * Clustering quality: Adjusted Rand Index and purity. A label of `null` means noise: for ARI every
 * noise item counts as its own singleton cluster (in the truth and in the prediction).
 */

export type Label = string | null;

function withSingletons(labels: readonly Label[]): string[] {
  return labels.map((l, i) => (l === null ? `\u0000noise:${i}` : `=${l}`));
}

function choose2(n: number): number {
  return (n * (n - 1)) / 2;
}

/** Adjusted Rand Index of two labelings of the same items (1 = identical partitions, ~0 = chance). */
export function adjustedRandIndex(truth: readonly Label[], predicted: readonly Label[]): number {
  if (truth.length !== predicted.length) throw new Error(`labelings differ in length: ${truth.length} vs ${predicted.length}`);
  const n = truth.length;
  if (n < 2) return 1;
  const t = withSingletons(truth);
  const p = withSingletons(predicted);
  const pairs = new Map<string, number>();
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const key = `${t[i]}\u0001${p[i]}`;
    pairs.set(key, (pairs.get(key) ?? 0) + 1);
    rows.set(t[i], (rows.get(t[i]) ?? 0) + 1);
    cols.set(p[i], (cols.get(p[i]) ?? 0) + 1);
  }
  let index = 0;
  for (const c of pairs.values()) index += choose2(c);
  let a = 0;
  for (const c of rows.values()) a += choose2(c);
  let b = 0;
  for (const c of cols.values()) b += choose2(c);
  const total = choose2(n);
  const expected = (a * b) / total;
  const max = (a + b) / 2;
  if (max === expected) return index === expected ? 1 : 0;
  return (index - expected) / (max - expected);
}

/**
 * Purity of the predicted clusters: the share of clustered items (predicted label not null) whose
 * true label is their cluster's majority label. True noise never counts as a majority. 1 when
 * nothing is clustered.
 */
export function purity(truth: readonly Label[], predicted: readonly Label[]): number {
  if (truth.length !== predicted.length) throw new Error(`labelings differ in length: ${truth.length} vs ${predicted.length}`);
  const byCluster = new Map<string, Map<string, number>>();
  let clustered = 0;
  for (let i = 0; i < truth.length; i++) {
    const p = predicted[i];
    if (p === null) continue;
    clustered++;
    const t = truth[i];
    if (t === null) continue;
    let m = byCluster.get(p);
    if (!m) byCluster.set(p, (m = new Map()));
    m.set(t, (m.get(t) ?? 0) + 1);
  }
  if (clustered === 0) return 1;
  let agree = 0;
  for (const m of byCluster.values()) agree += Math.max(0, ...m.values());
  return agree / clustered;
}

export interface ClusterQuality {
  ari: number;
  purity: number;
  clusters: number;
  /** Items predicted as noise. */
  predictedNoise: number;
  /** Share of true noise items that were predicted as noise. */
  noiseRecall: number;
}

export function clusterQuality(truth: readonly Label[], predicted: readonly Label[]): ClusterQuality {
  const clusters = new Set(predicted.filter((p): p is string => p !== null)).size;
  let trueNoise = 0;
  let caught = 0;
  for (let i = 0; i < truth.length; i++) {
    if (truth[i] === null) {
      trueNoise++;
      if (predicted[i] === null) caught++;
    }
  }
  return {
    ari: adjustedRandIndex(truth, predicted),
    purity: purity(truth, predicted),
    clusters,
    predictedNoise: predicted.filter((p) => p === null).length,
    noiseRecall: trueNoise === 0 ? 1 : caught / trueNoise,
  };
}

export interface LabelledScore {
  ari: number;
  /** Purity over clusters of two or more runs. */
  purity: number;
  /** Share of the one-off runs (label `noise`) left out of clusters. */
  noiseOut: number;
  /** Families (not `noise`) with at least two runs in one cluster. */
  families: Set<string>;
}

/**
 * A clustering scored against family labels the way the labelled corpora define it: a run in no
 * cluster is its own singleton, each one-off (label `noise`) its own class; purity over clusters
 * of two or more; the share of one-offs kept out of clusters.
 */
export function scoreAgainstLabels(labels: Readonly<Record<string, string>>, clusterOf: ReadonlyMap<string, string | null>): LabelledScore {
  const ids = Object.keys(labels);
  const truth = ids.map((id) => (labels[id] === 'noise' ? `noise:${id}` : labels[id]));
  const predicted = ids.map((id) => clusterOf.get(id) ?? `single:${id}`);
  const members = new Map<string, string[]>();
  for (const id of ids) {
    const c = clusterOf.get(id);
    if (c) members.set(c, [...(members.get(c) ?? []), labels[id]]);
  }
  let pure = 0;
  let clustered = 0;
  const families = new Set<string>();
  for (const list of members.values()) {
    if (list.length < 2) continue;
    const tally = new Map<string, number>();
    for (const l of list) tally.set(l, (tally.get(l) ?? 0) + 1);
    pure += Math.max(...tally.values());
    clustered += list.length;
    for (const [l, n] of tally) if (n >= 2 && l !== 'noise') families.add(l);
  }
  const noise = ids.filter((id) => labels[id] === 'noise');
  return {
    ari: adjustedRandIndex(truth, predicted),
    purity: clustered ? pure / clustered : 0,
    noiseOut: noise.length ? noise.filter((id) => !clusterOf.get(id)).length / noise.length : 1,
    families,
  };
}
