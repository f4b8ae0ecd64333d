/**
 * One run's program through the front end, shared by the mining pass (parse.ts) and by
 * generalize: consolidation of the logged blocks, guards, parsing and lowering, hoisting of
 * function declarations, one effect analysis and the backward slice from FINAL. The mining pass
 * then canonicalizes and normalizes what comes out; generalize prints it as code to run.
 */
import { consolidate, type OrderedBlock } from './consolidate.js';
import { checkBinary, checkNesting, checkSize } from './guard.js';
import { LowerError, lowerSourceFile, parseBlock } from './lower.js';
import { printStatements } from './print.js';
import { EffectsAnalyzer, collectFunctions } from './scope.js';
import { FinalDetector, backwardSlice } from './slice.js';
import { declaredFunctionName, mk, type NNode } from './tree.js';
import type { BlockInput, ProgramInput } from './types.js';

export interface LoweredBlock {
  block: OrderedBlock;
  /** The block's statements, function declarations first. */
  stmts: NNode[];
}

export interface LoweredRun {
  /** Every logged block in execution order (failed ones included), as consolidated. */
  blocks: OrderedBlock[];
  /** The blocks that parsed, in execution order (failed blocks that did not parse are left out). */
  lowered: LoweredBlock[];
  /** Failed blocks left out because they did not parse. */
  unparsed: number;
}

export type LowerRunResult = { ok: true; run: LoweredRun } | { ok: false; reason: string };

function where(b: OrderedBlock): string {
  return `block ${b.blockIdx} of step ${b.stepIdx}`;
}

/**
 * Function declarations are initialized when their block starts running, before its first
 * statement. The printer writes them as `let` bindings, so a declaration must come before any
 * statement that may call it: those referenced before their position (also from inside other
 * functions' bodies), and, transitively, the functions those call, move to the front of the block
 * in the order written. The others stay where they were written, as an arrow bound with `const`
 * would, so that both spellings of the same program normalize alike.
 */
export function hoistFunctionDeclarations(stmts: NNode[]): NNode[] {
  const names = new Set<string>();
  for (const s of stmts) {
    const n = declaredFunctionName(s);
    if (n !== undefined) names.add(n);
  }
  if (names.size === 0) return stmts;
  const refs = (n: NNode, out: Set<string>): Set<string> => {
    if (n.k === 'id' && n.v !== undefined && names.has(n.v)) out.add(n.v);
    for (const ch of n.c) refs(ch, out);
    return out;
  };
  // Names of functions referenced by the statements seen so far.
  const referenced = new Set<string>();
  const hoisted = new Set<string>();
  for (const s of stmts) {
    const name = declaredFunctionName(s);
    if (name !== undefined && referenced.has(name)) hoisted.add(name);
    refs(s, referenced);
  }
  if (hoisted.size === 0) return stmts;
  // What a hoisted function calls runs as early as it does.
  const work = [...hoisted];
  while (work.length > 0) {
    const name = work.pop();
    for (const s of stmts) {
      if (declaredFunctionName(s) !== name) continue;
      for (const r of refs(s, new Set())) {
        if (!hoisted.has(r)) {
          hoisted.add(r);
          work.push(r);
        }
      }
    }
  }
  const isHoisted = (s: NNode): boolean => {
    const name = declaredFunctionName(s);
    return name !== undefined && hoisted.has(name);
  };
  return [...stmts.filter(isHoisted), ...stmts.filter((s) => !isHoisted(s))];
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

/**
 * Consolidates and lowers one run's blocks. A block that ran but cannot be analyzed (binary, too
 * deeply nested, a syntax error) makes the whole run unanalyzable; a failed block that cannot is
 * left out and counted. Also refuses runs with more than MAX_CODE_CHARS of code.
 */
export function lowerRun(input: ProgramInput): LowerRunResult {
  if (!Array.isArray(input.blocks) || input.blocks.length === 0) return { ok: false, reason: 'empty: the run has no code blocks' };
  const prog = consolidate(input);
  const size = checkSize(prog.totalChars);
  if (!size.ok) return size;
  const lowered: LoweredBlock[] = [];
  let unparsed = 0;
  for (const b of prog.blocks) {
    const problem = blockProblem(b.code);
    const parsed = problem === undefined ? lowerOne(b.code) : { ok: false as const, reason: problem };
    if (!parsed.ok) {
      if (b.failed) {
        unparsed++;
        continue;
      }
      return { ok: false, reason: `${where(b)}: ${parsed.reason}` };
    }
    lowered.push({ block: b, stmts: hoistFunctionDeclarations(parsed.stmts) });
  }
  return { ok: true, run: { blocks: prog.blocks, lowered, unparsed } };
}

export interface RunSlice {
  /** The kept top-level statements (copies; prints removed). */
  stmts: NNode[];
  /** False when no block calls FINAL (then everything but prints is kept). */
  hasFinal: boolean;
}

/**
 * Backward slice of the blocks that ran (failed blocks are not passed in): the criterion is the
 * FINAL calls of the last block that calls FINAL; earlier FINAL calls were attempts that did not
 * end the run. One effect analysis (scope.ts) over all the blocks' functions.
 */
export function sliceBlocks(blocks: readonly NNode[][]): RunSlice {
  const stmts: NNode[] = [];
  let criterionFrom = 0;
  const an = new EffectsAnalyzer(collectFunctions(blocks.flat()));
  const finals = new FinalDetector(an);
  for (const b of blocks) {
    if (b.some((s) => finals.has(s))) criterionFrom = stmts.length;
    stmts.push(...b);
  }
  return backwardSlice(stmts, { criterionFrom, analyzer: an, finals });
}

export interface SlicedProgram {
  runId: string;
  /** The sliced statements (kind 'prog'), names and literals as the model wrote them. */
  tree: NNode;
  /** The sliced program printed as code (what the model wrote, minus what FINAL does not depend on). */
  code: string;
}

export type SliceOutcome = { ok: true; program: SlicedProgram } | { ok: false; reason: string };

/**
 * A run's executable program, for generalize: the blocks that ran, lowered WITHOUT
 * canonicalization (canonical forms drop `await` and invent `$chunk`; they are for comparing, not
 * for running), sliced from FINAL and printed. Prints are gone after the slice.
 */
export function sliceProgram(runId: string, blocks: BlockInput[]): SliceOutcome {
  if (blocks.length === 0) return { ok: false, reason: 'the run has no logged code blocks' };
  const lowered = lowerRun({ runId, blocks });
  if (!lowered.ok) return lowered;
  const ran = lowered.run.lowered.filter((b) => !b.block.failed).map((b) => b.stmts);
  const sliced = sliceBlocks(ran);
  if (!sliced.hasFinal) return { ok: false, reason: 'no block that ran calls FINAL' };
  const tree = mk('prog', sliced.stmts);
  return { ok: true, program: { runId, tree, code: printStatements(tree.c) } };
}
