/**
 * The miner's front half for one run, as the mining pass uses it: the shared front end
 * (program.ts: consolidate → lower → hoist → slice) with expression-level canonical forms applied
 * before slicing, then normalize → skeleton → features and embedding. Never throws and never
 * recurses without bound: code that is too large, binary, too deeply nested or not parseable comes
 * back as `{ ok: false, reason }`.
 */
import { embedStructure } from '../represent/embed.js';
import { LowerError } from './lower.js';
import { normalizeStatements } from './normalize.js';
import { lowerRun, sliceRun } from './program.js';
import { findLibCalls, liftSkeleton } from './skeleton.js';
import { canonicalizeExpressions } from './canon-expr.js';
import { depth as treeDepth, isLoopKind, size as treeSize, type NNode, type NodeKind } from './tree.js';
import type { ProgramAnalysis, ProgramFeatures, ProgramInput, Unparseable } from './types.js';

function unparseable(runId: string, reason: string): Unparseable {
  return { ok: false, runId, reason };
}

const LITERAL_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['str', 'num', 're', 'tstr']);

/** A copy of the tree without literal values (what gets stored and compared). */
export function stripLiterals(n: NNode): NNode {
  if (LITERAL_KINDS.has(n.k)) return { k: n.k, v: undefined, c: [] };
  return { k: n.k, v: n.v, c: n.c.map(stripLiterals) };
}

function countLoops(n: NNode): number {
  let c = isLoopKind(n.k) ? 1 : 0;
  for (const ch of n.c) c += countLoops(ch);
  return c;
}

/** The languages the front end parses (TypeScript's parser reads both). */
const MINED_LANGUAGES = new Set(['javascript', 'typescript', 'js', 'ts']);

function analyze(input: ProgramInput): ProgramAnalysis | Unparseable {
  const runId = String(input.runId);
  const language = input.language?.toLowerCase();
  if (language && !MINED_LANGUAGES.has(language)) return unparseable(runId, `another language: ${language} (the miner mines JavaScript and TypeScript)`);
  const lowered = lowerRun(input);
  if (!lowered.ok) return unparseable(runId, lowered.reason);
  const { blocks, lowered: all, unparsed } = lowered.run;
  const contributing = all.filter((b) => !b.block.failed);
  if (all.every((b) => b.stmts.length === 0)) return unparseable(runId, 'empty: the code has no statements');
  if (contributing.length === 0) return unparseable(runId, 'nothing to mine: every block failed in the sandbox');

  // Expression-level canonical forms once, before slicing (both programs need them).
  for (const b of all) for (let i = 0; i < b.stmts.length; i++) b.stmts[i] = canonicalizeExpressions(b.stmts[i]);
  const fullStmts = all.flatMap((b) => b.stmts);

  const sliced = sliceRun(all);
  const libCalls = findLibCalls(fullStmts);
  const slicedCount = sliced.stmts.length;
  const norm = normalizeStatements(sliced.stmts, { expressionsDone: true });
  const skeleton = liftSkeleton(norm.tree, []);
  skeleton.libCalls = libCalls;
  // The sliced statements are copies: the lowered statements can be normalized in place.
  const full = normalizeStatements(fullStmts, { light: true, expressionsDone: true });
  const tree = stripLiterals(norm.tree);
  const embedding = embedStructure(tree, skeleton);
  const features: ProgramFeatures = {
    blocks: blocks.length,
    failedBlocks: blocks.filter((b) => b.failed).length,
    unparsedBlocks: unparsed,
    statements: fullStmts.length,
    slicedStatements: slicedCount,
    nodes: treeSize(tree),
    depth: treeDepth(tree),
    loops: countLoops(tree),
    modelCallSites: skeleton.modelCallSites,
    hasFinal: sliced.hasFinal,
  };
  return {
    ok: true,
    runId,
    normalized: norm.normalized,
    fingerprint: norm.fingerprint,
    tree,
    full: { normalized: full.normalized, fingerprint: full.fingerprint },
    skeleton,
    features,
    embedding,
  };
}

/**
 * Analyzes one run's program. Returns `{ ok: false, reason }` for input that cannot be analyzed
 * (syntax errors, binary data, more than 256 KB of code, absurd nesting); never throws.
 */
export function analyzeProgram(input: ProgramInput): ProgramAnalysis | Unparseable {
  const runId = String(input?.runId ?? '');
  try {
    return analyze(input);
  } catch (e) {
    if (e instanceof RangeError) return unparseable(runId, 'nesting too deep: analysis ran out of stack');
    if (e instanceof LowerError) return unparseable(runId, e.message);
    return unparseable(runId, `internal error while analyzing: ${e instanceof Error ? e.message : String(e)}`);
  }
}
