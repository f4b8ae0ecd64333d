/** The verify step of the miner: type-check, replay (ReGAL), edge cases → PromotionCandidates. */
export { buildCandidates, verifyCandidate, DEFAULT_MIN_COVERAGE, type VerifyRejection } from './candidates.js';
export { typeCheck, checkSource, formatDiagnostic, PRIMITIVES_DTS } from './typecheck.js';
export { compileCandidate, callStep, CANDIDATE_VERSION, type SandboxFunction } from './compile.js';
export { replayMember, compareCalls, comparePrinted, NOT_IN_LOG, ENDED_WITHOUT_ANSWER, type ReplayOutcome, type ReplayFunction, type ReplayOptions } from './replay.js';
export { CallMatcher, normalizeText, wordSimilarity, firstDifference, MIN_INSTRUCTION_SIMILARITY, type Match, type MatchTier, type Miss } from './match.js';
export { LiveBudget, liveSession, VERIFY_RUN_SOURCE, type LiveCheckOptions } from './live.js';
export { recordVerification, lastVerification, parseVerification, renderVerification } from './outcome.js';
export { runEdgeCases, edgeInputs, fakeAnswer } from './edge-cases.js';
export { callKey, canonicalKey, loadRecording, hasLoggedCalls, type Recording, type RecordedCall } from './subcalls.js';
export { loadContext, type MemberContext } from './context.js';
export { expectedSavings } from './savings.js';
export type { BuildOptions, BuildProgress, BuildResult, ClusterVerification, CoverageEvidence, OtherMember, MatchCounts, EdgeCaseName, EdgeCaseResult, ReplayResult, VerificationEvidence, VerifiedCandidate } from './types.js';
