/**
 * The miner's pure front half: consolidate → parse → slice → normalize → skeleton → embed, the
 * in-memory clustering core and quality metrics. The labelled-corpus generator is test data
 * (test/data/corpus).
 * Nothing here touches the database.
 */
export type { BlockInput, GrowthClass, NormalizedProgram, ProgramAnalysis, ProgramFeatures, ProgramInput, PromptTemplate, Skeleton, Unparseable } from './front/types.js';
export type { NNode } from './front/tree.js';
export { analyzeProgram, stripLiterals } from './front/parse.js';
export { consolidate, isFailedStatus, type ConsolidatedProgram, type OrderedBlock } from './front/consolidate.js';
export { backwardSlice, type SliceOptions, type SliceResult } from './front/slice.js';
export { normalizeProgram, normalizeStatements, lowerCode, sha256, UnparseableError } from './front/normalize.js';
export { liftSkeleton, findLibCalls } from './front/skeleton.js';
export { STRUCT_DIM, embedStructure, cosine, coarseOps } from './represent/embed.js';
export { antiUnificationCost, antiUnify, matchedSize, type AntiUnifier } from './cluster/antiunify.js';
export { agglomerate, cohesionOf, type AgglomerativeOptions, type AgglomerativeResult } from './cluster/agglomerative.js';
export { clusterIncrementally, summarizeMembers, type ProfileItem, type ExistingProfileCluster, type CreatedCluster, type IncrementalProfileResult } from './cluster/incremental.js';
export { sparseKnn } from './cluster/knn.js';
export { profileProgram, VIEWS, type Profile, type View } from './represent/profile.js';
export { describeRoles, type RoleProfile } from './represent/roles.js';
export { TermStatistics, vectorize, VIEW_WEIGHTS, PROFILE_DIM } from './represent/vectorize.js';
export { adjustedRandIndex, purity, clusterQuality, type Label, type ClusterQuality } from './cluster/metrics.js';
export { MAX_CODE_CHARS, MAX_BRACKET_DEPTH, MAX_TREE_DEPTH } from './front/guard.js';
