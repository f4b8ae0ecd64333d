/**
 * Replay (ReGAL): a member rewritten as a call of the generated function, run in the real sandbox
 * with the member's input, every sub-call answered from the member's recorded responses — matched
 * by match.ts (exactly, up to whitespace, or by the varying parts of the prompt: the same chunk with
 * an instruction that differs in a parameter's wording). Where nothing recorded fits, the live check
 * (live.ts, opt-in, within a budget) asks the model; otherwise the replay fails with the nearest
 * recorded call and what differed ('sub-call not in the log').
 *
 * A member is reproduced when every sub-call was answered and the answer equals the logged one
 * (whitespace aside) — or, for a function that returns the lines the model read (a template that
 * answered with a literal typed after reading printed output), when each returned line appears in
 * the output that the member's step printed (comparePrinted). Differences that do not change the answer are kept as notes: calls matched
 * other than exactly, logged calls the function does not make (exploration or repairs outside the
 * sliced program) — unless it makes fewer than half of them — and another order. A member whose
 * run failed its own final check (its program ended without FINAL and the run repaired in later
 * steps) is reproduced up to that check when the function, given the same responses, makes the same
 * calls and stops at the same check: the repair was the caller's, not the function's.
 * Members without a recording (imported logs: no model calls or no input stored) are unverifiable.
 */
import { CHECK_FAILED } from '../../src/contracts/listing.js';
import type { Database } from '../../src/db/connection.js';
import type { ReplayFixture } from '../../src/library/format.js';
import type { HostHandlers, LlmCallArgs, SandboxPool } from '../../src/sandbox/repl.js';
import type { CandidateMember } from '../generalize/types.js';
import { callStep, type SandboxFunction } from './compile.js';
import { loadContext } from './context.js';
import { runStep } from './sandbox-call.js';
import type { LiveBudget } from './live.js';
import { liveSession, type LiveSession } from './live.js';
import { CallMatcher, firstDifference, normalizeText, type MatchTier } from './match.js';
import { callKey, hasLoggedCalls, loadRecording, type Recording } from './subcalls.js';
import type { MatchCounts, ReplayResult } from './types.js';

export const NOT_IN_LOG = 'sub-call not in the log';
/** What a generated function throws when its program ends without an answer (generalize/emit.ts). */
export const ENDED_WITHOUT_ANSWER = 'the program ended without an answer';
/** Whether a thrown error is the function's own final check failing (CHECK_FAILED, with the answer it computed) or its program ending without an answer. */
const isOwnCheck = (error: string): boolean => error.includes(CHECK_FAILED) || error.includes(ENDED_WITHOUT_ANSWER);

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
export function compareCalls(observed: readonly string[], recording: Pick<Recording, 'calls' | 'subRuns'>): string | undefined {
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
  /** Keys of the recorded calls that answered, in call order (live calls: their own key). */
  matched: string[];
  responses: Record<string, string>;
  counts: MatchCounts;
  /** Differences tolerated by the matches (the first few). */
  notes: string[];
  missing?: string;
  liveError?: string;
}

const MAX_NOTES = 3;

/** Handlers that answer from the recording (or live, within the budget) and note every call. */
function recordedHandlers(matcher: CallMatcher, o: Observation, live?: LiveSession): HostHandlers {
  const tierCount: Record<MatchTier, keyof MatchCounts> = { exact: 'exact', whitespace: 'whitespace', 'varying-parts': 'varyingParts' };
  const answer = async (kind: 'llm' | 'rlm', { query, context }: LlmCallArgs): Promise<string> => {
    const n = o.exact.length + 1;
    const exact = callKey(query, context ?? null);
    o.exact.push(exact);
    const m = matcher.match(kind, query, context);
    if (m.call) {
      o.counts[tierCount[m.tier]]++;
      if (m.difference && o.notes.length < MAX_NOTES) o.notes.push(`sub-call #${n} ${m.difference}`);
      o.matched.push(m.call.key);
      o.responses[exact] = m.call.response;
      return m.call.response;
    }
    const asked = live ? await live.ask(query, context ?? null) : undefined;
    if (asked && 'response' in asked) {
      o.counts.live++;
      o.matched.push(`live:${exact}`);
      o.responses[exact] = asked.response;
      return asked.response;
    }
    if (asked && 'error' in asked) o.liveError ??= `sub-call #${n} (${kind}) failed live: ${asked.error.slice(0, 200)}`;
    const budget = live && !asked ? ' (the live-check budget is spent)' : '';
    o.missing ??= `${NOT_IN_LOG}: sub-call #${n} (${kind}) ${m.reason}${budget}`;
    throw new Error(`${NOT_IN_LOG} (replay)`);
  };
  return {
    llm: (args) => answer('llm', args),
    rlm: (args) => answer('rlm', args),
    llmBatch: async ({ calls }) => {
      const out: string[] = [];
      for (const c of calls) out.push(await answer('llm', c));
      return out;
    },
  };
}

/** The function compiled for the sandbox the way runs load it (compile.ts compileCandidate). */
export type ReplayFunction = SandboxFunction;

export interface ReplayOptions {
  timeoutMs: number;
  /** The opt-in live check's shared budget (with the model it asks). */
  live?: LiveBudget;
  /** For the log of live calls. */
  clusterId?: string;
  /**
   * The function returns the lines the model read (its template answered with a literal typed
   * after reading printed output, generalize/front printed.ts): compare with the logged output of
   * the member's printedStep, not with the run's typed answer.
   */
  returnsPrinted?: boolean;
}

/** What a member's step printed, as logged (capped), and whether the log cut it. */
interface PrintedOutput {
  text: string;
  truncated: boolean;
}

async function loadStepOutput(database: Database, runId: string, step: number): Promise<PrintedOutput | undefined> {
  const [row] = await database.query<{ output: string; output_chars: number }>('select output, output_chars from steps where run_id = $1 and idx = $2', [runId, step]);
  if (row) return { text: row.output, truncated: Number(row.output_chars) > row.output.length };
  const blocks = await database.query<{ output: string; output_chars: number }>('select output, output_chars from programs where run_id = $1 and step_idx = $2 order by block_idx', [runId, step]);
  if (!blocks.length) return undefined;
  return { text: blocks.map((b) => b.output).join('\n'), truncated: blocks.some((b) => Number(b.output_chars) > b.output.length) };
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

/**
 * Whether every line the function returned appears in what the step printed (which also holds
 * peeks the slice dropped, so equality is not expected). Lines missing from an output the log cut
 * are tolerated when some line was found. Undefined when it holds, else why not; `note` for what
 * was tolerated.
 */
export function comparePrinted(answer: string, output: PrintedOutput): { problem?: string; note?: string } {
  const lines = answer.split('\n').map(squash).filter(Boolean);
  if (!lines.length) return { problem: 'the function returned no lines where the step printed some' };
  const printed = squash(output.text);
  const missing = lines.filter((l) => !printed.includes(l));
  if (!missing.length) return {};
  if (output.truncated && missing.length < lines.length) return { note: `${missing.length} of ${lines.length} returned lines are not in the logged output, which the log cut (the first: ${clip(missing[0], 80)})` };
  return { problem: `${missing.length} of ${lines.length} returned lines are not in the step's logged output (the first: ${clip(missing[0], 120)})` };
}

const emptyCounts = (): MatchCounts => ({ exact: 0, whitespace: 0, varyingParts: 0, live: 0 });

/** The recorded calls' order compared with the replayed one: a note when they differ, undefined when not. */
function orderNote(matched: readonly string[], recording: Recording): string | undefined {
  const problem = compareCalls(matched, recording);
  return problem ? `calls differ from the log (${problem})` : undefined;
}

export async function replayMember(
  database: Database,
  pool: SandboxPool,
  fn: ReplayFunction,
  member: CandidateMember,
  timeoutOrOptions: number | ReplayOptions,
): Promise<ReplayOutcome> {
  const options: ReplayOptions = typeof timeoutOrOptions === 'number' ? { timeoutMs: timeoutOrOptions } : timeoutOrOptions;
  const base = { runId: member.runId, calls: 0 };
  if (member.answer === null) return { ...base, reproduced: false, reason: 'the run logged no answer' };
  const context = await loadContext(database, member.contextSha256);
  if (!context) return { ...base, reproduced: false, unverifiable: true, reason: 'unverifiable: the run\'s input is not stored (imported log)' };
  if (!(await hasLoggedCalls(database, member.runId))) {
    return { ...base, reproduced: false, unverifiable: true, reason: 'unverifiable: the run has no recorded sub-calls (imported log)' };
  }
  const recording = await loadRecording(database, member.runId);
  const matcher = new CallMatcher(recording.entries);
  const o: Observation = { exact: [], matched: [], responses: {}, counts: emptyCounts(), notes: [] };
  const live = options.live
    ? liveSession(database, options.live, { functionName: fn.name, clusterId: options.clusterId ?? '?', memberRunId: member.runId, contextSha256: member.contextSha256 })
    : undefined;
  const printed = options.returnsPrinted && member.printedStep !== undefined ? await loadStepOutput(database, member.runId, member.printedStep) : undefined;
  const outcome = await replayWith(pool, fn, { ...member, answer: member.answer }, context, recording, matcher, o, options, live, printed);
  await live?.close(outcome.reproduced);
  return outcome;
}

async function replayWith(
  pool: SandboxPool,
  fn: ReplayFunction,
  member: CandidateMember & { answer: string },
  context: NonNullable<Awaited<ReturnType<typeof loadContext>>>,
  recording: Recording,
  matcher: CallMatcher,
  o: Observation,
  options: ReplayOptions,
  live: LiveSession | undefined,
  printed?: PrintedOutput,
): Promise<ReplayOutcome> {
  const handlers = recordedHandlers(matcher, o, live);
  const result = await runStep(pool, { context: context.text, contextType: context.type, step: callStep(fn.name, member.args), librarySource: fn.librarySource, handlers, timeoutMs: options.timeoutMs });
  const recorded = recording.entries.length;
  const out = { runId: member.runId, calls: o.exact.length, match: o.counts, ...(o.notes.length ? { notes: [...o.notes] } : {}) };
  const liveNote = o.counts.live ? ` with ${o.counts.live} live sub-call${o.counts.live > 1 ? 's' : ''}` : '';
  if (o.missing) return { ...out, reproduced: false, reason: `${o.missing}${o.liveError ? `; ${o.liveError}` : ''}` };
  const unused = matcher.unused();
  if (result.error !== undefined) {
    if (isOwnCheck(result.error) && o.counts.live === 0 && unused.length > 0 && o.exact.length > 0) {
      // The run's own final check failed here too; the run went on to repair it in later steps.
      const prefix = recording.calls.slice(0, o.matched.length);
      const samePrefix = o.matched.every((k) => prefix.includes(k));
      if (samePrefix) {
        return {
          ...out,
          reproduced: true,
          partial: 'own-check',
          notes: [...(out.notes ?? []), `stopped at the program's own final check after the same ${o.exact.length} sub-calls, as the run did; the run then repaired with ${unused.length} more sub-call${unused.length > 1 ? 's' : ''} in later steps, outside the function`],
        };
      }
    }
    return { ...out, reproduced: false, reason: `the function threw after ${o.exact.length} of ${recorded} logged sub-calls${liveNote}: ${result.error.slice(0, 300)}` };
  }
  const final = result.final ?? '';
  if (printed) {
    // The run's answer was typed after reading this output: the function returns those lines.
    const { problem, note } = comparePrinted(final, printed);
    if (problem) return { ...out, reproduced: false, reason: `${problem}${liveNote}, after ${o.exact.length} sub-calls (the function answered ${clip(final)})` };
    out.notes = [...(out.notes ?? []), `returns the lines the model read: compared with the output step ${member.printedStep ?? '?'} printed, not with the answer it then typed${note ? `; ${note}` : ''}`];
  } else if (final !== member.answer) {
    if (normalizeText(final) !== normalizeText(member.answer)) {
      const skipped = unused.length
        ? `; the run made ${unused.length} logged sub-call${unused.length > 1 ? 's' : ''} the function does not make (${unused.slice(0, 3).map((u) => `#${u.index + 1} ${clip(u.query, 50)}${u.context !== null ? ` over ${u.context.length.toLocaleString('en-US')} characters` : ''}`).join(', ')}${unused.length > 3 ? ', …' : ''}): a repair or a step outside the function?`
        : '';
      const lines = (t: string) => t.split('\n').map((l) => l.trim()).filter(Boolean).sort().join('\n');
      const reordered = lines(final) === lines(member.answer) ? ` (the same ${final.split('\n').filter((l) => l.trim()).length} lines in another order)` : '';
      return { ...out, reproduced: false, reason: `a different answer${liveNote}${reordered} after ${o.exact.length} sub-calls: ${firstDifference(final, member.answer)} (the function answered ${clip(final)}, the run ${clip(member.answer)})${skipped}` };
    }
    out.notes = [...(out.notes ?? []), `the answer differs from the logged one only in whitespace: ${firstDifference(final, member.answer)}`];
  }
  const madeOfLogged = new Set(o.matched.filter((k) => !k.startsWith('live:'))).size;
  const distinctLogged = new Set(recording.entries.map((e) => e.key)).size;
  if (madeOfLogged * 2 < distinctLogged) {
    return { ...out, reproduced: false, reason: `the same answer from only ${madeOfLogged} of the ${distinctLogged} distinct logged sub-calls: the run's answer rests on calls the function does not make` };
  }
  const notes = [...(out.notes ?? [])];
  if (unused.length) notes.push(`${unused.length} logged sub-call${unused.length > 1 ? 's' : ''} the function does not make (#${unused.slice(0, 5).map((u) => u.index + 1).join(', #')}${unused.length > 5 ? ', …' : ''}: steps outside the sliced program)`);
  else if (o.counts.live === 0) {
    const order = orderNote(o.matched, recording);
    if (order) notes.push(order);
  }
  const fixture: ReplayFixture = {
    runId: member.runId,
    args: [context.value, ...member.args],
    responses: o.responses,
    calls: o.exact,
    answer: final,
  };
  return { ...out, reproduced: true, ...(notes.length ? { notes } : {}), fixture };
}
