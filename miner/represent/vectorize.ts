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

export type Part = View | 'structure';

export const VIEW_WEIGHTS: Readonly<Record<Part, number>> = {
  roles: 1,
  flows: 1,
  prompt: 3,
  literals: 0.5,
  identifiers: 0.5,
  api: 1,
  query: 0.5,
  structure: 1,
};

/** The hashed space profile vectors live in (pgvector `sparsevec` dimension). */
export const PROFILE_DIM = 1 << 20;
/** The structural embedding is folded into this many dimensions at the start of the space. */
const STRUCT_FOLD = 64;
/** pgvector's HNSW index takes sparse vectors of at most 1,000 non-zero entries. */
const MAX_NONZERO = 1_000;

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

const TOTAL_WEIGHT = Object.values(VIEW_WEIGHTS).reduce((a, b) => a + b, 0);

/**
 * The vector of one profile. `structure` is the program's structural embedding (embed.ts), already
 * L2-normalized; it is folded into a small block of its own. Without one, that block stays empty.
 */
export function vectorize(profile: Pick<Profile, 'views'>, stats: TermStatistics, structure?: readonly number[], weights: Readonly<Record<Part, number>> = VIEW_WEIGHTS): SparseVector {
  const total = weights === VIEW_WEIGHTS ? TOTAL_WEIGHT : Object.values(weights).reduce((a, b) => a + b, 0);
  const entries: [number, number][] = [];
  VIEWS.forEach((view, v) => {
    const weighted = weigh(profile.views[view] ?? {}, view, stats);
    let norm = 0;
    for (const w of weighted.values()) norm += w * w;
    if (norm === 0 || weights[view] === 0) return;
    const scale = Math.sqrt(weights[view] / total) / Math.sqrt(norm);
    for (const [term, w] of weighted) {
      const h = hashString(term, 0x9747b28c + v);
      entries.push([STRUCT_FOLD + (h % (PROFILE_DIM - STRUCT_FOLD)), w * scale]);
    }
  });
  if (structure && structure.length === STRUCT_DIM && weights.structure > 0) {
    const folded = new Float64Array(STRUCT_FOLD);
    for (let i = 0; i < STRUCT_DIM; i++) folded[i % STRUCT_FOLD] += structure[i];
    let norm = 0;
    for (const x of folded) norm += x * x;
    const scale = norm > 0 ? Math.sqrt(weights.structure / total) / Math.sqrt(norm) : 0;
    for (let i = 0; i < STRUCT_FOLD; i++) if (folded[i] !== 0) entries.push([i, folded[i] * scale]);
  }
  if (entries.length > MAX_NONZERO) {
    entries.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
    entries.length = MAX_NONZERO;
  }
  return fromEntries(entries);
}

/** Inner product: the similarity of two profile vectors (the weighted mean of view cosines). */
export { dot as similarity } from './sparse.js';
