/**
 * The root model's seeded choices for one query: chunk budget, call style, how it finishes,
 * whether it slips a bug into its first program, prompt wordings and variable names. A pure
 * function of (seed, query, role), so every turn of a conversation sees the same plan.
 */
import { Rng, seedOf } from '../rng.js';

export type CallStyle = 'batch' | 'all' | 'loop';
export type FinishStyle = 'final' | 'final-var' | 'print-then-final';
export type BugKind = 'typo' | 'method';

export interface RootKnobs {
  /** The leaf model's window in characters (the root sizes chunks from it). */
  leafWindow: number;
  /** Probability that the first program has a bug to repair. */
  bugRate: number;
  /** Probability of an oversized chunk budget (past the leaf window). */
  sloppyRate: number;
}

export interface Plan {
  budget: number;
  sloppy: boolean;
  call: CallStyle;
  finish: FinishStyle;
  bug: BugKind | undefined;
  /** Library path: call lib.* straight away instead of peeking first. */
  libDirect: boolean;
  /** A family-specific strategy variant and wording variant (small integers). */
  variant: number;
  wording: number;
  /** Seed for further per-program choices. */
  seed: number;
}

export function makePlan(seed: number, query: string, knobs: RootKnobs): Plan {
  const base = seedOf(seed, 'root-plan', query);
  const r = (label: string): Rng => new Rng(seedOf(base, label));
  const sloppy = r('sloppy').chance(knobs.sloppyRate);
  const fraction = r('budget').pick([0.55, 0.65, 0.75, 0.85]);
  const budget = Math.round((knobs.leafWindow * (sloppy ? 1.3 : fraction)) / 100) * 100;
  const bugRng = r('bug');
  return {
    budget: Math.max(500, budget),
    sloppy,
    call: r('call').pick(['batch', 'batch', 'all', 'loop'] as const),
    finish: r('finish').pick(['final', 'final', 'final-var', 'print-then-final'] as const),
    bug: bugRng.chance(knobs.bugRate) ? bugRng.pick(['typo', 'method'] as const) : undefined,
    libDirect: r('lib').chance(0.5),
    variant: r('variant').int(0, 5),
    wording: r('wording').int(0, 5),
    seed: base,
  };
}

const ALIASES: Record<string, string[]> = {
  chunks: ['chunks', 'parts', 'pieces', 'segments'],
  results: ['results', 'answers', 'replies', 'outputs'],
  answer: ['answer', 'finalAnswer', 'out', 'resultText'],
  prompt: ['q', 'prompt', 'instruction', 'subQuery'],
  packLines: ['batchLines', 'groupLines', 'packLines', 'toBatches'],
  packUnits: ['packUnits', 'groupUnits', 'bundle', 'joinUnits'],
  units: ['docs', 'units', 'blocks', 'items'],
  totals: ['totals', 'counts', 'tally', 'byLabel'],
  people: ['people', 'persons', 'byName', 'roster'],
  groups: ['groups', 'buckets', 'byKey', 'clusters'],
  pairs: ['pairs', 'matches', 'matched', 'pairList'],
  hits: ['hits', 'found', 'candidates', 'positives'],
  lines: ['lines', 'rows', 'records', 'allLines'],
  ask: ['ask', 'lookup', 'findAnswer', 'searchDocs'],
  hop: ['acquirer', 'buyer', 'parent', 'owner'],
  partials: ['partials', 'summaries', 'notes', 'digest'],
  findings: ['findings', 'issues', 'defects', 'reported'],
  size: ['size', 'chunkSize', 'CHUNK', 'maxChars'],
  libResult: ['libResult', 'fromLib', 'libOut', 'res'],
};

/** Chosen variable names for one program; `suffix` renames everything (used by repairs). */
export class Names {
  constructor(
    private readonly seed: number,
    private readonly suffix: string,
  ) {}

  get(role: keyof typeof ALIASES): string {
    const options = ALIASES[role];
    return new Rng(seedOf(this.seed, 'name', role)).pick(options) + this.suffix;
  }
}
