/** A sandbox pool for a generalize test file, and a mined function called in it the way runs load the library. */
import { afterAll, beforeAll } from 'vitest';
import type { Candidate } from '../../../miner/generalize/types.js';
import { callStep, compileCandidate } from '../../../miner/verify/compile.js';
import { runStep } from '../../../miner/verify/sandbox-call.js';
import type { HostHandlers } from '../../../src/sandbox/repl.js';
import { SandboxPool } from '../../../src/sandbox/repl.js';

export interface SandboxCalls {
  /** Runs a step of code as a member's program. */
  program(step: string, context: string, handlers: HostHandlers, contextType?: 'string' | 'json'): Promise<{ final?: string; error?: string }>;
  /** Compiles the candidate and calls it with `args` over `context`, its model calls answered by `handlers`. */
  call(c: Candidate, args: unknown[], context: string, handlers: HostHandlers, contextType?: 'string' | 'json'): Promise<{ final?: string; error?: string }>;
}

/** One pool for the calling test file, opened before its tests and closed after them. */
export function useSandbox(): SandboxCalls {
  let pool: SandboxPool;
  beforeAll(() => {
    pool = new SandboxPool(1);
  });
  afterAll(async () => {
    await pool?.close();
  });
  return {
    program: (step, context, handlers, contextType = 'string') => runStep(pool, { context, contextType, step, handlers, timeoutMs: 30_000 }),
    call: (c, args, context, handlers, contextType = 'string') => {
      const compiled = compileCandidate(c.name, c.source);
      if (!compiled.ok) throw new Error(compiled.error);
      return runStep(pool, { context, contextType, step: callStep(c.name, args), librarySource: compiled.fn.librarySource, handlers, timeoutMs: 30_000 });
    },
  };
}
