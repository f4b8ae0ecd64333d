import { beforeAll, describe, expect, it } from 'vitest';
import {
  assignToExisting,
  bruteForceKnn,
  clusterItems,
  incrementalPass,
  type ClusterItem,
  type ClusterResult,
  type ExistingCluster,
} from '../../../miner/cluster/core.js';
import { FAMILY_NAMES, NOISE_LABEL, generateCorpus, type LabelledProgram } from '../../data/corpus/corpus.js';
import { clusterQuality } from '../../../miner/cluster/metrics.js';
import { analyzeProgram } from '../../../miner/front/parse.js';

interface Labelled extends ClusterItem {
  label: string | null;
}

function toItems(programs: LabelledProgram[]): Labelled[] {
  return programs.map((p) => {
    const a = analyzeProgram(p);
    if (!a.ok) throw new Error(`generated program did not parse (${p.runId}): ${a.reason}`);
    return { id: a.runId, embedding: a.embedding, tree: a.tree, fingerprint: a.fingerprint, label: p.label === NOISE_LABEL ? null : p.label };
  });
}

function quality(items: Labelled[], res: ClusterResult) {
  return clusterQuality(
    items.map((i) => i.label),
    items.map((i) => res.assignments.get(i.id) ?? null),
  );
}

describe('clustering a labelled corpus (8 families × 25 programs + 20 noise)', () => {
  let items: Labelled[];
  let res: ClusterResult;

  beforeAll(async () => {
    items = toItems(generateCorpus({ seed: 2024, perFamily: 25, noise: 20 }));
    res = await clusterItems(items, bruteForceKnn(items));
  });

  it('recovers the families: ARI ≥ 0.9 and purity ≥ 0.95', () => {
    const q = quality(items, res);
    expect(items).toHaveLength(FAMILY_NAMES.length * 25 + 20);
    expect(q.ari).toBeGreaterThanOrEqual(0.9);
    expect(q.purity).toBeGreaterThanOrEqual(0.95);
  });

  it('does not force noise programs into clusters', () => {
    const q = quality(items, res);
    expect(q.noiseRecall).toBeGreaterThanOrEqual(0.8);
  });

  it('reports medoids and normalized centroids of its clusters, with deterministic ids', async () => {
    for (const c of res.clusters) {
      expect(c.members).toContain(c.medoid);
      expect(c.members.length).toBeGreaterThanOrEqual(3);
      const norm = Math.sqrt(c.centroid.reduce((t, x) => t + x * x, 0));
      expect(norm).toBeCloseTo(1, 6);
    }
    const again = await clusterItems(items, bruteForceKnn(items));
    expect([...again.assignments.entries()]).toEqual([...res.assignments.entries()]);
  });

  it('holds on other seeds too', async () => {
    for (const seed of [7, 99]) {
      const other = toItems(generateCorpus({ seed, perFamily: 25, noise: 20 }));
      const q = quality(other, await clusterItems(other, bruteForceKnn(other)));
      expect({ seed, ariOk: q.ari >= 0.9, purityOk: q.purity >= 0.95 }).toEqual({ seed, ariOk: true, purityOk: true });
    }
  });
});

describe('incremental passes keep cluster ids', () => {
  let first: Labelled[];
  let second: Labelled[];
  let existing: ExistingCluster[];
  let firstRes: ClusterResult;

  beforeAll(async () => {
    const families = FAMILY_NAMES.slice(0, 6);
    first = toItems(generateCorpus({ seed: 11, perFamily: 15, noise: 8, families }));
    firstRes = await clusterItems(first, bruteForceKnn(first));
    existing = firstRes.clusters.map((c) => ({
      id: c.id,
      centroid: c.centroid,
      size: c.members.length,
      medoid: first.find((i) => i.id === c.medoid) as ClusterItem,
    }));
    // The next night: more programs of the same families, plus two families never seen before.
    second = toItems(generateCorpus({ seed: 12, perFamily: 10, noise: 0, families: FAMILY_NAMES })).map((i) => ({ ...i, id: `n-${i.id}` }));
  });

  function majorityLabel(clusterId: string): string | null {
    const counts = new Map<string, number>();
    for (const i of first) if (firstRes.assignments.get(i.id) === clusterId && i.label) counts.set(i.label, (counts.get(i.label) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  }

  it('new programs of known families join their existing clusters; unknown families stay unassigned', () => {
    const r = assignToExisting(second, existing);
    const known = new Set<string>(FAMILY_NAMES.slice(0, 6));
    let joinedRight = 0;
    let knownTotal = 0;
    for (const it of second) {
      const got = r.assignments.get(it.id) ?? null;
      if (it.label && known.has(it.label)) {
        knownTotal++;
        if (got !== null && majorityLabel(got) === it.label) joinedRight++;
      } else {
        expect(got).toBeNull();
      }
    }
    expect(joinedRight / knownTotal).toBeGreaterThanOrEqual(0.9);
    // ids are those of the existing clusters; sizes grow
    const ids = new Set(existing.map((c) => c.id));
    for (const [id, u] of r.updated) {
      expect(ids.has(id)).toBe(true);
      expect(u.size).toBeGreaterThan(existing.find((c) => c.id === id)?.size ?? Infinity);
    }
  });

  it('an incremental pass forms new clusters with fresh ids for new families', async () => {
    const noisePool = first.filter((i) => firstRes.assignments.get(i.id) === null);
    const pool = [...second, ...noisePool];
    const r = await incrementalPass(second, existing, noisePool, bruteForceKnn(pool));
    const oldIds = new Set(existing.map((c) => c.id));
    expect(r.created.length).toBeGreaterThanOrEqual(2);
    for (const c of r.created) expect(oldIds.has(c.id)).toBe(false);
    for (const c of r.created) {
      const labels = new Set(c.members.map((m) => second.find((i) => i.id === m)?.label ?? first.find((i) => i.id === m)?.label));
      expect(labels.size).toBe(1);
    }
    // a known-family program still lands in its old cluster
    const known = second.find((i) => i.label === FAMILY_NAMES[0]);
    expect(known).toBeDefined();
    if (known) expect(oldIds.has(r.assignments.get(known.id) ?? '')).toBe(true);
  });
});
