/**
 * Structural embedding, computed locally and deterministically (Deckard-style feature vectors):
 * signed feature hashing of the normalized tree's node labels, parent→child bigrams,
 * grandparent→parent→child trigrams and root-to-leaf path fragments, plus the skeleton's pipeline
 * tokens (weighted strongly). Each part is damped (square root per bucket) and L2-normalized before
 * they are mixed, so that cosine ≈ 0.36·cos(ast) + 0.64·cos(skeleton).
 */
import { isKeptGlobal } from '../front/names.js';
import type { NNode } from '../front/tree.js';
import type { GrowthClass } from '../front/types.js';

/** Dimension of the structural embedding (pgvector HNSW supports up to 2000). */
export const STRUCT_DIM = 512;

const AST_WEIGHT = 0.6;
const SKELETON_WEIGHT = 0.8;

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units, finalized with murmur3's fmix32. */
export function hashString(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix(h);
}

function combine(a: number, b: number): number {
  return fmix((Math.imul(a, 0x9e3779b1) ^ (b + 0x7f4a7c15)) >>> 0);
}

const labelCache = new Map<string, number>();
const MAX_LABEL_CACHE = 20_000;

function labelHash(label: string): number {
  let h = labelCache.get(label);
  if (h === undefined) {
    if (labelCache.size >= MAX_LABEL_CACHE) labelCache.clear();
    h = hashString(label);
    labelCache.set(label, h);
  }
  return h;
}

/** The label of a node for embedding purposes (local names and literal values never matter). */
export function nodeLabel(n: NNode): string {
  switch (n.k) {
    case 'id':
      return n.v !== undefined && isKeptGlobal(n.v) ? `id:${n.v}` : 'id';
    case 'mem':
    case 'prop':
    case 'bind':
    case 'method':
      return `${n.k}.${n.v ?? ''}`;
    case 'bin':
    case 'assign':
    case 'pre':
    case 'post':
      return `${n.k}${n.v ?? ''}`;
    default:
      return n.k;
  }
}

/** Adds a feature (h is already a well-mixed 32-bit hash): low bits pick the bucket, the top bit the sign. */
function add(vec: Float64Array, h: number, w: number): void {
  vec[h % STRUCT_DIM] += h >>> 31 === 1 ? w : -w;
}

function dampAndNormalize(vec: Float64Array): void {
  let norm = 0;
  for (let i = 0; i < vec.length; i++) {
    const x = vec[i];
    const d = x < 0 ? -Math.sqrt(-x) : Math.sqrt(x);
    vec[i] = d;
    norm += d * d;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (let i = 0; i < vec.length; i++) vec[i] *= inv;
  }
}

const SALT_UNI = 0x1234567;
const SALT_LEAF = 0x2345671;

/** Hash of a node's label without building the label string when it can be avoided. */
const kindHashes = new Map<string, Map<string, number>>();
const PLAIN = '\u0000';

function nodeHash(n: NNode): number {
  let byValue = kindHashes.get(n.k);
  if (!byValue) {
    byValue = new Map();
    kindHashes.set(n.k, byValue);
  }
  const valueKey = labelUsesValue(n) ? (n.v ?? '') : PLAIN;
  let h = byValue.get(valueKey);
  if (h === undefined) {
    if (byValue.size >= MAX_LABEL_CACHE) byValue.clear();
    h = labelHash(nodeLabel(n));
    byValue.set(valueKey, h);
  }
  return h;
}

function labelUsesValue(n: NNode): boolean {
  switch (n.k) {
    case 'id':
      return n.v !== undefined && isKeptGlobal(n.v);
    case 'mem':
    case 'prop':
    case 'bind':
    case 'method':
    case 'bin':
    case 'assign':
    case 'pre':
    case 'post':
      return true;
    default:
      return false;
  }
}

function astFeatures(tree: NNode, vec: Float64Array): void {
  // Ancestor label hashes along the current path.
  const path: number[] = [];
  const walk = (n: NNode): void => {
    const h = nodeHash(n);
    const depth = path.length;
    add(vec, combine(h, SALT_UNI), 0.5);
    if (depth >= 1) {
      const p = path[depth - 1];
      const bi = combine(p, h);
      add(vec, bi, 1);
      if (depth >= 2) add(vec, combine(path[depth - 2], bi), 1);
    }
    if (n.c.length === 0 && depth >= 3) {
      add(vec, combine(SALT_LEAF, combine(path[depth - 3], combine(path[depth - 2], combine(path[depth - 1], h)))), 0.5);
    }
    path.push(h);
    for (const ch of n.c) walk(ch);
    path.pop();
  };
  walk(tree);
}

/** Pipeline steps that only reshape data in code (dropped from the coarse skeleton). */
const CODE_ONLY = /^(map|loop|each|reduce|find)\(code\)$|^(slice|index|get|items|sort|match)$/;

/** The skeleton without code-only reshaping steps: what is split, what the model is asked, how results combine. */
export function coarseOps(ops: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (CODE_ONLY.test(op)) continue;
    if (op === 'count' && ops[i + 1] !== 'FINAL') continue;
    out.push(op);
  }
  return out;
}

function sequenceFeatures(prefix: string, ops: readonly string[], w: number, vec: Float64Array): void {
  for (let i = 0; i < ops.length; i++) {
    add(vec, hashString(`${prefix}1:${ops[i]}`), w);
    if (i + 1 < ops.length) add(vec, hashString(`${prefix}2:${ops[i]}>${ops[i + 1]}`), w);
    if (i + 2 < ops.length) add(vec, hashString(`${prefix}3:${ops[i]}>${ops[i + 1]}>${ops[i + 2]}`), w / 2);
  }
}

function skeletonFeatures(ops: readonly string[], growth: GrowthClass | undefined, vec: Float64Array): void {
  sequenceFeatures('op', ops, 0.6, vec);
  sequenceFeatures('co', coarseOps(ops), 1, vec);
  if (ops.length > 0) add(vec, hashString(`first:${ops[0]}`), 0.5);
  if (growth) add(vec, hashString(`growth:${growth}`), 1);
}

export interface SkeletonTokens {
  ops: readonly string[];
  growth?: GrowthClass;
}

/** The structural embedding of a normalized tree and its skeleton: L2-normalized, length STRUCT_DIM. */
export function embedStructure(tree: NNode, skeleton: SkeletonTokens): number[] {
  const ast = new Float64Array(STRUCT_DIM);
  astFeatures(tree, ast);
  dampAndNormalize(ast);
  const sk = new Float64Array(STRUCT_DIM);
  skeletonFeatures(skeleton.ops, skeleton.growth, sk);
  const hasSkeleton = skeleton.ops.length > 0 || skeleton.growth !== undefined;
  if (hasSkeleton) dampAndNormalize(sk);
  const out = new Array<number>(STRUCT_DIM);
  let norm = 0;
  for (let i = 0; i < STRUCT_DIM; i++) {
    const x = hasSkeleton ? AST_WEIGHT * ast[i] + SKELETON_WEIGHT * sk[i] : ast[i];
    out[i] = x;
    norm += x * x;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < STRUCT_DIM; i++) out[i] *= inv;
  return out;
}

/** Cosine similarity (one definition, in src/contracts). */
export { cosine } from '../../src/contracts/vector.js';
