/**
 * One step in the real sandbox (src/sandbox/repl.ts): a fresh REPL with the given input, library
 * source and host handlers, the step, its FINAL value or error, the REPL disposed.
 */
import type { HostHandlers, Repl, SandboxPool } from '../../src/sandbox/repl.js';

export interface StepInput {
  context: string;
  contextType: 'string' | 'json';
  step: string;
  /** JavaScript that fills `lib` (src/library/compile.ts buildLibrarySource), if any. */
  librarySource?: string;
  handlers: HostHandlers;
  timeoutMs: number;
}

export interface StepResult {
  final?: string;
  error?: string;
}

export const DEFAULT_STEP_TIMEOUT_MS = 60_000;

export async function runStep(pool: SandboxPool, input: StepInput): Promise<StepResult> {
  const needMb = Math.ceil((input.context.length * 2) / 1_048_576) * 2 + 64;
  let repl: Repl;
  try {
    repl = await pool.open(
      { context: input.context, contextType: input.contextType, memoryMb: Math.max(256, needMb), maxOutputChars: 4_000, cpuBudgetMs: input.timeoutMs, librarySource: input.librarySource },
      input.handlers,
    );
  } catch (err) {
    return { error: `the sandbox could not start: ${err instanceof Error ? err.message : String(err)}` };
  }
  try {
    const outcome = await repl.exec(input.step, input.timeoutMs);
    if (outcome.error !== undefined) return { error: outcome.error };
    if (outcome.final === undefined) return { error: 'the step ended without FINAL' };
    return { final: outcome.final };
  } finally {
    await repl.dispose();
  }
}
