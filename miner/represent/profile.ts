/**
 * The profile of a program's decomposition: term bags in several views, each describing the
 * program from one side — what it does by role (`roles`, and `flows` between roles), what it asks
 * the model (`prompt` words), the rest of its vocabulary (`literals`, `identifiers`, `api`) and
 * what the user asked (`query`). Plain JSON, stored with the mined program; turned into a vector
 * by vectorize.ts with document frequencies of the whole pool.
 */
import { codeVocabulary, words } from './lexical.js';
import { describeRoles, parseProgram } from './roles.js';

export const VIEWS = ['roles', 'flows', 'prompt', 'literals', 'identifiers', 'api', 'query'] as const;
export type View = (typeof VIEWS)[number];

export type TermBag = Record<string, number>;

export interface Profile {
  views: Record<View, TermBag>;
  /** Model calls made from inside a loop, a map or a batch (the fan-out). */
  fanOut: number;
  /** Model call sites on the answer's slice. */
  modelCalls: number;
  /** Distinct roles on the answer's slice: how much of a decomposition there is. */
  complexity: number;
  /**
   * A simple lookup rather than a decomposition: no fan-out, at most one model call and few roles
   * (a peek and one question, a regex and an answer) — unless the one model call reads what the
   * program cut from the input (filter, then ask), or the answer was typed after reading pieces
   * the program cut and printed (the root model read through them: that is the decomposition).
   * Simple programs are kept out of clusters: there is nothing in them to generalize.
   */
  simple: boolean;
}

/** Fewer distinct roles than this, with no fan-out and at most one model call, is a simple lookup. */
export const MIN_DECOMPOSITION_ROLES = 8;

function bag(tokens: Iterable<string>): TermBag {
  const out: TermBag = {};
  for (const t of tokens) out[t] = (out[t] ?? 0) + 1;
  return out;
}

/**
 * Profiles a program from its code (the blocks that ran, in order) and the user's query. Never
 * throws on odd code: the TypeScript parser recovers from syntax errors.
 */
export function profileProgram(code: string, query: string): Profile {
  const file = parseProgram(code);
  const roles = describeRoles(file);
  const vocabulary = codeVocabulary(file);
  const count = (prefix: string, names: string[]): number => names.reduce((s, n) => s + (roles.roles.get(`${prefix}:${n}`) ?? 0), 0);
  const fanOut = count('fan', ['batch', 'parallel', 'sequential', 'recursive']);
  const modelCalls = fanOut + count('fan', ['single']);
  const complexity = roles.roles.size;
  // the input is cut (lines, records, chunks, filters ...) rather than only peeked at
  const cutsInput = [...roles.roles.keys()].some((r) => r.startsWith('cut:') && r !== 'cut:peek');
  // the answer was typed after reading what the program printed: the root model is a step of it
  const readsThroughModel = roles.roles.has('answer:typed');
  // the one model call reads what the program cut from the input (filter, then ask)
  const cutFeedsModel = [...roles.flows.keys()].some((f) => /^cut:(?!peek)[^>]*>fan:single$/.test(f));
  return {
    views: {
      roles: Object.fromEntries(roles.roles),
      flows: Object.fromEntries(roles.flows),
      prompt: bag(words(roles.promptText.join(' '))),
      literals: bag(vocabulary.literals),
      identifiers: bag(vocabulary.identifiers),
      api: bag(vocabulary.api),
      query: bag(words(query)),
    },
    fanOut,
    modelCalls,
    complexity,
    simple: fanOut === 0 && modelCalls <= 1 && complexity < MIN_DECOMPOSITION_ROLES && !(readsThroughModel && cutsInput) && !cutFeedsModel,
  };
}

/** A term and the share of profiles that have it. */
export interface SharedTerm {
  term: string;
  share: number;
}

/**
 * What a group of programs has in common, per view: the terms present in at least `minShare` of
 * them, most shared first (at most `k` a view). `clusters show` prints it as "held together by".
 */
export function sharedTerms(profiles: readonly unknown[], minShare = 0.6, k = 8): Partial<Record<View, SharedTerm[]>> {
  const valid = profiles.filter((p): p is Profile => typeof p === 'object' && p !== null && 'views' in p);
  const out: Partial<Record<View, SharedTerm[]>> = {};
  if (valid.length === 0) return out;
  for (const view of VIEWS) {
    const df = new Map<string, number>();
    for (const p of valid) for (const term of Object.keys(p.views[view] ?? {})) df.set(term, (df.get(term) ?? 0) + 1);
    const shared = [...df]
      .map(([term, n]) => ({ term, share: n / valid.length }))
      .filter((t) => t.share >= minShare)
      .sort((a, b) => b.share - a.share || (a.term < b.term ? -1 : 1))
      .slice(0, k);
    if (shared.length > 0) out[view] = shared;
  }
  return out;
}
