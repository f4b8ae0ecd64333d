/**
 * The miner's pure front half: consolidate → parse → slice → normalize → skeleton → embed, the
 * in-memory clustering core, quality metrics and the labelled-corpus generator (test data).
 * Nothing here touches the database.
 */
export type { BlockInput, GrowthClass, NormalizedProgram, ProgramAnalysis, ProgramFeatures, ProgramInput, PromptTemplate, Skeleton, Unparseable } from './types.js';
export type { NNode } from './tree.js';
export { analyzeProgram, stripLiterals } from './parse.js';
export { consolidate, isFailedStatus, type ConsolidatedProgram, type OrderedBlock } from './consolidate.js';
export { backwardSlice, type SliceOptions, type SliceResult } from './slice.js';
export { normalizeProgram, normalizeStatements, lowerCode, sha256, UnparseableError } from './normalize.js';
export { liftSkeleton, findLibCalls } from './skeleton.js';
export { STRUCT_DIM, embedStructure, cosine, coarseOps } from './embed.js';
export { antiUnificationCost, antiUnify, matchedSize, type AntiUnifier } from './antiunify.js';
export {
  clusterItems,
  assignToExisting,
  incrementalPass,
  bruteForceKnn,
  centroidOf,
  medoidOf,
  defaultCost,
  type ClusterItem,
  type Neighbor,
  type KnnFn,
  type CostFn,
  type ClusterOptions,
  type Cluster,
  type ClusterResult,
  type ExistingCluster,
  type AssignOptions,
  type AssignResult,
  type IncrementalResult,
} from './cluster-core.js';
export { adjustedRandIndex, purity, clusterQuality, type Label, type ClusterQuality } from './metrics.js';
export { generateCorpus, generateProgram, FAMILY_NAMES, NOISE_LABEL, ALL_VARIATION, NO_VARIATION, type CorpusOptions, type LabelledProgram, type FamilyName, type Variation } from './corpus.js';
export { MAX_CODE_CHARS, MAX_BRACKET_DEPTH, MAX_TREE_DEPTH } from './guard.js';
