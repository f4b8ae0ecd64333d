/** Public types of the generalize step: a cluster's members turned into one parameterized function. */
import type { FunctionParam } from '../../src/library/format.js';
import type { GainReport } from './gain.js';
import type { Namer } from './naming.js';

export interface CandidateMember {
  runId: string;
  query: string;
  /** The run's logged answer. */
  answer: string | null;
  /** 'runtime' or 'import'. */
  source: string;
  contextSha256: string | null;
  /** The sliced program as logged (its own names and literals). */
  code: string;
  /** The arguments after `context` of the call that should reproduce the member. */
  args: unknown[];
  /**
   * Set when the run answered with a literal typed after reading printed output: the function
   * returns the lines of this step's prints, which replay compares with the step's logged output.
   */
  printedStep?: number;
  /** Nodes that differ from the template beyond literals (0: the member is an instance of it). */
  structuralDiff: number;
  /** Parameter sites the member had no aligned literal for (its value fell back to the default). */
  unaligned: number;
}

export interface Candidate {
  clusterId: string;
  membersHash: string;
  name: string;
  doc: string;
  /** `/** doc *\/\nexport async function <name>(context: string, ...): Promise<string> { ... }` */
  source: string;
  /** `(context: string, ...) => Promise<string>` */
  signature: string;
  /** context, the required parameters, then each option (with its default). */
  params: FunctionParam[];
  /** Name of the options parameter, when there are options. */
  optionsName?: string;
  skeleton: string;
  growth: string | null;
  support: number;
  successRate: number;
  /** The template member (the cluster's medoid when it could be sliced). */
  templateRunId: string;
  /** The members of the template's structural sub-group (instances of it up to literals and names). */
  templateGroup: string[];
  /**
   * The members the function stands for (its evidence, whose replay coverage is held to the
   * threshold): the template's sub-group and the members written mostly alike that answer in the
   * same format (subgroup.ts evidenceGroup).
   */
  subGroup: string[];
  /** Sliced members outside `subGroup`, and how each is written differently. */
  otherMembers: { runId: string; why: string }[];
  /** Successful members that were sliced and aligned, in run order. */
  members: CandidateMember[];
  /** Successful members that could not be used (no FINAL in a block that ran, unparseable). */
  excluded: { runId: string; reason: string }[];
  /** Description-length gain over all members, each rewritten as a call (verify recomputes it over the reproduced ones). */
  gain: GainReport;
  /** Annotations the typing pass added (where the model's JavaScript had no inferable type). */
  typeRepairs: string[];
  /** Who named it. */
  namedBy: 'model' | 'skeleton';
}

export interface Rejection {
  clusterId: string;
  reason: string;
}

export interface EligibilityOptions {
  /** Distinct successful runs (default 3). */
  minSupport?: number;
  /** Default 0.7. */
  minSuccessRate?: number;
}

export interface GeneralizeOptions {
  /** Names and docs from a model (default: deterministic from the skeleton). */
  namer?: Namer;
  /** Names already given in this pass (the new name is added). */
  takenNames?: Set<string>;
  /** Required parameters at most (default 3); the rest become options. */
  maxParams?: number;
  /** The type of `context` (context-type.ts; generalizeCluster reads it from the members' stored inputs). Default `string`. */
  contextType?: string;
  /** The doc's "Input:" sentence for JSON input (context-type.ts). */
  contextSentence?: string;
  /** The members' inputs were stored (then `context` is typed from them alone, never from how the code uses it). */
  storedInputs?: boolean;
  /** Characters of a call's context the sub-model's answers draw on at most, when the recorded calls show it (read-window.ts). */
  readWindow?: number;
}
