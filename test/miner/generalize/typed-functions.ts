/** Shared by the typing tests: a function typed as generalize types it, and the same answer from it and from its member in the sandbox. */
import { expect } from 'vitest';
import { avoidAny } from '../../../miner/generalize/avoid-any.js';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import type { Candidate } from '../../../miner/generalize/types.js';
import { repairTypes } from '../../../miner/generalize/typing.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import type { HostHandlers, LlmCallArgs } from '../../../src/sandbox/repl.js';
import { cluster, members } from './helpers.js';
import { useSandbox } from './sandbox.js';

/** The emitted code without its doc (which may say "any" in English) has no `any` type. */
export const hasAny = (source: string): boolean => /(:\s*|as\s+|<\s*|,\s*)any\b/.test(withoutDoc(source));

/** A function of these lines repaired, then its `any`s replaced, as generalize does; it must type-check with no `any`. */
export function typed(lines: string[]): string {
  const out = avoidAny(repairTypes([...lines, ''].join('\n'), undefined).source).source;
  expect(typeCheck(out)).toEqual({ ok: true });
  expect(hasAny(out)).toBe(false);
  return out;
}

export async function generalized(programs: string[], queries: string[] = []): Promise<Candidate> {
  const c = await generalizeMembers(cluster({ support: programs.length, size: programs.length }), members(programs, queries));
  if (isRejected(c)) throw new Error(c.rejected);
  return c;
}

function handlers(answer: (query: string, context: string) => string): HostHandlers {
  const ask = async ({ query, context }: LlmCallArgs): Promise<string> => answer(query, typeof context === 'string' ? context : JSON.stringify(context ?? ''));
  return { llm: ask, rlm: ask, llmBatch: async ({ calls }) => Promise.all(calls.map(ask)) };
}

/** Sets up a sandbox pool for the calling test file; `sameAnswer`: the member's own program and the function called with that member's arguments answer the same. */
export function sandboxAnswers() {
  const sandbox = useSandbox();
  return async function sameAnswer(c: Candidate, member: number, program: string, context: string, contextType: 'string' | 'json', answer: (q: string, ctx: string) => string): Promise<string> {
    const h = handlers(answer);
    const original = await sandbox.program(program, context, h, contextType);
    const viaFunction = await sandbox.call(c, c.members[member].args, context, h, contextType);
    expect(original.error).toBeUndefined();
    expect(viaFunction.error).toBeUndefined();
    expect(viaFunction.final).toBe(original.final);
    return original.final!;
  };
}
