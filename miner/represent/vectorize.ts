/**
 * From profiles to vectors: TF-IDF per view (document frequencies over every parsed program, kept
 * in `mining_terms`), each view's terms hashed (a seed per view) into a sparse space of 2^20
 * dimensions, L2-normalized and scaled by the square root of the view's weight. The inner product
 * of two vectors is then the weighted mean of the views' cosine similarities (a view a program
 * lacks counts as 0), so one kNN index serves all views at once.
 *
 * The weights say how much each side of a program decides what it is. They were measured on the
 * labelled corpora (bench/miner/quality.ts prints the table, with each view left out in turn) and
 * chosen to hold across them, not to win on one: words of the prompts say what is asked; roles and
 * their flows say how it is decomposed, which is what recurs when the task changes; the API
 * vocabulary and the structural embedding say how the code is built; names, other literals and
 * the user's query break ties.
 */
import { hashString, STRUCT_DIM } from './embed.js';
import { type Profile, type TermBag, type View, VIEWS } from './profile.js';
import { fromEntries, type SparseVector } from './sparse.js';

export type Part = View | 'structure' | 'semantic';

export const VIEW_WEIGHTS: Readonly<Record<Part, number>> = {
  roles: 1,
  flows: 1,
  prompt: 3,
  literals: 0.5,
  identifiers: 0.5,
  api: 1,
  query: 0.5,
  structure: 1,
  // the optional semantic embedding of the query and prompts (only when an embedding model is
  // configured; programs without one are compared on the other views alone)
  semantic: 2,
};

/** The hashed space profile vectors live in (pgvector `sparsevec` dimension). */
export const PROFILE_DIM = 1 << 20;
/** The structural embedding is folded into this many dimensions at the start of the space. */
const STRUCT_FOLD = 64;
/** The semantic embedding (any dimension) is folded into this many dimensions after it. */
const SEMANTIC_FOLD = 256;
/** Where hashed terms start. */
const TERMS_FROM = STRUCT_FOLD + SEMANTIC_FOLD;
/** At most this many non-zero entries (the largest weights) per vector; pgvector stores up to 16,000. */
const MAX_NONZERO = 4_000;

/** Terms seen in fewer documents than this carry no weight once the pool is this large. */
const MIN_DF = 2;
const MIN_DOCS_FOR_MIN_DF = 20;

/** How a view's term is keyed in document frequencies (and in the `mining_terms` table). */
export const termKey = (view: View, term: string): string => `${view}\u0001${term}`;
const key = termKey;

/** Document counts of each term over some profiles (to add to stored frequencies). */
export function termCounts(profiles: Iterable<Pick<Profile, 'views'>>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of profiles) for (const view of VIEWS) for (const term of Object.keys(p.views[view] ?? {})) counts.set(termKey(view, term), (counts.get(termKey(view, term)) ?? 0) + 1);
  return counts;
}

/** Document frequencies of terms per view, over a pool of profiles. */
export class TermStatistics {
  docs = 0;
  readonly df = new Map<string, number>();

  static of(profiles: Iterable<Pick<Profile, 'views'>>): TermStatistics {
    const s = new TermStatistics();
    for (const p of profiles) s.add(p);
    return s;
  }

  add(p: Pick<Profile, 'views'>): void {
    this.docs++;
    for (const view of VIEWS) for (const term of Object.keys(p.views[view] ?? {})) this.df.set(key(view, term), (this.df.get(key(view, term)) ?? 0) + 1);
  }

  idf(view: View, term: string): number {
    const df = this.df.get(key(view, term)) ?? 0;
    if (df < MIN_DF && this.docs >= MIN_DOCS_FOR_MIN_DF) return 0;
    return Math.max(0, Math.log((this.docs + 1) / (df + 0.5)));
  }
}

function weigh(bag: TermBag, view: View, stats: TermStatistics): Map<string, number> {
  const out = new Map<string, number>();
  for (const [term, count] of Object.entries(bag)) {
    const w = (1 + Math.log(count)) * stats.idf(view, term);
    if (w > 0) out.set(term, w);
  }
  return out;
}

/** Folds a dense embedding into `dims` dimensions (the sum of every dims-th entry) and L2-normalizes it. */
function fold(dense: readonly number[], dims: number): Float64Array | undefined {
  const folded = new Float64Array(dims);
  for (let i = 0; i < dense.length; i++) folded[i % dims] += Number(dense[i]) || 0;
  let norm = 0;
  for (const x of folded) norm += x * x;
  if (norm === 0) return undefined;
  const n = Math.sqrt(norm);
  for (let i = 0; i < dims; i++) folded[i] /= n;
  return folded;
}

/**
 * The vector of one profile. `structure` is the program's structural embedding (embed.ts) and
 * `semantic` the optional semantic embedding of its query and prompts; each is folded into a small
 * block of its own, and a part that is missing stays empty and out of the weights' total.
 */
export function vectorize(
  profile: Pick<Profile, 'views'>,
  stats: TermStatistics,
  structure?: readonly number[],
  weights: Readonly<Record<Part, number>> = VIEW_WEIGHTS,
  semantic?: readonly number[] | null,
): SparseVector {
  const semanticBlock = semantic && semantic.length > 0 && weights.semantic > 0 ? fold(semantic, SEMANTIC_FOLD) : undefined;
  const total = Object.entries(weights).reduce((sum, [part, w]) => sum + (part === 'semantic' && !semanticBlock ? 0 : w), 0);
  const entries: [number, number][] = [];
  VIEWS.forEach((view, v) => {
    const weighted = weigh(profile.views[view] ?? {}, view, stats);
    let norm = 0;
    for (const w of weighted.values()) norm += w * w;
    if (norm === 0 || weights[view] === 0) return;
    const scale = Math.sqrt(weights[view] / total) / Math.sqrt(norm);
    for (const [term, w] of weighted) {
      const h = hashString(term, 0x9747b28c + v);
      entries.push([TERMS_FROM + (h % (PROFILE_DIM - TERMS_FROM)), w * scale]);
    }
  });
  const structureBlock = structure && structure.length === STRUCT_DIM && weights.structure > 0 ? fold(structure, STRUCT_FOLD) : undefined;
  if (structureBlock) {
    const scale = Math.sqrt(weights.structure / total);
    structureBlock.forEach((x, i) => x !== 0 && entries.push([i, x * scale]));
  }
  if (semanticBlock) {
    const scale = Math.sqrt(weights.semantic / total);
    semanticBlock.forEach((x, i) => x !== 0 && entries.push([STRUCT_FOLD + i, x * scale]));
  }
  if (entries.length > MAX_NONZERO) {
    entries.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
    entries.length = MAX_NONZERO;
  }
  return fromEntries(entries);
}

