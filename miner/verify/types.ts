/** Public types of the verify step. */
import type { SandboxPool } from '../../src/sandbox/repl.js';
import type { Namer } from '../generalize/naming.js';
import type { PromotionCandidate } from '../promote/types.js';

export interface ReplayResult {
  runId: string;
  reproduced: boolean;
  /** Why not (or, for unverifiable members, why replay was impossible). */
  reason?: string;
  /** No recorded sub-calls or input (imported logs): neither reproduced nor refuted. */
  unverifiable?: boolean;
}

export type EdgeCaseName = 'empty' | 'single-chunk' | 'multibyte';

export interface EdgeCaseResult {
  name: EdgeCaseName;
  passed: boolean;
  reason?: string;
  /** Characters of the input. */
  inputChars: number;
  /** Sub-calls the function made. */
  calls: number;
  /** The answer (truncated). */
  answer?: string;
}

/** What verify found besides replay: kept with the candidate and given to the promote step as its evidence. */
export interface VerificationEvidence {
  typeCheck: { ok: boolean; errors: string[]; repairs: string[] };
  edgeCases: EdgeCaseResult[];
  /** Members that could not be used at all (not sliceable), with why. */
  excluded: { runId: string; reason: string }[];
  /** Gain over all members as generalized, before replay (the candidate's gain counts the reproduced ones). */
  gainBeforeReplay: number;
  namedBy: 'model' | 'skeleton';
}

/** A promotion candidate with the verification evidence (structurally a PromotionCandidate). */
export interface VerifiedCandidate extends PromotionCandidate {
  evidence: VerificationEvidence;
}

export interface BuildProgress {
  clusterId: string;
  phase: 'generalize' | 'typecheck' | 'replay' | 'edge-cases' | 'done' | 'rejected';
  /** Clusters finished so far, of `total` eligible ones. */
  done: number;
  total: number;
  /** The member being replayed, the candidate's name, or the rejection's reason. */
  detail?: string;
}

export interface BuildOptions {
  /** Distinct successful runs a cluster needs (default 3). */
  minSupport?: number;
  /** Default 0.7. */
  minSuccessRate?: number;
  /** Share of members replay must reproduce (default 0.8). */
  minCoverage?: number;
  /** Names and docs from a model (default: deterministic). */
  namer?: Namer;
  /** The sandbox pool to replay in (default: one of its own, closed at the end). */
  pool?: SandboxPool;
  onProgress?: (p: BuildProgress) => void;
  /** Wall clock of one replayed call (default 60 s). */
  stepTimeoutMs?: number;
  /** Required parameters at most (default 3). */
  maxParams?: number;
}

export interface BuildResult {
  candidates: VerifiedCandidate[];
  rejected: { clusterId: string; reason: string }[];
}
