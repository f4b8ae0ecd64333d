/**
 * What a block that failed in the sandbox leaves behind. The sandbox runs a block top to bottom and
 * keeps its top-level bindings, so the statements before the one that threw did run, and a repair
 * in a later step may use them (a `const chunks = ...` that ran before the line that threw). This
 * module reads the logged error to find the statement that threw, and otherwise decides without it:
 *   - the error names a line (a stack frame `at line N`, see src/sandbox/child.ts): the top-level
 *     statements before the one holding that line ran; it and everything after did not;
 *   - a compile error (`SyntaxError: ...` without a frame) or a sandbox reset (`top-level
 *     variables are gone`): nothing of the block remains;
 *   - otherwise (no error logged, or no usable frame): the statements that define what later
 *     code uses and later blocks do not define again (and that do not call FINAL) are kept.
 */
import type { StatementSpan } from './lower.js';
import type { EffectsAnalyzer } from './scope.js';
import type { NNode } from './tree.js';

/** How far a failed block ran, as far as its error says. */
export type FailedExtent = { kind: 'nothing' } | { kind: 'frames'; lines: number[] } | { kind: 'unknown' };

const RESET = /top-level variables are gone|sandbox was reset|sandbox was stopped|sandbox is gone/i;
const FRAME = /^\s*at\b.*\bline (\d+)\s*$/;

/** Reads a logged sandbox error. */
export function failedExtent(error: string | null | undefined): FailedExtent {
  if (typeof error !== 'string' || error.trim() === '') return { kind: 'unknown' };
  if (RESET.test(error)) return { kind: 'nothing' };
  const [first, ...rest] = error.split('\n');
  const lines: number[] = [];
  for (const l of rest) {
    const m = FRAME.exec(l);
    if (m) lines.push(Number(m[1]));
  }
  if (lines.length > 0) return { kind: 'frames', lines };
  // A compile error is reported before anything runs, without a stack frame.
  if (/^\s*SyntaxError:/.test(first)) return { kind: 'nothing' };
  return { kind: 'unknown' };
}

/**
 * Which top-level statements of a failed block ran (aligned with `spans`), or undefined when the
 * error does not say. Frames are innermost first; a frame inside a statement that only defines a
 * function is a call from further out, so the first frame in any other statement is the one that
 * threw.
 */
export function ranStatements(spans: readonly StatementSpan[], error: string | null | undefined): boolean[] | undefined {
  const extent = failedExtent(error);
  if (extent.kind === 'nothing') return spans.map(() => false);
  if (extent.kind === 'unknown') return undefined;
  for (const line of extent.lines) {
    const at = spans.findIndex((s) => s.first <= line && line <= s.last);
    if (at < 0 || spans[at].definesFunction) continue;
    return spans.map((_, i) => i < at);
  }
  return undefined;
}

/**
 * The statements of a failed block whose extent is unknown that may have run and matter: those
 * that define a name later code uses (directly or through another kept statement of the block)
 * that no later statement defines again (a repair's definitions replace the failed attempt's),
 * with the statements that fill such a name (`chunks.push(...)` in a loop); never one that calls
 * FINAL (the run did not end there), nor one that only changes names defined elsewhere.
 */
export function keepWithoutExtent(failed: readonly NNode[], later: readonly NNode[], an: EffectsAnalyzer): NNode[] {
  const redefined = new Set<string>();
  const live = new Set<string>();
  for (const s of later) {
    const e = an.effects(s);
    for (const d of e.declares) redefined.add(d);
    for (const d of e.strong) redefined.add(d);
    for (const u of e.uses) live.add(u);
  }
  const defined = (s: NNode): Set<string> => {
    const e = an.effects(s);
    return new Set([...e.declares, ...e.strong]);
  };
  const local = new Set<string>();
  for (const s of failed) for (const d of defined(s)) local.add(d);
  const kept: NNode[] = [];
  for (let i = failed.length - 1; i >= 0; i--) {
    const s = failed[i];
    const e = an.effects(s);
    const d = defined(s);
    if (e.final || [...d].some((x) => redefined.has(x))) continue;
    const relevant = [...d].some((x) => live.has(x)) || [...e.weak].some((x) => live.has(x) && local.has(x));
    if (!relevant) continue;
    kept.push(s);
    for (const u of e.uses) live.add(u);
  }
  return kept.reverse();
}
