/** Public types of the verify step. */
import type { SandboxPool } from '../../src/sandbox/repl.js';
import type { LiveCheckOptions } from './live.js';
import type { Namer } from '../generalize/naming.js';
import type { PromotionCandidate } from '../promote/types.js';

/** How a replay's sub-calls were answered (match.ts tiers, and live calls). */
export interface MatchCounts {
  exact: number;
  whitespace: number;
  varyingParts: number;
  live: number;
}

export interface ReplayResult {
  runId: string;
  reproduced: boolean;
  /** Why not (or, for unverifiable members, why replay was impossible). */
  reason?: string;
  /** No recorded sub-calls or input (imported logs): neither reproduced nor refuted. */
  unverifiable?: boolean;
  /** How the sub-calls were answered. */
  match?: MatchCounts;
  /** Differences replay tolerated (wording, whitespace, calls outside the slice). */
  notes?: string[];
  /**
   * 'own-check': the run's program stopped at its own final check and the run repaired it in later
   * steps; the function made the same calls and stopped at the same check.
   */
  partial?: 'own-check';
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
  /**
   * Replay coverage over the structural sub-group the function was generalized from (its evidence,
   * held to minCoverage) and over the whole cluster (members written differently count as not
   * reproduced unless replay reproduced them anyway).
   */
  coverage: CoverageEvidence;
  /** Members outside the sub-group: how each is written differently, and what replay found. */
  otherMembers: OtherMember[];
}

export interface CoverageEvidence {
  subGroup: number;
  subGroupReproduced: number;
  subGroupSize: number;
  cluster: number;
  clusterReproduced: number;
  clusterSize: number;
}

/** A cluster member written differently from the function's sub-group. */
export interface OtherMember {
  runId: string;
  /** How it differs (structure, or not sliceable), then what replay found. */
  why: string;
  /** Replay reproduced it all the same. */
  reproduced: boolean;
}

/** A promotion candidate with the verification evidence (structurally a PromotionCandidate). */
export interface VerifiedCandidate extends PromotionCandidate {
  /** `coverage` is over the function's sub-group; this is over the whole cluster. */
  clusterCoverage: number;
  /** Members written differently from the function's sub-group (also in evidence). */
  otherMembers: OtherMember[];
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
  /** Distinct successful runs a cluster needs (default 3); the function's sub-group needs as many. */
  minSupport?: number;
  /** Default 0.7. */
  minSuccessRate?: number;
  /** Share of the function's structural sub-group replay must reproduce (default 0.8). */
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
  /**
   * The opt-in live check: where no recorded response fits a replayed sub-call, ask this model,
   * at most `budget` calls in the whole build (logged under runs of source 'verify'). Default off.
   */
  liveCheck?: LiveCheckOptions;
  /** Keep each cluster's verification outcome in clusters.verification (default true; false for a dry run). */
  recordOutcome?: boolean;
}

export interface BuildResult {
  candidates: VerifiedCandidate[];
  rejected: { clusterId: string; reason: string }[];
}

/** The last verification of a cluster, as kept in clusters.verification and shown by `accrete clusters show`. */
export interface ClusterVerification {
  /** ISO time of the build. */
  at: string;
  status: 'candidate' | 'rejected';
  /** The function's name, when generalize got that far. */
  name?: string;
  /** Share of the function's structural sub-group reproduced, when replay ran. */
  coverage?: number;
  /** Share of all the cluster's members reproduced, when replay ran. */
  clusterCoverage?: number;
  /** Members written differently from the sub-group the function was generalized from. */
  otherMembers?: OtherMember[];
  /** Why it was rejected. */
  reason?: string;
  /** Per member: reproduced or not, why, and what replay tolerated. */
  members: ReplayResult[];
}
