/** Public types of the miner's front half (parse, slice, normalize, skeleton, embed). */
import type { NNode } from './tree.js';

/** One code block as logged in the `programs` table. */
export interface BlockInput {
  stepIdx: number;
  blockIdx: number;
  code: string;
  /**
   * How the block ended in the sandbox. Any of `error`, `failed`, `failure`, `timeout`,
   * `timed_out`, `killed`, `aborted`, `crashed` (any case) counts as failed; anything else
   * (`ok`, `success`, `final`, ...) counts as having run.
   */
  status: string;
  /**
   * What the sandbox reported when the block failed (the `programs.error` column), e.g.
   * `TypeError: x is not a function\n  at line 12`. Optional: it tells how far a failed block ran.
   */
  error?: string | null;
}

export interface ProgramInput {
  runId: string;
  blocks: BlockInput[];
  /**
   * The language the run's REPL ran (runs.metadata.language; absent for accrete's own runs, which
   * are JavaScript). Another language (e.g. python, from an official RLM log) is not analyzed.
   */
  language?: string | null;
}

/** How the number of model calls grows with the size of the input. */
export type GrowthClass = 'constant' | 'linear' | 'logarithmic';

/** A prompt passed to `llm`/`rlm`, with holes for interpolated or concatenated expressions. */
export interface PromptTemplate {
  fn: 'llm' | 'rlm';
  /** The literal parts joined with `${i}` markers, e.g. "Does this text mention ${0}? Answer yes or no." */
  text: string;
  /** The literal string parts (holes.length + 1 of them). */
  parts: string[];
  /** The hole expressions, in normalized form (positional names, literals kept). */
  holes: string[];
}

export interface Skeleton {
  /** The decomposition as a pipeline, e.g. ['split(lines)', 'filter(match)', 'map(llm)', 'count', 'FINAL']. */
  ops: string[];
  /** `ops.join(' |> ')`. */
  text: string;
  growth: GrowthClass;
  prompts: PromptTemplate[];
  /** Names of library functions called as `lib.<name>(...)` anywhere in the run (sorted, unique). */
  libCalls: string[];
  /** Number of `llm`/`rlm`/`llmBatch`/`lib.*` call sites in the sliced program. */
  modelCallSites: number;
}

export interface NormalizedProgram {
  /** Canonical text: positional names, abstracted literals, canonical loop forms, no types. */
  normalized: string;
  /** sha256 (hex) of `normalized`. */
  fingerprint: string;
}

export interface ProgramFeatures {
  blocks: number;
  failedBlocks: number;
  /** Blocks dropped because they did not parse (only failed blocks are dropped silently). */
  unparsedBlocks: number;
  statements: number;
  slicedStatements: number;
  /** Nodes of the normalized (sliced) tree. */
  nodes: number;
  depth: number;
  loops: number;
  modelCallSites: number;
  hasFinal: boolean;
}

export interface ProgramAnalysis extends NormalizedProgram {
  ok: true;
  runId: string;
  /** The normalized tree of the sliced program (literal values removed); plain JSON. */
  tree: NNode;
  /**
   * The unsliced program (every block that parsed, failed ones included), normalized lightly:
   * positional names, abstracted literals and expression-level canonical forms, but loops,
   * inlining and statement order as written.
   */
  full: NormalizedProgram;
  skeleton: Skeleton;
  features: ProgramFeatures;
  /** Structural embedding, L2-normalized, length STRUCT_DIM. */
  embedding: number[];
}

export interface Unparseable {
  ok: false;
  runId: string;
  reason: string;
}
