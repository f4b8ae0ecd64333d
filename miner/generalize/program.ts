/**
 * A member's executable program: its logged blocks consolidated in execution order, lowered to the
 * miner's tree WITHOUT canonicalization (canonical forms drop `await` and invent `$chunk`; they
 * are for comparing, not for running), and backward-sliced from FINAL. Failed blocks are dropped,
 * as the miner's front half does. Prints are gone after the slice. Effects see through aliases the
 * front half misses (alias-effects.ts).
 */
import { consolidate } from '../front/consolidate.js';
import { lowerCode, UnparseableError } from '../front/normalize.js';
import { printStatements } from '../front/print.js';
import { collectFunctions } from '../front/scope.js';
import { FinalDetector, backwardSlice } from '../front/slice.js';
import { mk, type NNode } from '../front/tree.js';
import type { BlockInput } from '../front/types.js';
import { AliasAwareEffects } from './alias-effects.js';

export interface SlicedProgram {
  runId: string;
  /** The sliced statements (kind 'prog'), names and literals as the model wrote them. */
  tree: NNode;
  /** The sliced program printed as code (what the model wrote, minus what FINAL does not depend on). */
  code: string;
}

export type SliceOutcome = { ok: true; program: SlicedProgram } | { ok: false; reason: string };

const isFunctionDecl = (s: NNode): boolean => s.k === 'var' && s.v === 'function';

/** Function declarations are hoisted when a block runs: they move to the front of their block. */
function hoistFunctionDecls(stmts: NNode[]): NNode[] {
  const fns = stmts.filter(isFunctionDecl);
  return fns.length === 0 ? stmts : [...fns, ...stmts.filter((s) => !isFunctionDecl(s))];
}

/** Lowers and slices one run's logged blocks. */
export function sliceProgram(runId: string, blocks: BlockInput[]): SliceOutcome {
  if (blocks.length === 0) return { ok: false, reason: 'the run has no logged code blocks' };
  const prog = consolidate({ runId, blocks });
  const stmts: NNode[] = [];
  const lowered: NNode[][] = [];
  for (const b of prog.blocks) {
    if (b.failed) continue;
    try {
      lowered.push(hoistFunctionDecls(lowerCode(b.code)));
    } catch (e) {
      if (e instanceof UnparseableError) return { ok: false, reason: `block ${b.blockIdx} of step ${b.stepIdx}: ${e.reason}` };
      throw e;
    }
  }
  const an = new AliasAwareEffects(collectFunctions(lowered.flat()));
  const finals = new FinalDetector(an);
  let criterionFrom = -1;
  for (const block of lowered) {
    if (block.some((s) => finals.has(s))) criterionFrom = stmts.length;
    stmts.push(...block);
  }
  if (criterionFrom < 0) return { ok: false, reason: 'no block that ran calls FINAL' };
  const sliced = backwardSlice(stmts, { criterionFrom, analyzer: an, finals });
  if (!sliced.hasFinal) return { ok: false, reason: 'no block that ran calls FINAL' };
  const tree = mk('prog', sliced.stmts);
  return { ok: true, program: { runId, tree, code: printStatements(tree.c) } };
}
