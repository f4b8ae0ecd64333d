/** The promote step of the miner: candidates → library branches, pull requests and promotion records. */
export { proposeFunction } from './propose.js';
export { listPromotions, recordProposal, shouldPropose, syncPromotions, type ProposalRecord } from './records.js';
export { ensureLibrary, readMainManifest } from './library-repo.js';
export { DEFAULT_LIBRARY_DIR, resolveLibraryDir } from '../../src/library/location.js';
export { githubConfigFromEnv } from './github.js';
export { CandidateError } from './validate.js';
export { compareVersions, nextVersion } from './version.js';
export { unifiedDiff } from './diff.js';
export { mergeProposal, retireFunction, reviewProposals, ReviewRefusal, uncommittedChanges, type MergeResult, type OpenProposal, type RetireResult } from './review.js';
export type {
  GitHubConfig,
  LibraryListRow,
  PromotionCandidate,
  Proposal,
  ProposedFile,
  ProposeOptions,
  SyncReport,
  VersionBump,
} from './types.js';
