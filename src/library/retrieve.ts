/**
 * Which library functions to list in the system prompt for a query: at most k of them, and only
 * those relevant to it — a function that shares nothing with the query, or scores far below the
 * best match, is not listed (every function stays callable). The default scorer is lexical:
 * BM25 over the words of a function's name (camelCase split, counted twice), the first line of its
 * doc (what it does; the rest — input format, return format, model calls, when not to use it — is
 * shared wording that would make every function look relevant) and its signature's parameter
 * names. Words that say nothing about a task's subject (list, each, one, find, reply, ...) are
 * stop words. A semantic scorer (embeddings from an OpenAI-compatible endpoint)
 * can be plugged in; its scores are blended with the lexical ones, and when it fails the lexical
 * ranking is used alone.
 */
import { sha256 } from '../contracts/hash.js';
import { cosine } from '../contracts/vector.js';
import { type Embedder, OpenAIEmbedder } from '../models/embeddings.js';
import type { LibraryListing } from '../contracts/listing.js';

/** Functions listed in the system prompt by default. */
export const DEFAULT_K = 5;

/** A pluggable relevance scorer: one score per function, higher is more relevant. */
export interface RelevanceScorer {
  readonly name: string;
  score(query: string, functions: readonly LibraryListing[]): Promise<number[]>;
}

const STOP = new Set(
  'a an and are as at be by can do does for from has have how i in into is it its many me much of on or our so such than that the their them then there these this those to was we were what when where which who why will with you your each per all any string number boolean promise record array unknown void null undefined opts options list each one every find give reply only answer return returns item items all most least more less few'.split(' '),
);

function stem(w: string): string {
  if (w.length > 5 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 5 && w.endsWith('ing')) return w.slice(0, -3);
  if (w.length > 4 && w.endsWith('ed') && !w.endsWith('eed')) return w.slice(0, -2);
  if (w.length > 4 && /(ss|sh|ch|x)es$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) return w.slice(0, -1);
  return w;
}

/** Lower-case word stems: camelCase and snake_case split, stop words dropped. */
export function tokenize(text: string): string[] {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 1 && !STOP.has(w))
    .map(stem);
}

/** Parameter names of a signature (types are mostly noise for relevance). */
function paramWords(signature: string): string {
  return [...signature.matchAll(/([A-Za-z_$][\w$]*)\s*\??\s*:/g)].map((m) => m[1]).join(' ');
}

/** What a function does: the first line of its doc. */
export const docHead = (doc: string): string => doc.trim().split('\n')[0] ?? '';

function documentTokens(f: LibraryListing): string[] {
  const name = tokenize(f.name);
  return [...name, ...name, ...tokenize(docHead(f.doc)), ...tokenize(paramWords(f.signature))];
}

/** BM25 (k1 = 1.2, b = 0.75) over a fixed set of functions. */
export class LexicalIndex {
  private readonly docs: Map<string, number>[];
  private readonly lengths: number[];
  private readonly avgLength: number;
  private readonly df = new Map<string, number>();

  constructor(functions: readonly LibraryListing[]) {
    this.docs = functions.map((f) => {
      const tf = new Map<string, number>();
      for (const t of documentTokens(f)) tf.set(t, (tf.get(t) ?? 0) + 1);
      return tf;
    });
    this.lengths = this.docs.map((d) => [...d.values()].reduce((a, b) => a + b, 0));
    this.avgLength = this.lengths.reduce((a, b) => a + b, 0) / Math.max(1, this.lengths.length) || 1;
    for (const d of this.docs) for (const t of d.keys()) this.df.set(t, (this.df.get(t) ?? 0) + 1);
  }

  score(query: string): number[] {
    const terms = [...new Set(tokenize(query))];
    const n = this.docs.length;
    return this.docs.map((tf, i) => {
      let s = 0;
      for (const t of terms) {
        const f = tf.get(t);
        if (!f) continue;
        const df = this.df.get(t) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        s += (idf * f * 2.2) / (f + 1.2 * (0.25 + (0.75 * this.lengths[i]) / this.avgLength));
      }
      return s;
    });
  }
}

/** A function is listed when its score is at least this share of the best score for the query. */
export const DEFAULT_MIN_RELATIVE = 0.5;

/**
 * Indexes of the top k scores, best first (ties keep the functions' order), keeping only positive
 * scores of at least `minRelative` × the best one.
 */
function topK(scores: readonly number[], k: number, minRelative: number): number[] {
  const best = Math.max(0, ...scores);
  if (best <= 0) return [];
  return scores
    .map((s, i) => ({ s, i }))
    .filter((x) => x.s > 0 && x.s >= minRelative * best)
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, Math.max(0, k))
    .map((x) => x.i);
}

const normalize = (xs: readonly number[]): number[] => {
  const max = Math.max(0, ...xs);
  return max > 0 ? xs.map((x) => x / max) : xs.map(() => 0);
};

export interface SelectorOptions {
  /** How many functions to list (default 5). */
  k?: number;
  /** An extra scorer (e.g. {@link embeddingScorer}); lexical BM25 is always there. */
  scorer?: RelevanceScorer;
  /** Weight of the extra scorer's (cosine) scores against the normalized lexical ones (default 0.7). */
  weight?: number;
  /**
   * List a function only when it scores at least this share of the best function's score
   * (default 0.5; 0 lists every function that shares a word with the query).
   */
  minRelative?: number;
  onWarning?: (message: string) => void;
}

export interface Selector {
  /** Lexical: the k most relevant functions, best first; none when nothing is relevant. */
  select(query: string): LibraryListing[];
  /** With the extra scorer when there is one; the lexical ranking when it fails. */
  retrieve(query: string): Promise<LibraryListing[]>;
}

const listing = (f: LibraryListing): LibraryListing => ({ name: f.name, signature: f.signature, doc: f.doc });

export function createSelector(functions: readonly LibraryListing[], options: SelectorOptions = {}): Selector {
  const k = options.k ?? DEFAULT_K;
  const minRelative = options.minRelative ?? DEFAULT_MIN_RELATIVE;
  const index = new LexicalIndex(functions);
  const fns = functions.map(listing);
  const select = (query: string): LibraryListing[] => topK(index.score(query), k, minRelative).map((i) => fns[i]);
  let warned = false;
  return {
    select,
    async retrieve(query: string): Promise<LibraryListing[]> {
      if (!options.scorer || fns.length === 0 || k <= 0) return select(query);
      try {
        const semantic = await options.scorer.score(query, fns);
        if (semantic.length !== fns.length || semantic.some((x) => !Number.isFinite(x))) throw new Error(`the scorer returned ${semantic.length} scores for ${fns.length} functions`);
        const lexical = normalize(index.score(query));
        const w = options.weight ?? 0.7;
        return topK(semantic.map((s, i) => w * s + (1 - w) * lexical[i]), k, minRelative).map((i) => fns[i]);
      } catch (err) {
        if (!warned) options.onWarning?.(`library retrieval: the ${options.scorer.name} scorer failed (${(err as Error).message}); listing functions by lexical relevance`);
        warned = true;
        return select(query);
      }
    },
  };
}

export interface EmbeddingConfig {
  /** The embeddings model on the endpoint, e.g. text-embedding-3-small. */
  model: string;
  /** OpenAI-compatible endpoint (default: OpenAI). */
  baseURL?: string;
  apiKey?: string;
  timeoutMs?: number;
  /** Retries on 429, 5xx and timeouts (default 2). */
  maxRetries?: number;
}

/** The text a function is embedded as. */
export const embeddingText = (f: LibraryListing): string => `${tokenize(f.name).join(' ')}: ${f.doc} ${f.name}${f.signature}`;

/**
 * Semantic relevance: cosine similarity of embeddings; functions are embedded once, queries cached.
 * The embeddings come from the one embeddings client (src/models/embeddings.ts), or any Embedder.
 */
export function embeddingScorer(config: EmbeddingConfig | Embedder): RelevanceScorer {
  const embedder: Embedder = 'embed' in config ? config : new OpenAIEmbedder(config.model, { baseURL: config.baseURL, apiKey: config.apiKey, timeoutMs: config.timeoutMs ?? 30_000, maxRetries: config.maxRetries ?? 2 });
  /** Function texts stay cached; queries are cached up to QUERY_CACHE entries (oldest dropped first). */
  const cache = new Map<string, Promise<number[]>>();
  const queries = new Set<string>();
  const QUERY_CACHE = 256;
  const key = (text: string) => sha256(text);
  function embed(texts: string[]): Promise<number[][]> {
    const missing = [...new Set(texts.filter((t) => !cache.has(key(t))))];
    if (missing.length > 0) {
      const request = embedder.embed(missing).then((byIndex) => {
        if (byIndex.length !== missing.length) throw new Error(`the endpoint returned ${byIndex.length} embeddings for ${missing.length} texts`);
        return byIndex;
      });
      missing.forEach((t, i) => {
        const one = request.then((all) => all[i]);
        one.catch(() => cache.delete(key(t)));
        cache.set(key(t), one);
      });
    }
    return Promise.all(texts.map((t) => cache.get(key(t))!));
  }
  function rememberQuery(query: string): void {
    const k = key(query);
    queries.delete(k);
    queries.add(k);
    while (queries.size > QUERY_CACHE) {
      const oldest = queries.values().next().value as string;
      queries.delete(oldest);
      cache.delete(oldest);
    }
  }
  return {
    name: `embedding (${embedder.model})`,
    async score(query, functions) {
      const texts = functions.map(embeddingText);
      const isDoc = new Set(texts);
      const [q, ...docs] = await embed([query, ...texts]);
      if (!isDoc.has(query)) rememberQuery(query);
      return docs.map((d) => cosine(q, d));
    },
  };
}
