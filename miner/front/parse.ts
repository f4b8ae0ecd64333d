/**
 * The miner's front half for one run: consolidate → parse → slice → normalize → skeleton →
 * features and embedding. Never throws and never recurses without bound: code that is too large,
 * binary, too deeply nested or not parseable comes back as `{ ok: false, reason }`.
 */
import { consolidate, type OrderedBlock } from './consolidate.js';
import { embedStructure } from '../represent/embed.js';
import { MAX_CODE_CHARS, checkBinary, checkNesting } from './guard.js';
import { LowerError, lowerSourceFile, parseBlock } from './lower.js';
import { normalizeStatements } from './normalize.js';
import { EffectsAnalyzer, collectFunctions } from './scope.js';
import { findLibCalls, liftSkeleton } from './skeleton.js';
import { FinalDetector, backwardSlice } from './slice.js';
import { canonicalizeExpressions } from './canon-expr.js';
import { LOOP_KINDS, depth as treeDepth, size as treeSize, type NNode } from './tree.js';
import type { ProgramAnalysis, ProgramFeatures, ProgramInput, Unparseable } from './types.js';

function unparseable(runId: string, reason: string): Unparseable {
  return { ok: false, runId, reason };
}

function where(b: OrderedBlock): string {
  return `block ${b.blockIdx} of step ${b.stepIdx}`;
}

/**
 * Function declarations are hoisted when a block runs. Those referenced before their position in
 * the block are moved to its front (so that backward slicing sees them before their uses); the
 * others stay where they were written.
 */
function hoistFunctions(stmts: NNode[]): NNode[] {
  const fnName = (s: NNode): string | undefined => (s.k === 'var' && s.v === 'function' && s.c[0]?.c[0]?.k === 'id' ? s.c[0].c[0].v : undefined);
  const names = new Set<string>();
  for (const s of stmts) {
    const n = fnName(s);
    if (n !== undefined) names.add(n);
  }
  if (names.size === 0) return stmts;
  // Names of functions referenced by the statements seen so far.
  const referenced = new Set<string>();
  const note = (n: NNode): void => {
    if (n.k === 'id' && n.v !== undefined && names.has(n.v)) referenced.add(n.v);
    for (const ch of n.c) note(ch);
  };
  const hoisted: NNode[] = [];
  const rest: NNode[] = [];
  for (const s of stmts) {
    const name = fnName(s);
    if (name !== undefined && referenced.has(name)) hoisted.push(s);
    else rest.push(s);
    note(s);
  }
  return hoisted.length === 0 ? stmts : [...hoisted, ...rest];
}

interface LoweredBlock {
  block: OrderedBlock;
  stmts: NNode[];
}

type LowerResult = { ok: true; blocks: LoweredBlock[]; unparsed: number } | { ok: false; reason: string };

function lowerBlocks(blocks: OrderedBlock[]): LowerResult {
  const out: LoweredBlock[] = [];
  let unparsed = 0;
  for (const b of blocks) {
    const problem = blockProblem(b.code);
    if (problem !== undefined) {
      if (b.failed) {
        unparsed++;
        continue;
      }
      return { ok: false, reason: `${where(b)}: ${problem}` };
    }
    const parsed = lowerOne(b.code);
    if (!parsed.ok) {
      if (b.failed) {
        unparsed++;
        continue;
      }
      return { ok: false, reason: `${where(b)}: ${parsed.reason}` };
    }
    out.push({ block: b, stmts: hoistFunctions(parsed.stmts) });
  }
  return { ok: true, blocks: out, unparsed };
}

function blockProblem(code: string): string | undefined {
  const bin = checkBinary(code);
  if (!bin.ok) return bin.reason;
  const nest = checkNesting(code);
  if (!nest.ok) return nest.reason;
  return undefined;
}

function lowerOne(code: string): { ok: true; stmts: NNode[] } | { ok: false; reason: string } {
  try {
    const parsed = parseBlock(code);
    if (!parsed.ok) return parsed;
    return { ok: true, stmts: lowerSourceFile(parsed.sf) };
  } catch (e) {
    if (e instanceof LowerError) return { ok: false, reason: e.message };
    if (e instanceof RangeError) return { ok: false, reason: 'nesting too deep: the parser ran out of stack' };
    throw e;
  }
}

const LITERAL_KINDS = new Set(['str', 'num', 're', 'tstr']);

/** A copy of the tree without literal values (what gets stored and compared). */
export function stripLiterals(n: NNode): NNode {
  if (LITERAL_KINDS.has(n.k)) return { k: n.k, v: undefined, c: [] };
  return { k: n.k, v: n.v, c: n.c.map(stripLiterals) };
}

function countLoops(n: NNode): number {
  let c = LOOP_KINDS.has(n.k) || n.k === 'forawait' ? 1 : 0;
  for (const ch of n.c) c += countLoops(ch);
  return c;
}

function analyze(input: ProgramInput): ProgramAnalysis | Unparseable {
  const runId = String(input.runId);
  if (!Array.isArray(input.blocks) || input.blocks.length === 0) return unparseable(runId, 'empty: the run has no code blocks');
  const prog = consolidate(input);
  if (prog.totalChars > MAX_CODE_CHARS) {
    return unparseable(runId, `too large: ${prog.totalChars} characters of code (the limit is ${MAX_CODE_CHARS}); programs this size are not orchestrators worth mining`);
  }
  const lowered = lowerBlocks(prog.blocks);
  if (!lowered.ok) return unparseable(runId, lowered.reason);
  const all = lowered.blocks;
  const contributing = all.filter((b) => !b.block.failed);
  if (all.every((b) => b.stmts.length === 0)) return unparseable(runId, 'empty: the code has no statements');
  if (contributing.length === 0) return unparseable(runId, 'nothing to mine: every block failed in the sandbox');

  // Expression-level canonical forms once, before slicing (both programs need them).
  for (const b of all) for (let i = 0; i < b.stmts.length; i++) b.stmts[i] = canonicalizeExpressions(b.stmts[i]);
  const fullStmts = all.flatMap((b) => b.stmts);

  // The criterion block: the last contributing block that calls FINAL.
  const stmts: NNode[] = [];
  let criterionFrom = 0;
  const an = new EffectsAnalyzer(collectFunctions(contributing.flatMap((b) => b.stmts)));
  const finals = new FinalDetector(an);
  for (const b of contributing) {
    if (b.stmts.some((s) => finals.has(s))) criterionFrom = stmts.length;
    stmts.push(...b.stmts);
  }
  const libCalls = findLibCalls(fullStmts);
  const sliced = backwardSlice(stmts, { criterionFrom, analyzer: an, finals });
  const slicedCount = sliced.stmts.length;
  const norm = normalizeStatements(sliced.stmts, { expressionsDone: true });
  const skeleton = liftSkeleton(norm.tree, []);
  skeleton.libCalls = libCalls;
  // The sliced statements are copies: the lowered statements can be normalized in place.
  const full = normalizeStatements(fullStmts, { light: true, expressionsDone: true });
  const tree = stripLiterals(norm.tree);
  const embedding = embedStructure(tree, skeleton);
  const features: ProgramFeatures = {
    blocks: prog.blocks.length,
    failedBlocks: prog.blocks.filter((b) => b.failed).length,
    unparsedBlocks: lowered.unparsed,
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
