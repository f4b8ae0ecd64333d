/** The verify step of the miner: type-check, replay (ReGAL), edge cases → PromotionCandidates. */
export { buildCandidates, verifyCandidate, DEFAULT_MIN_COVERAGE } from './candidates.js';
export { typeCheck, checkSource, formatDiagnostic, PRIMITIVES_DTS } from './typecheck.js';
export { compileCandidate, callStep, CANDIDATE_VERSION, type SandboxFunction } from './compile.js';
export { replayMember, compareCalls, NOT_IN_LOG, type ReplayOutcome, type ReplayFunction } from './replay.js';
export { runEdgeCases, edgeInputs, fakeAnswer } from './edge-cases.js';
export { callKey, canonicalKey, loadRecording, hasLoggedCalls, type Recording } from './subcalls.js';
export { loadContext, type MemberContext } from './context.js';
export { expectedSavings } from './savings.js';
export type { BuildOptions, BuildProgress, BuildResult, EdgeCaseName, EdgeCaseResult, ReplayResult, VerificationEvidence, VerifiedCandidate } from './types.js';
