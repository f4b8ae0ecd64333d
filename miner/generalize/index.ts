/** The generalize step of the miner: clusters → parameterized, typed, named functions ranked by gain. */
export { eligibleClusters, DEFAULT_MIN_SUPPORT, DEFAULT_MIN_SUCCESS_RATE } from './eligible.js';
export { generalizeCluster, generalizeMembers, isRejected, type GeneralizeResult } from './generalize.js';
export { loadCluster, loadClusters, loadSuccessfulMembers, type ClusterRow, type MemberRun } from './members.js';
export { sliceProgram, type SlicedProgram, type SliceOutcome } from '../front/program.js';
export { alignLiterals, type Alignment } from './align.js';
export { literalOf, literalSites, type JsonValue, type Literal, type LiteralKind, type LiteralSite } from './literals.js';
export { planParams, mostCommon, typeOfValues, DEFAULT_MAX_PARAMS, type PlannedParam, type ParamPlanInput } from './params.js';
export { siteRole, roleWeight, type RoleInfo, type SiteRole } from './roles.js';
export { emitFunction, EmitError, type EmitInput, type Emitted, type EmittedParam } from './emit.js';
export { parameters, functionParams, memberArguments, type Parameters } from './signature.js';
export { pairPrompts } from './prompt-match.js';
export { repairTypes, type TypingResult } from './typing.js';
export { descriptionLengthGain, callText, countTokens, withoutDoc, type GainMember, type GainReport } from './gain.js';
export {
  modelNamer,
  namerFromSpec,
  parseNaming,
  skeletonDoc,
  skeletonName,
  uniqueFunctionName,
  MAX_NAME_LENGTH,
  type Namer,
  type Naming,
  type NamingInput,
  type NamingParam,
} from './naming.js';
export type { Candidate, CandidateMember, EligibilityOptions, GeneralizeOptions, Rejection } from './types.js';
