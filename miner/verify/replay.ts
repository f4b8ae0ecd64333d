/**
 * Replay (ReGAL): a member rewritten as a call of the generated function, run in the real sandbox
 * with the member's input, every sub-call answered from the member's recorded responses. It is
 * reproduced when the answer equals the logged one and the sub-calls are the logged ones: the same
 * sequence of keys as llm_calls.seq orders them, or — since a cache hit is logged when its answer
 * arrives, not when it was asked — the same calls with the same first occurrences in the same order.
 * A request the log does not hold fails the replay ('sub-call not in the log'). Members without a
 * recording (imported logs: no model calls or no input stored) are unverifiable.
 */
import type { Database } from '../../src/db/connection.js';
import type { ReplayFixture } from '../../src/library/format.js';
import type { HostHandlers, LlmCallArgs, SandboxPool } from '../../src/sandbox/repl.js';
import type { CandidateMember } from '../generalize/types.js';
import { callStep, type SandboxFunction } from './compile.js';
import { loadContext } from './context.js';
import { runStep } from './sandbox-call.js';
import { callKey, canonicalKey, hasLoggedCalls, loadRecording, type Recording } from './subcalls.js';
import type { ReplayResult } from './types.js';

export const NOT_IN_LOG = 'sub-call not in the log';

export interface ReplayOutcome extends ReplayResult {
  fixture?: ReplayFixture;
  /** Sub-calls the replay made. */
  calls: number;
}

const clip = (s: string, n = 120) => JSON.stringify(s.length > n ? `${s.slice(0, n)}…` : s);

function firstOccurrences(keys: readonly string[]): string[] {
  const seen = new Set<string>();
  return keys.filter((k) => (seen.has(k) ? false : (seen.add(k), true)));
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const counts = new Map<string, number>();
  for (const k of a) counts.set(k, (counts.get(k) ?? 0) + 1);
  for (const k of b) {
    const n = counts.get(k);
    if (!n) return false;
    counts.set(k, n - 1);
  }
  return true;
}

const sameSequence = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/** Compares the replayed calls with the logged ones; undefined when they agree, else why not. */
export function compareCalls(observed: readonly string[], recording: Recording): string | undefined {
  const subRuns = new Set(recording.subRuns);
  const llm = observed.filter((k) => !subRuns.has(k));
  const rlm = observed.filter((k) => subRuns.has(k));
  if (!sameMultiset(rlm, recording.subRuns)) return `different rlm() sub-runs: ${rlm.length} made, ${recording.subRuns.length} logged`;
  if (sameSequence(llm, recording.calls)) return undefined;
  if (sameMultiset(llm, recording.calls) && sameSequence(firstOccurrences(llm), firstOccurrences(recording.calls))) return undefined;
  if (llm.length !== recording.calls.length) return `different sub-calls: ${llm.length} made, ${recording.calls.length} logged`;
  return 'the same number of sub-calls in a different order';
}

interface Observation {
  /** Exact keys (as a replay test computes them), in call order. */
  exact: string[];
  /** Canonical keys, in call order. */
  canonical: string[];
  responses: Record<string, string>;
  missing?: string;
}

/** Handlers that answer from the recording and note every call. */
function recordedHandlers(recording: Recording, o: Observation): HostHandlers {
  const answer = ({ query, context }: LlmCallArgs): string => {
    const exact = callKey(query, context ?? null);
    const canonical = canonicalKey(query, context);
    o.exact.push(exact);
    o.canonical.push(canonical);
    const response = recording.responses.get(canonical);
    if (response === undefined) {
      o.missing ??= `${NOT_IN_LOG}: ${clip(query, 80)}${context ? ` over ${context.length} characters` : ''}`;
      throw new Error(`${NOT_IN_LOG} (replay)`);
    }
    o.responses[exact] = response;
    return response;
  };
  return {
    llm: async (args) => answer(args),
    rlm: async (args) => answer(args),
    llmBatch: async ({ calls }) => calls.map((c) => answer(c)),
  };
}

/** The function compiled for the sandbox the way runs load it (compile.ts compileCandidate). */
export type ReplayFunction = SandboxFunction;

export async function replayMember(database: Database, pool: SandboxPool, fn: ReplayFunction, member: CandidateMember, timeoutMs: number): Promise<ReplayOutcome> {
  const base = { runId: member.runId, calls: 0 };
  if (member.answer === null) return { ...base, reproduced: false, reason: 'the run logged no answer' };
  const context = await loadContext(database, member.contextSha256);
  if (!context) return { ...base, reproduced: false, unverifiable: true, reason: 'unverifiable: the run\'s input is not stored (imported log)' };
  if (!(await hasLoggedCalls(database, member.runId))) {
    return { ...base, reproduced: false, unverifiable: true, reason: 'unverifiable: the run has no recorded sub-calls (imported log)' };
  }
  const recording = await loadRecording(database, member.runId);
  const o: Observation = { exact: [], canonical: [], responses: {} };
  const handlers = recordedHandlers(recording, o);
  const result = await runStep(pool, { context: context.text, contextType: context.type, step: callStep(fn.name, member.args), librarySource: fn.librarySource, handlers, timeoutMs });
  const out = { ...base, calls: o.exact.length };
  if (o.missing) return { ...out, reproduced: false, reason: o.missing };
  if (result.error !== undefined) return { ...out, reproduced: false, reason: `the function threw: ${result.error.slice(0, 300)}` };
  if (result.final !== member.answer) return { ...out, reproduced: false, reason: `a different answer: ${clip(result.final ?? '')} where the run answered ${clip(member.answer)}` };
  const callProblem = compareCalls(o.canonical, recording);
  if (callProblem) return { ...out, reproduced: false, reason: callProblem };
  const fixture: ReplayFixture = {
    runId: member.runId,
    args: [context.value, ...member.args],
    responses: o.responses,
    calls: o.exact,
    answer: member.answer,
  };
  return { ...out, reproduced: true, fixture };
}
