/**
 * One run's program through the front end, shared by the mining pass (parse.ts) and by
 * generalize: consolidation of the logged blocks, guards, parsing and lowering, hoisting of
 * function declarations, what failed blocks leave behind (failed.ts), one effect analysis and the
 * backward slice from FINAL, or from the printed values the model read when it typed its answer
 * (printed.ts). The mining pass then canonicalizes and normalizes what comes out; generalize
 * prints it as code to run.
 */
import { consolidate, type OrderedBlock } from './consolidate.js';
import { keepWithoutExtent, ranStatements } from './failed.js';
import { checkBinary, checkNesting, checkSize } from './guard.js';
import { LowerError, lowerSourceFileWithLines, parseBlock, type StatementSpan } from './lower.js';
import { answerFromPrinted, answersWithLiteral, printCriteria } from './printed.js';
import { printStatements } from './print.js';
import { EffectsAnalyzer, collectFunctions } from './scope.js';
import { FinalDetector, backwardSlice, guardPrints } from './slice.js';
import { declaredFunctionName, mk, type NNode } from './tree.js';
import type { BlockInput, ProgramInput } from './types.js';

export interface LoweredBlock {
  block: OrderedBlock;
  /** The block's statements, function declarations first. */
  stmts: NNode[];
  /**
   * For a failed block whose error says where it threw: which of `stmts` ran before (aligned with
   * them). Undefined for blocks that ran, and for failed blocks whose error does not say.
   */
  ran?: boolean[];
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

function lowerOne(code: string): { ok: true; stmts: NNode[]; spans: StatementSpan[] } | { ok: false; reason: string } {
  try {
    const parsed = parseBlock(code);
    if (!parsed.ok) return parsed;
    return { ok: true, ...lowerSourceFileWithLines(parsed.sf) };
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
    const stmts = hoistFunctionDeclarations(parsed.stmts);
    const ran = b.failed ? ranStatements(parsed.spans, b.error) : undefined;
    if (ran === undefined) lowered.push({ block: b, stmts });
    else {
      const byNode = new Map(parsed.stmts.map((s, i) => [s, ran[i]]));
      lowered.push({ block: b, stmts, ran: stmts.map((s) => byNode.get(s) ?? false) });
    }
  }
  return { ok: true, run: { blocks: prog.blocks, lowered, unparsed } };
}

export interface RunSlice {
  /** The kept top-level statements (copies; prints removed but those the answer was read from). */
  stmts: NNode[];
  /** False when no block calls FINAL (then everything but prints is kept). */
  hasFinal: boolean;
  /**
   * True when the answer was typed as a literal after reading printed output: the slice is taken
   * from those prints, which are kept in `stmts`.
   */
  fromPrints: boolean;
  /** With `fromPrints`: the step (or, without step indices, the block) whose prints are the criteria. */
  printedStep?: number;
}

/**
 * What each block contributes to the program that gets sliced, in execution order: all of a
 * block that ran; of a failed block, the statements that ran before the one that threw, or, when
 * its error does not say, those that later blocks do not define again (failed.ts). `steps` holds
 * each returned block's step index.
 */
export function contributingBlocks(lowered: readonly LoweredBlock[]): { blocks: NNode[][]; steps: number[] } {
  const blocks: NNode[][] = [];
  const steps: number[] = [];
  let an: EffectsAnalyzer | undefined;
  lowered.forEach((b, i) => {
    let stmts = b.stmts;
    if (b.block.failed) {
      if (b.ran) stmts = stmts.filter((_, j) => b.ran?.[j] === true);
      else {
        an ??= new EffectsAnalyzer(collectFunctions(lowered.flatMap((x) => x.stmts)));
        stmts = keepWithoutExtent(stmts, lowered.slice(i + 1).flatMap((x) => x.stmts), an);
      }
      if (stmts.length === 0) return;
    }
    blocks.push(stmts);
    steps.push(b.block.stepIdx);
  });
  return { blocks, steps };
}

/**
 * Backward slice of the blocks (those that ran, and what failed blocks left: see
 * {@link contributingBlocks}): the criterion is the FINAL calls of the last block that calls FINAL;
 * earlier FINAL calls were attempts that did not end the run. When those FINAL calls only get
 * literals, the answer was typed after reading printed output: the prints of the earlier steps
 * (`steps`, one per block; without them, of the earlier blocks) whose values come from the input
 * or from model output are criteria too (printed.ts). One effect analysis (scope.ts) over all the
 * blocks' functions.
 */
export function sliceBlocks(blocks: readonly NNode[][], steps?: readonly number[], options: { guardPrints?: boolean } = {}): RunSlice {
  const stmts: NNode[] = [];
  let criterionFrom = 0;
  let finalBlock = -1;
  const starts: number[] = [];
  const an = new EffectsAnalyzer(collectFunctions(blocks.flat()));
  const finals = new FinalDetector(an);
  blocks.forEach((b, i) => {
    starts.push(stmts.length);
    if (b.some((s) => finals.has(s))) {
      criterionFrom = stmts.length;
      finalBlock = i;
    }
    stmts.push(...b);
  });
  let prints: Set<NNode> | undefined;
  let printedStep: number | undefined;
  if (finalBlock >= 0 && answersWithLiteral(stmts.slice(criterionFrom), (s) => finals.has(s))) {
    // The model read what earlier steps printed (not what its own step printed before FINAL).
    let firstOfStep = finalBlock;
    while (steps && firstOfStep > 0 && steps[firstOfStep - 1] === steps[finalBlock]) firstOfStep--;
    const blockOf = (i: number): number => {
      let k = 0;
      while (k + 1 < starts.length && starts[k + 1] <= i) k++;
      return k;
    };
    ({ prints, step: printedStep } = printCriteria(stmts, starts[firstOfStep], an, (i) => (steps ? steps[blockOf(i)] : blockOf(i))));
  }
  const keepPrints = options.guardPrints ? guardPrints(stmts, criterionFrom, finals) : undefined;
  const sliced = backwardSlice(stmts, { criterionFrom, analyzer: an, finals, prints, keepPrints });
  const fromPrints = prints !== undefined && prints.size > 0 && sliced.hasFinal;
  return fromPrints ? { ...sliced, fromPrints, printedStep } : { ...sliced, fromPrints };
}

/** {@link sliceBlocks} over a lowered run's contributing blocks (`guardPrints`: keep what a failed check printed, see slice.ts). */
export function sliceRun(lowered: readonly LoweredBlock[], options: { guardPrints?: boolean } = {}): RunSlice {
  const { blocks, steps } = contributingBlocks(lowered);
  return sliceBlocks(blocks, steps, options);
}

export interface SlicedProgram {
  runId: string;
  /** The sliced statements (kind 'prog'), names and literals as the model wrote them. */
  tree: NNode;
  /** The sliced program printed as code (what the model wrote, minus what FINAL does not depend on). */
  code: string;
  /**
   * Set when the run answered with a literal it typed after reading printed output: the program
   * then returns what the prints of this step showed (their lines, joined by newlines), not the
   * run's logged answer. A replay should compare with that step's logged output, not the answer.
   */
  printedStep?: number;
}

export type SliceOutcome = { ok: true; program: SlicedProgram } | { ok: false; reason: string };

/**
 * A run's executable program, for generalize: the blocks that ran (and what failed blocks left),
 * lowered WITHOUT canonicalization (canonical forms drop `await` and invent `$chunk`; they are
 * for comparing, not for running), sliced from FINAL and printed. Prints are gone after the
 * slice, except when the model typed its answer after reading them: then the program collects
 * what those prints showed and answers with it, joined as it was printed (printed.ts).
 */
export function sliceProgram(runId: string, blocks: BlockInput[]): SliceOutcome {
  if (blocks.length === 0) return { ok: false, reason: 'the run has no logged code blocks' };
  const lowered = lowerRun({ runId, blocks });
  if (!lowered.ok) return lowered;
  // what the program printed when its own check failed stays: the function says it too
  const sliced = sliceRun(lowered.run.lowered, { guardPrints: true });
  if (!sliced.hasFinal) return { ok: false, reason: 'no block that ran calls FINAL' };
  const tree = mk('prog', sliced.fromPrints ? answerFromPrinted(sliced.stmts) : sliced.stmts);
  const program: SlicedProgram = { runId, tree, code: printStatements(tree.c) };
  if (sliced.fromPrints && sliced.printedStep !== undefined) program.printedStep = sliced.printedStep;
  return { ok: true, program };
}
