/**
 * The official RLM logger's JSONL (github.com/alexzhang13/rlm, rlm/logger/rlm_logger.py) as
 * accrete records. A file holds `{"type": "metadata", root_model, max_depth, max_iterations,
 * backend, backend_kwargs, environment_type, environment_kwargs, other_backends}` then one
 * `{"type": "iteration", iteration, timestamp, prompt, response, code_blocks: [{code, result:
 * {stdout, stderr, locals, execution_time, rlm_calls, final_answer}}], final_answer,
 * iteration_time}` line per iteration. A logger reused for several completions writes the metadata
 * once and restarts `iteration` at 1: each restart is another run.
 *
 * Mapping: a completion is a run (source 'import', metadata.language 'python', the original file
 * and completion index in metadata.original); an iteration is a step with its root-model call; a
 * code block is a program; an entry of `rlm_calls` is a sub-call, or a sub-run when it carries its
 * own trajectory (`metadata.iterations`, what the RLM logs for a recursive `rlm_query`). Ids are
 * derived from the file name (or the content) and the position, so importing a file again is a
 * no-op. Timestamps without an offset (Python's `datetime.now().isoformat()`) are read as UTC.
 */
import { basename } from 'node:path';
import { sha256, uuidFromText } from '../contracts/hash.js';
import type { ContextRow, LlmCallRow, ProgramRow, RunRow, StepRow, TraceRecord } from './records.js';

export const RLM_LOG_FORMAT = 'rlm';
/** The language of the official RLM's REPL. */
export const RLM_LANGUAGE = 'python';

/** Calls of the official REPL's model functions. */
const CALLS_MODEL = /\b(llm_query|llm_query_batched|rlm_query|rlm_query_batched)\s*\(/;

type Json = Record<string, unknown>;

interface Completion {
  /** The file line where the completion starts. */
  line: number;
  metadata: Json | null;
  iterations: Json[];
}

/** Whether a parsed JSONL line is an entry of the official RLM logger. */
export function isRlmLogEntry(value: unknown): boolean {
  const t = value && typeof value === 'object' && !Array.isArray(value) ? (value as Json).type : undefined;
  return t === 'metadata' || t === 'iteration';
}

const isObject = (v: unknown): v is Json => Boolean(v) && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const ms = (seconds: unknown): number => Math.max(0, Math.round((num(seconds) ?? 0) * 1000));

/** A Python isoformat timestamp; one without an offset is read as UTC. */
function timestamp(v: unknown): Date | null {
  if (typeof v !== 'string' || !v) return null;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** A prompt as chat messages: a string is one user message; a list of {role, content} is kept. */
function messagesOf(prompt: unknown): { role: string; content: string }[] {
  if (typeof prompt === 'string') return [{ role: 'user', content: prompt }];
  if (Array.isArray(prompt) && prompt.every((m) => isObject(m) && typeof m.role === 'string')) {
    return prompt.map((m) => ({ role: String((m as Json).role), content: typeof (m as Json).content === 'string' ? String((m as Json).content) : JSON.stringify((m as Json).content ?? '') }));
  }
  return [{ role: 'user', content: JSON.stringify(prompt ?? '') }];
}

const textOf = (prompt: unknown): string => (typeof prompt === 'string' ? prompt : JSON.stringify(prompt ?? ''));

/** The question of a run: `Answer the following: <root_prompt>` in the first user message, else that message. */
function queryOf(iterations: Json[], fallback: string | null): string {
  const first = messagesOf(iterations[0]?.prompt).filter((m) => m.role === 'user');
  for (const m of first) {
    const match = /^Answer the following: ([\s\S]*?)(?:\n\nYour context is |$)/.exec(m.content);
    if (match && match[1].trim()) return match[1].trim();
  }
  return fallback ?? first[0]?.content ?? '(no question logged)';
}

/** The final answer of an iteration: a string, or the visualizer's [kind, value] pair. */
function answerOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.length === 2) return textOf(v[1]);
  if (v === null || v === undefined) return null;
  return textOf(v);
}

/** The context the REPL held (`locals.context` of the first block that reports it). */
function contextOf(iterations: Json[]): ContextRow | null {
  for (const it of iterations) {
    for (const b of Array.isArray(it.code_blocks) ? it.code_blocks : []) {
      const locals = isObject(b) && isObject(b.result) && isObject(b.result.locals) ? b.result.locals : null;
      if (!locals || locals.context === undefined || locals.context === null) continue;
      const isText = typeof locals.context === 'string';
      const content = isText ? (locals.context as string) : JSON.stringify(locals.context);
      return { sha256: sha256(content), kind: isText ? 'text' : 'json', sizeBytes: Buffer.byteLength(content), content, encoding: 'utf8' };
    }
  }
  return null;
}

interface Usage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  model: string | null;
}

/** Totals of an RLMChatCompletion's usage_summary ({model_usage_summaries: {model: {...}}}). */
function usageOf(call: Json): Usage {
  const summaries = isObject(call.usage_summary) && isObject(call.usage_summary.model_usage_summaries) ? call.usage_summary.model_usage_summaries : {};
  const u: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0, model: null };
  for (const [model, s] of Object.entries(summaries)) {
    if (!isObject(s)) continue;
    u.model ??= model;
    u.inputTokens += Math.round(num(s.total_input_tokens) ?? 0);
    u.outputTokens += Math.round(num(s.total_output_tokens) ?? 0);
    u.costUsd += num(s.total_cost) ?? 0;
  }
  return u;
}

interface Parent {
  runId: string;
  programId: string;
  callId: string;
  depth: number;
}

interface Totals {
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** The records of one trajectory (a completion, or a sub-run's trajectory), its sub-runs included. */
function trajectoryRecords(
  runId: string,
  rootId: string,
  metadata: Json | null,
  iterations: Json[],
  where: { original: Json; query?: string; parent?: Parent; startedAt?: Date },
  out: TraceRecord[],
): Totals {
  const meta = metadata ?? {};
  const depth = where.parent ? where.parent.depth + 1 : 0;
  const rootModel = str(meta.root_model) ?? 'unknown';
  const provider = str(meta.backend) ?? 'rlm';
  const totals: Totals = { calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const runRecordAt = out.length;
  const context = contextOf(iterations);
  if (context) out.push({ table: 'contexts', row: context });
  let seq = 0;
  let answer: string | null = null;
  let clock = where.startedAt ?? timestamp(iterations[0]?.timestamp) ?? new Date(0);
  let firstStart: Date | null = null;
  iterations.forEach((it, i) => {
    const blocks = Array.isArray(it.code_blocks) ? it.code_blocks : [];
    if (it.code_blocks !== undefined && !Array.isArray(it.code_blocks)) throw new Error(`iteration ${i + 1}: "code_blocks" must be an array`);
    const execMs = blocks.reduce((sum: number, b) => sum + ms(isObject(b) && isObject(b.result) ? b.result.execution_time : 0), 0);
    const durationMs = it.iteration_time !== undefined && it.iteration_time !== null ? ms(it.iteration_time) : execMs;
    const loggedAt = timestamp(it.timestamp);
    // the logger writes an iteration when it is over: it started its duration earlier
    const startedAt = loggedAt ? new Date(loggedAt.getTime() - durationMs) : clock;
    firstStart ??= startedAt;
    clock = new Date(startedAt.getTime() + durationMs);
    const stepId = uuidFromText(`${runId}/step:${i}`);
    const response = str(it.response) ?? '';
    const final = answerOf(it.final_answer);
    if (final !== null) answer = final;
    const modelMs = Math.max(0, durationMs - execMs);
    const messages = messagesOf(it.prompt);
    const rootCall: LlmCallRow = {
      id: uuidFromText(`${runId}/root:${i}`),
      runId,
      seq: seq++,
      kind: blocks.length === 0 && final !== null ? 'answer_now' : 'root',
      provider,
      requestModel: rootModel,
      responseModel: rootModel,
      requestMessages: messages,
      requestHash: sha256(JSON.stringify([rootModel, messages])),
      response,
      latencyMs: modelMs,
      status: 'ok',
      createdAt: startedAt,
    };
    totals.calls++;
    const stepRecords: TraceRecord[] = [{ table: 'llm_calls', row: rootCall }];
    let at = startedAt.getTime() + modelMs;
    const outputs: string[] = [];
    const errors: string[] = [];
    blocks.forEach((b, j) => {
      if (!isObject(b) || typeof b.code !== 'string') throw new Error(`iteration ${i + 1}, code block ${j + 1}: "code" must be a string`);
      const result = isObject(b.result) ? b.result : {};
      const stdout = str(result.stdout) ?? '';
      const stderr = str(result.stderr) ?? '';
      const blockAnswer = answerOf(result.final_answer);
      const calls = Array.isArray(result.rlm_calls) ? result.rlm_calls.filter(isObject) : [];
      const programId = uuidFromText(`${runId}/program:${i}:${j}`);
      const programAt = new Date(at);
      const program: ProgramRow = {
        id: programId,
        runId,
        stepId,
        stepIdx: i,
        blockIdx: j,
        code: b.code,
        codeSha256: sha256(b.code),
        query: '',
        output: stdout,
        outputChars: stdout.length,
        result: blockAnswer,
        status: blockAnswer !== null ? 'final' : stderr.trim() ? 'error' : 'ok',
        error: stderr.trim() ? stderr : null,
        callsModel: CALLS_MODEL.test(b.code),
        llmCallCount: calls.length,
        durationMs: ms(result.execution_time),
        createdAt: programAt,
      };
      stepRecords.push({ table: 'programs', row: program });
      if (stdout) outputs.push(stdout);
      if (stderr.trim()) errors.push(stderr);
      calls.forEach((call, k) => {
        const usage = usageOf(call);
        const callId = uuidFromText(`${runId}/call:${i}:${j}:${k}`);
        const trajectory = isObject(call.metadata) && Array.isArray(call.metadata.iterations) ? call.metadata : null;
        if (trajectory) {
          // a recursive rlm_query: the child's own trajectory becomes a sub-run under this program
          const sub = trajectoryRecords(
            uuidFromText(`${runId}/subrun:${i}:${j}:${k}`),
            rootId,
            isObject(trajectory.run_metadata) ? trajectory.run_metadata : metadata,
            (trajectory.iterations as unknown[]).filter(isObject),
            { original: { ...where.original, path: [...((where.original.path as number[]) ?? []), i, j, k] }, query: textOf(call.prompt), parent: { runId, programId, callId, depth }, startedAt: programAt },
            stepRecords,
          );
          totals.calls += sub.calls;
          totals.inputTokens += sub.inputTokens;
          totals.outputTokens += sub.outputTokens;
          totals.costUsd += sub.costUsd;
          return;
        }
        const model = str(call.root_model) ?? usage.model ?? rootModel;
        const callMessages = messagesOf(call.prompt);
        const error = str(call.error);
        stepRecords.push({
          table: 'llm_calls',
          row: {
            id: callId,
            runId,
            programId,
            seq: seq++,
            kind: 'sub',
            provider,
            requestModel: model,
            responseModel: model,
            requestMessages: callMessages,
            requestHash: sha256(JSON.stringify([model, callMessages])),
            response: str(call.response),
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            costUsd: usage.costUsd,
            latencyMs: ms(call.execution_time),
            status: error ? 'error' : 'ok',
            error,
            createdAt: programAt,
          },
        });
        totals.calls++;
        totals.inputTokens += usage.inputTokens;
        totals.outputTokens += usage.outputTokens;
        totals.costUsd += usage.costUsd;
      });
      at += program.durationMs ?? 0;
    });
    const output = outputs.join('\n');
    const step: StepRow = {
      id: stepId,
      runId,
      idx: i,
      response,
      codeBlocks: blocks.map((b) => String((b as Json).code)),
      output,
      outputChars: output.length,
      error: errors.length ? errors.join('\n') : null,
      startedAt,
      durationMs,
    };
    out.push({ table: 'steps', row: step }, ...stepRecords);
  });
  const query = queryOf(iterations, where.query ?? null);
  for (const r of out.slice(runRecordAt)) if (r.table === 'programs' && r.row.runId === runId) r.row.query = query;
  const startedAt = firstStart ?? clock;
  const maxIterations = num(meta.max_iterations);
  const maxDepth = num(meta.max_depth);
  const run: RunRow = {
    id: runId,
    parentRunId: where.parent?.runId ?? null,
    rootRunId: rootId,
    depth,
    source: 'import',
    query,
    contextSha256: context?.sha256 ?? null,
    contextBytes: context?.sizeBytes ?? null,
    rootModel,
    budgets: maxIterations !== null || maxDepth !== null ? { ...(maxIterations !== null ? { maxIterations } : {}), ...(maxDepth !== null ? { maxDepth } : {}) } : null,
    status: answer !== null ? 'succeeded' : 'failed',
    answer,
    error: answer !== null ? null : 'the log ends without a final answer (the run stopped, failed or was cut short)',
    iterations: iterations.length,
    llmCalls: totals.calls,
    inputTokens: totals.inputTokens,
    outputTokens: totals.outputTokens,
    costUsd: totals.costUsd,
    metadata: {
      format: RLM_LOG_FORMAT,
      language: RLM_LANGUAGE,
      original: where.original,
      rlm: { backend: meta.backend ?? null, environmentType: meta.environment_type ?? null, maxDepth, maxIterations, otherBackends: meta.other_backends ?? null },
      ...(where.parent ? { parentCallId: where.parent.callId, parentProgramId: where.parent.programId } : {}),
    },
    startedAt,
    endedAt: clock,
    durationMs: clock.getTime() - startedAt.getTime(),
  };
  // parents first: the run goes before its steps (and after its context)
  out.splice(runRecordAt + (context ? 1 : 0), 0, { table: 'runs', row: run });
  return totals;
}

/** Reads an official RLM log line by line; `runs()` gives each completion's records. */
export class RlmLogReader {
  readonly problems: { line: number; error: string }[] = [];
  private readonly completions: Completion[] = [];
  private metadata: Json | null = null;
  private startNew = true;
  private lastIteration: number | null = null;
  private readonly content: string[] = [];

  /** fileName: run ids are derived from its base name (default: from the content). */
  constructor(private readonly fileName?: string) {}

  add(line: number, text: string): void {
    if (!this.fileName || this.fileName === '-') this.content.push(text); // ids come from the content only without a name
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (err) {
      this.problems.push({ line, error: `not valid JSON (${(err as Error).message})` });
      return;
    }
    if (!isRlmLogEntry(v)) {
      this.problems.push({ line, error: 'not an entry of the official RLM log: expected {"type": "metadata", ...} or {"type": "iteration", ...}' });
      return;
    }
    const entry = v as Json;
    if (entry.type === 'metadata') {
      this.metadata = entry;
      this.startNew = true;
      return;
    }
    const n = num(entry.iteration);
    const current = this.completions[this.completions.length - 1];
    if (!current || this.startNew || (n !== null && this.lastIteration !== null && n <= this.lastIteration)) {
      this.completions.push({ line, metadata: this.metadata, iterations: [] });
      this.startNew = false;
    }
    this.lastIteration = n;
    this.completions[this.completions.length - 1].iterations.push(entry);
  }

  /** Each completion as one root run's records, or why it cannot be read. */
  runs(): ({ line: number; rootId: string; records: TraceRecord[] } | { line: number; error: string })[] {
    const file = this.fileName && this.fileName !== '-' ? basename(this.fileName) : null;
    const key = file ?? `sha256:${sha256(this.content.join('\n'))}`;
    if (this.completions.length === 0) return this.problems.length ? [] : [{ line: 1, error: 'the RLM log has no iterations' }];
    return this.completions.map((c, index) => {
      const rootId = uuidFromText(`rlm-log:${key}#${index}`);
      try {
        const records: TraceRecord[] = [];
        trajectoryRecords(rootId, rootId, c.metadata, c.iterations, { original: { file: file ?? '(standard input)', completion: index, line: c.line } }, records);
        return { line: c.line, rootId, records };
      } catch (err) {
        return { line: c.line, error: `RLM log completion ${index + 1}: ${(err as Error).message}` };
      }
    });
  }
}
