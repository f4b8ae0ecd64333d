/** Average linkage over the kNN graph, the cut by silhouette, attachment, and the incremental step. */
import { describe, expect, it } from 'vitest';
import { agglomerate, mergeSequence } from '../../../miner/cluster/agglomerative.js';
import { clusterIncrementally, grownSummary, summarizeMembers } from '../../../miner/cluster/incremental.js';
import { sparseKnn } from '../../../miner/cluster/knn.js';
import { clusterQuality } from '../../../miner/cluster/metrics.js';
import { dot, fromEntries, type SparseVector } from '../../../miner/represent/sparse.js';
import { Rng } from '../../../src/sim/rng.js';

/** Unit vectors around `families` centres in separate blocks of dimensions, plus scattered one-offs. */
function blobs(seed: number, families: number, perFamily: number, oneOffs: number): { vectors: SparseVector[]; labels: (string | null)[] } {
  const rng = new Rng(seed);
  const vectors: SparseVector[] = [];
  const labels: (string | null)[] = [];
  const unit = (entries: [number, number][]): SparseVector => {
    const v = fromEntries(entries);
    const norm = Math.sqrt(dot(v, v));
    return fromEntries(Array.from(v.idx, (k, i) => [k, v.val[i] / norm] as [number, number]));
  };
  for (let f = 0; f < families; f++) {
    for (let m = 0; m < perFamily; m++) {
      const entries: [number, number][] = [];
      for (let d = 0; d < 12; d++) if (rng.next() < 0.7) entries.push([f * 100 + d, 0.5 + rng.next()]);
      for (let d = 0; d < 4; d++) entries.push([10_000 + Math.floor(rng.next() * 5_000), rng.next()]);
      vectors.push(unit(entries));
      labels.push(`f${f}`);
    }
  }
  for (let o = 0; o < oneOffs; o++) {
    const entries: [number, number][] = [];
    for (let d = 0; d < 10; d++) entries.push([20_000 + o * 50 + d, rng.next() + 0.1]);
    vectors.push(unit(entries));
    labels.push(null);
  }
  return { vectors, labels };
}

/** Average linkage, naively: the merge similarities in order. */
function naiveMerges(vs: SparseVector[]): number[] {
  const clusters = vs.map((_, i) => [i]);
  const out: number[] = [];
  while (clusters.length > 1) {
    let best = -Infinity;
    let bi = 0;
    let bj = 1;
    for (let i = 0; i < clusters.length; i++) {
      for (let j = i + 1; j < clusters.length; j++) {
        let s = 0;
        for (const a of clusters[i]) for (const b of clusters[j]) s += dot(vs[a], vs[b]);
        s /= clusters[i].length * clusters[j].length;
        if (s > best) [best, bi, bj] = [s, i, j];
      }
    }
    out.push(best);
    clusters[bi] = [...clusters[bi], ...clusters[bj]];
    clusters.splice(bj, 1);
  }
  return out;
}

describe('agglomerate', () => {
  it('computes exact average linkage from mean vectors (same merge sequence as the naive definition)', () => {
    const { vectors } = blobs(3, 3, 5, 3);
    const all = vectors.map((_, i) => vectors.map((v, j) => ({ j, similarity: dot(vectors[i], v) })).filter((e) => e.j !== i));
    const merges = mergeSequence(vectors, all, -1, vectors.map(() => 1)).map((m) => m.s);
    const naive = naiveMerges(vectors);
    expect(merges).toHaveLength(naive.length);
    merges.forEach((s, i) => expect(s).toBeCloseTo(naive[i], 9));
  });

  it('recovers separated families and leaves one-offs out', () => {
    const { vectors, labels } = blobs(7, 5, 12, 10);
    const result = agglomerate(vectors, sparseKnn(vectors, { k: 15 }));
    const predicted = result.labels.map((l) => (l < 0 ? null : `c${l}`));
    const q = clusterQuality(labels, predicted);
    expect(q.ari).toBeGreaterThanOrEqual(0.95);
    expect(q.purity).toBe(1);
    const oneOffsClustered = labels.filter((l, i) => l === null && result.labels[i] >= 0).length;
    expect(oneOffsClustered).toBe(0);
    expect(result.clusters.every((c) => c.cohesion > 0 && c.members.length >= 3)).toBe(true);
  });

  it('counts identical copies toward the minimum size', () => {
    const { vectors } = blobs(5, 1, 2, 0);
    const twice = agglomerate(vectors, sparseKnn(vectors), {}, [1, 1]);
    expect(twice.clusters).toHaveLength(0);
    const copies = agglomerate(vectors, sparseKnn(vectors), {}, [2, 1]);
    expect(copies.clusters).toHaveLength(1);
  });
});

describe('sparseKnn', () => {
  it('finds the same neighbours as brute force', () => {
    const { vectors } = blobs(11, 4, 10, 5);
    const knn = sparseKnn(vectors, { k: 5 });
    vectors.forEach((v, i) => {
      const brute = vectors
        .map((w, j) => ({ j, similarity: dot(v, w) }))
        .filter((e) => e.j !== i && e.similarity > 0)
        .sort((a, b) => b.similarity - a.similarity || a.j - b.j)
        .slice(0, 5);
      expect(knn[i].map((e) => e.j)).toEqual(brute.map((e) => e.j));
    });
  });
});

describe('clusterIncrementally', () => {
  it('new programs join the clusters they fit, ids stay, the rest can form new clusters', () => {
    const { vectors, labels } = blobs(13, 4, 12, 4);
    const items = vectors.map((vector, i) => ({ id: `p${String(i).padStart(3, '0')}`, vector }));
    // first pass: families 0-2 only
    const firstIds = items.filter((_, i) => labels[i] !== 'f3' && labels[i] !== null);
    let next = 0;
    const first = clusterIncrementally(firstIds, [], [], { newClusterId: () => `c${++next}` });
    const familyOf = (id: string): string | null => labels[items.findIndex((it) => it.id === id.replace('-again', ''))];
    // every cluster holds one family, and nearly every program of families 0-2 is in one
    expect(first.created.length).toBeGreaterThanOrEqual(3);
    for (const c of first.created) expect(new Set(c.members.map(familyOf)).size).toBe(1);
    expect(firstIds.filter((it) => first.assignments.get(it.id)).length).toBeGreaterThanOrEqual(0.9 * firstIds.length);
    const existing = first.created.map((c) => ({ id: c.id, centroid: c.centroid, cohesion: c.cohesion, size: c.members.length }));
    // second pass: more of families 0-2 (copies), all of family 3, and the one-offs
    const more = items.filter((_, i) => labels[i] !== 'f3' && labels[i] !== null).slice(0, 6).map((it) => ({ ...it, id: `${it.id}-again` }));
    const rest = items.filter((_, i) => labels[i] === 'f3' || labels[i] === null);
    const firstCount = next;
    const second = clusterIncrementally([...more, ...rest], existing, [], { newClusterId: () => `c${++next}` });
    for (const m of more) {
      const original = first.assignments.get(m.id.replace('-again', ''));
      if (original) expect(second.assignments.get(m.id)).toBe(original);
    }
    expect(second.created.length).toBeGreaterThanOrEqual(1);
    for (const c of second.created) {
      expect(Number(c.id.slice(1))).toBeGreaterThan(firstCount);
      expect(new Set(c.members.map(familyOf))).toEqual(new Set(['f3']));
    }
    for (const it of rest.filter((r) => labels[items.indexOf(r)] === null)) expect(second.assignments.get(it.id)).toBeNull();
  });
});

describe('grownSummary', () => {
  it('updates a cluster from its stored mean and cohesion exactly as recomputing over every member', () => {
    const { vectors } = blobs(17, 1, 12, 0);
    const items = vectors.map((vector, i) => ({ id: `p${i}`, vector }));
    const first = summarizeMembers(items.slice(0, 8));
    const grown = grownSummary({ id: 'c1', centroid: first.centroid, cohesion: first.cohesion, size: 8 }, vectors.slice(8));
    const all = summarizeMembers(items);
    expect(grown.size).toBe(12);
    expect(grown.cohesion).toBeCloseTo(all.cohesion, 9);
    expect(dot(grown.centroid, grown.centroid)).toBeCloseTo(dot(all.centroid, all.centroid), 9);
    expect(dot(grown.centroid, all.centroid)).toBeCloseTo(dot(all.centroid, all.centroid), 9);
  });
});
