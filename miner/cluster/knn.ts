/**
 * k nearest neighbours of sparse profile vectors, in memory, by inner product: an inverted index
 * (term → the vectors that have it) gathers candidates, then each candidate is scored exactly.
 * Terms carried by more than `maxShare` of the pool are not used to gather candidates (every
 * vector would be one); they still count in the exact score.
 */
import { dot, type SparseVector } from '../represent/sparse.js';

/** A neighbour in a kNN list: its index and the inner-product similarity. */
export interface KnnEdge {
  j: number;
  similarity: number;
}

export interface KnnOptions {
  k?: number;
  /** Posting lists longer than this share of the pool gather no candidates (default 0.2). */
  maxShare?: number;
  /** Candidates scored exactly per vector, at most (default 400): the best by partial score. */
  maxCandidates?: number;
}

export function sparseKnn(vectors: readonly SparseVector[], options: KnnOptions = {}): KnnEdge[][] {
  const n = vectors.length;
  const k = Math.min(options.k ?? 15, Math.max(0, n - 1));
  const maxPosting = Math.max(50, Math.floor(n * (options.maxShare ?? 0.2)));
  const maxCandidates = options.maxCandidates ?? 400;
  const postings = new Map<number, number[]>();
  vectors.forEach((v, i) => {
    for (const t of v.idx) {
      const list = postings.get(t);
      if (list) list.push(i);
      else postings.set(t, [i]);
    }
  });
  const partial = new Float64Array(n);
  const touched: number[] = [];
  const out: KnnEdge[][] = [];
  for (let i = 0; i < n; i++) {
    const v = vectors[i];
    for (let x = 0; x < v.idx.length; x++) {
      const list = postings.get(v.idx[x]);
      if (!list || list.length > maxPosting) continue;
      const w = v.val[x];
      for (const j of list) {
        if (j === i) continue;
        if (partial[j] === 0) touched.push(j);
        partial[j] += w * valueAt(vectors[j], v.idx[x]);
      }
    }
    let candidates = touched;
    if (candidates.length > maxCandidates) candidates = [...touched].sort((a, b) => partial[b] - partial[a] || a - b).slice(0, maxCandidates);
    const scored = candidates.map((j) => ({ j, similarity: dot(v, vectors[j]) }));
    for (const j of touched) partial[j] = 0;
    touched.length = 0;
    scored.sort((a, b) => b.similarity - a.similarity || a.j - b.j);
    out.push(scored.slice(0, k));
  }
  return out;
}

/** The value of a sparse vector at an index (binary search). */
function valueAt(v: SparseVector, index: number): number {
  let lo = 0;
  let hi = v.idx.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = v.idx[mid];
    if (x === index) return v.val[mid];
    if (x < index) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}
