/**
 * Sparse vectors: sorted indices and their values. Profile vectors live in a hashed space of
 * 2^20 dimensions, where terms practically never collide (in a few hundred dense dimensions they
 * did, and clusters blurred); pgvector stores them as `sparsevec`.
 */

export interface SparseVector {
  /** Strictly increasing indices. */
  readonly idx: Int32Array;
  readonly val: Float64Array;
}

/** A vector being summed: index → value. */
export type Accumulator = Map<number, number>;

export function fromEntries(entries: Iterable<[number, number]>): SparseVector {
  const merged = new Map<number, number>();
  for (const [i, v] of entries) merged.set(i, (merged.get(i) ?? 0) + v);
  const keys = [...merged.keys()].filter((k) => merged.get(k) !== 0).sort((a, b) => a - b);
  return { idx: Int32Array.from(keys), val: Float64Array.from(keys, (k) => merged.get(k) as number) };
}

export function dot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let s = 0;
  const ai = a.idx;
  const bi = b.idx;
  while (i < ai.length && j < bi.length) {
    const x = ai[i];
    const y = bi[j];
    if (x === y) s += a.val[i++] * b.val[j++];
    else if (x < y) i++;
    else j++;
  }
  return s;
}

export function dotAccumulator(a: SparseVector, acc: Accumulator): number {
  let s = 0;
  for (let i = 0; i < a.idx.length; i++) {
    const v = acc.get(a.idx[i]);
    if (v !== undefined) s += a.val[i] * v;
  }
  return s;
}

export function selfDotAccumulator(acc: Accumulator): number {
  let s = 0;
  for (const v of acc.values()) s += v * v;
  return s;
}

/** acc += w·v */
export function addTo(acc: Accumulator, v: SparseVector, w = 1): void {
  for (let i = 0; i < v.idx.length; i++) acc.set(v.idx[i], (acc.get(v.idx[i]) ?? 0) + v.val[i] * w);
}

/** acc += other (merging two sums). */
export function mergeInto(acc: Accumulator, other: Accumulator): void {
  for (const [k, v] of other) acc.set(k, (acc.get(k) ?? 0) + v);
}

export function scaled(acc: Accumulator, factor: number): SparseVector {
  return fromEntries([...acc].map(([k, v]) => [k, v * factor] as [number, number]));
}

/** pgvector's text form: `{i1:v1,i2:v2}/dim`, with 1-based indices. */
export function toSparsevecText(v: SparseVector, dim: number): string {
  const parts: string[] = [];
  for (let i = 0; i < v.idx.length; i++) parts.push(`${v.idx[i] + 1}:${Number(v.val[i].toPrecision(7))}`);
  return `{${parts.join(',')}}/${dim}`;
}

export function fromSparsevecText(text: string): SparseVector {
  const m = /^\{(.*)\}\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`not a sparsevec: ${text.slice(0, 40)}`);
  const entries: [number, number][] = [];
  if (m[1].length > 0) {
    for (const part of m[1].split(',')) {
      const [i, v] = part.split(':');
      entries.push([Number(i) - 1, Number(v)]);
    }
  }
  return fromEntries(entries);
}


/** A key equal for equal vectors (values to 9 significant digits): identical programs cluster once. */
export function vectorKey(v: SparseVector): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const text = Array.from(v.idx, (k, i) => `${k}:${v.val[i].toPrecision(9)}`).join(',');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return `${h1.toString(16)}${h2.toString(16)}:${v.idx.length}`;
}
