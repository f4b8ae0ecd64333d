/**
 * One run of the RLM loop: the root model writes code, the sandbox runs it, the output goes back,
 * until the code calls FINAL or a budget ends it. Sub-calls (llm, llmBatch) and sub-runs (rlm)
 * are answered here; every run, step, program and model call is logged through the trace writer.
 */
import { randomUUID } from 'node:crypto';
import { sha256 } from '../contracts/hash.js';
import { setMaxListeners } from 'node:events';
import type { ChatMessage, CompletionResult, ModelClient } from '../models/types.js';
import type { LibrarySnapshot } from '../library/types.js';
import { costUsd } from '../models/prices.js';
import type { HostHandlers, LlmCallArgs, Repl, SandboxPool } from '../sandbox/repl.js';
import type { LlmCallKind, LlmCallStatus, ProgramStatus, RunStatus } from '../db/schema.js';
import type { TraceWriter } from '../trace/writer.js';
import { BudgetExceededError, type BudgetLedger, type Budgets } from './budget.js';
import { extractCodeBlocks, findProseFinal } from './code-blocks.js';
import { prepareContext, type PreparedContext, storedContent } from './context.js';
import type { LibraryListing } from '../contracts/listing.js';
import { ANSWER_NOW, buildFirstUserMessage, buildNextQueryMessage, buildSubCallMessages, formatReplResults, NO_CODE_NOTE, type ReplBlockReport } from '../contracts/messages.js';
import { buildSystemPrompt } from './prompts.js';
import type { RunEvent } from './events.js';
import { ToolCallError, type ToolBox } from './tools.js';
import type { ToolCallArgs } from '../sandbox/host-args.js';
import { compactHistory, historyTokens, type SessionState } from './session.js';

export interface RunSummary {
  runId: string;
  status: RunStatus;
  answer: string | null;
  /** Why the run failed or stopped early. */
  error: string | null;
  iterations: number;
  llmCalls: number;
  usage: { inputTokens: number; outputTokens: number };
  costUsd: number;
  durationMs: number;
}

export type ProgressEvent =
  | { type: 'run_start'; runId: string; depth: number; query: string }
  | { type: 'iteration'; runId: string; depth: number; iteration: number }
  | { type: 'llm_call'; runId: string; depth: number; inFlight: number; calls: number; tokens: number }
  | { type: 'batch'; runId: string; depth: number; fn: 'llmBatch' | 'rlmBatch'; done: number; total: number }
  | { type: 'run_end'; runId: string; depth: number; status: RunStatus };

/** Everything a run needs from the runtime that owns it. */
export interface RunEnvironment {
  rootModel: ModelClient;
  subModel: ModelClient;
  pool: SandboxPool;
  writer: TraceWriter;
  library?: LibrarySnapshot;
  onProgress?: (event: ProgressEvent) => void;
  /** sha256 of contexts known to be stored already (skips re-sending big inputs). */
  storedContexts: Set<string>;
  /** Custom tools (`tools.<name>` in the sandbox); their handlers run here, on the host. */
  tools?: ToolBox;
}

/** State shared by a run and all its sub-runs. */
export interface RunTree {
  rootRunId: string;
  budgets: Budgets;
  ledger: BudgetLedger;
  /** Identical sub-calls within the run tree are answered once: keyed by their request's hash (requestHashOf). */
  cache: Map<string, Promise<string>>;
  /** Aborted on SIGINT / the run timeout: ends every run of the tree. */
  signal: AbortSignal;
  /** Receives the tree's events (runtime.stream). */
  emit?: (event: RunEvent) => void;
}

interface ParentLink {
  runId: string;
  depth: number;
  programId?: string;
  callId: string;
}

const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** sha256 of model + messages: a call record's replay key (llm_calls.request_hash), and the sub-call cache's key. */
const requestHashOf = (model: string, messages: ChatMessage[]): string => sha256(JSON.stringify([model, messages]));

/** A library call between its start and end events (see src/library/compile.ts). */
interface OpenLibCall {
  name: string;
  version: string;
  programId?: string;
  /** The run's model-call count at the start: the calls made inside are the difference at the end. */
  callsAtStart: number;
  startedAt: number;
}
/** Library calls open at once, at most (events come from sandboxed code). */
const MAX_OPEN_LIB_CALLS = 10_000;

/** Caps what a step logs (the true length is logged beside it); redacted before it is cut. */
const LOGGED_OUTPUT_CHARS = 100_000;

/** Either signal aborts; any number of waiting calls may listen (one per queued model call). */
function both(a: AbortSignal, b: AbortSignal): AbortSignal {
  const s = AbortSignal.any([a, b]);
  setMaxListeners(0, s);
  return s;
}

/** Why an aborted run stopped: its run-time budget, or a cancellation (SIGINT, the caller). */
function stopped(signal: AbortSignal): { status: RunStatus; error: string } {
  if (signal.reason instanceof BudgetExceededError) return { status: 'budget_exhausted', error: signal.reason.message };
  return { status: 'cancelled', error: `cancelled: ${errorMessage(signal.reason)}` };
}

/** An event without the run and depth it happens in (the execution adds them). */
type EventBody = RunEvent extends infer E ? (E extends RunEvent ? Omit<E, 'runId' | 'depth'> : never) : never;

class RunExecution {
  readonly runId: string;
  readonly depth: number;
  private seq = 0;
  private toolSeq = 0;
  /** When tool calls of the running code block must have ended (a little before the block's timeout). */
  private stepDeadline = 0;
  private iterations = 0;
  private calls = 0;
  private inputTokens = 0;
  private outputTokens = 0;
  private cost = 0;
  private currentProgramId?: string;
  private currentProgramCalls = 0;
  private readonly openLibCalls = new Map<string, OpenLibCall>();
  private libFunctions?: Map<string, { name: string; version: string }>;
  private repl?: Repl;
  private readonly startedAt = new Date();

  constructor(
    private readonly env: RunEnvironment,
    private readonly tree: RunTree,
    private readonly query: string,
    private readonly ctx: PreparedContext,
    private readonly parent?: ParentLink,
    runId?: string,
    /** A turn of a session: the REPL and the history carry over (src/runtime/session.ts). */
    private readonly session?: SessionState,
  ) {
    this.runId = runId ?? randomUUID();
    this.depth = parent ? parent.depth + 1 : 0;
  }

  private logRun(status: RunStatus, answer: string | null, error: string | null, ended?: Date): void {
    this.env.writer.write({
      table: 'runs',
      row: {
        id: this.runId,
        parentRunId: this.parent?.runId ?? null,
        rootRunId: this.tree.rootRunId,
        depth: this.depth,
        source: 'runtime',
        query: this.query,
        contextSha256: this.ctx.sha256,
        contextBytes: this.ctx.bytes.length,
        rootModel: this.env.rootModel.model,
        subModel: this.env.subModel.model,
        budgets: { ...this.tree.budgets },
        status,
        answer,
        error,
        ...this.totals(),
        libraryCommit: this.env.library?.commit ?? null,
        libraryManifestHash: this.env.library?.manifestHash ?? null,
        metadata: this.parent ? { parentCallId: this.parent.callId, parentProgramId: this.parent.programId ?? null } : null,
        sessionId: this.session?.id ?? null,
        sessionTurn: this.session?.turn ?? null,
        startedAt: this.startedAt,
        endedAt: ended ?? null,
        durationMs: ended ? ended.getTime() - this.startedAt.getTime() : null,
      },
    });
  }

  private progress(event: ProgressEvent): void {
    this.env.onProgress?.(event);
  }

  private event(body: EventBody): void {
    this.tree.emit?.({ ...body, runId: this.runId, depth: this.depth } as RunEvent);
  }

  /** One model call, budgeted, bounded in concurrency and logged. */
  private async callModel(
    model: ModelClient,
    kind: LlmCallKind,
    messages: ChatMessage[],
    signal: AbortSignal,
    opts: { budgeted?: boolean; parentCallId?: string; requestHash?: string } = {},
  ): Promise<CompletionResult> {
    const id = randomUUID();
    const seq = this.seq++;
    const programId = kind === 'sub' ? this.currentProgramId : undefined;
    const requestHash = opts.requestHash ?? requestHashOf(model.model, messages);
    if (opts.budgeted !== false) this.tree.ledger.reserveCall();
    else this.tree.ledger.calls++;
    this.calls++;
    if (kind === 'sub') this.currentProgramCalls++;
    const started = performance.now();
    await this.tree.ledger.semaphore.acquire(signal);
    this.event({ type: 'model_call_start', callId: id, kind, model: model.model });
    this.progress({ type: 'llm_call', runId: this.runId, depth: this.depth, inFlight: this.tree.ledger.inFlight, calls: this.tree.ledger.calls, tokens: this.tree.ledger.tokens });
    let result: CompletionResult | undefined;
    let failure: unknown;
    try {
      // Streamed only for someone reading the events (runtime.stream): the pieces become model_call_delta events.
      const onDelta = this.tree.emit ? (text: string) => this.event({ type: 'model_call_delta', callId: id, kind, text }) : undefined;
      result = await model.complete({ messages, signal, onDelta });
    } catch (err) {
      failure = err;
    } finally {
      this.tree.ledger.semaphore.release();
    }
    const usage = result?.usage ?? { inputTokens: 0, outputTokens: 0 };
    const cost = costUsd(model.model, usage);
    this.tree.ledger.settle(usage.inputTokens + usage.outputTokens, cost);
    this.inputTokens += usage.inputTokens;
    this.outputTokens += usage.outputTokens;
    this.cost += cost;
    this.env.writer.write({
      table: 'llm_calls',
      row: {
        id,
        runId: this.runId,
        programId: programId ?? null,
        parentCallId: opts.parentCallId ?? null,
        seq,
        kind,
        provider: model.provider,
        requestModel: model.model,
        responseModel: result?.responseModel ?? null,
        requestMessages: messages,
        requestHash,
        response: result?.text ?? null,
        finishReason: result?.finishReason ?? null,
        inputTokens: usage.inputTokens,
        outputTokens: usage.outputTokens,
        cachedTokens: usage.cachedTokens ?? 0,
        reasoningTokens: usage.reasoningTokens ?? 0,
        costUsd: cost,
        latencyMs: Math.round(performance.now() - started),
        status: failure ? 'error' : 'ok',
        error: failure ? errorMessage(failure) : null,
        providerRequestId: result?.providerRequestId ?? null,
        // when it returned (not when the batch was written): it spans [createdAt − latency, createdAt]
        createdAt: new Date(),
      },
    });
    this.event({ type: 'model_call_end', callId: id, kind, model: model.model, status: failure ? 'error' : 'ok', inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, latencyMs: Math.round(performance.now() - started) });
    if (failure) throw failure;
    return result!;
  }

  /** A sub-call that never reached the model: a cache hit or a rejection. Logged all the same. */
  private logShortCall(status: LlmCallStatus, messages: ChatMessage[], response: string | null, error: string | null, requestHash?: string): void {
    this.env.writer.write({
      table: 'llm_calls',
      row: {
        id: randomUUID(),
        runId: this.runId,
        programId: this.currentProgramId ?? null,
        seq: this.seq++,
        kind: 'sub',
        provider: this.env.subModel.provider,
        requestModel: this.env.subModel.model,
        requestMessages: messages,
        requestHash: requestHash ?? requestHashOf(this.env.subModel.model, messages),
        response,
        status,
        error,
        createdAt: new Date(),
      },
    });
  }

  private async subCall(args: LlmCallArgs, signal: AbortSignal): Promise<string> {
    const { query, context } = args;
    const messages = buildSubCallMessages(query, context);
    const size = query.length + (context?.length ?? 0);
    const limit = this.tree.budgets.maxSubPromptChars;
    if (size > limit) {
      const msg = `llm(): this prompt is ${size.toLocaleString('en-US')} characters, over the limit of ${limit.toLocaleString('en-US')} for one sub-call (--max-sub-prompt-chars). Split the context into smaller pieces.`;
      this.logShortCall('rejected', [{ role: 'user', content: `${query.slice(0, 2_000)}\n[... ${size} characters in all; not sent]` }], null, msg);
      throw new Error(msg);
    }
    // The request's hash is the cache key too: one hash of the messages (and so of the context) a
    // sub-call, not one for the key and another for the record. Two calls share an answer when the
    // model would be sent the same request.
    const key = requestHashOf(this.env.subModel.model, messages);
    const cached = this.tree.cache.get(key);
    if (cached) {
      const value = await cached;
      this.logShortCall('cache_hit', messages, value, null, key);
      return value;
    }
    const pending = this.callModel(this.env.subModel, 'sub', messages, signal, { requestHash: key }).then((r) => r.text);
    this.tree.cache.set(key, pending);
    try {
      return await pending;
    } catch (err) {
      this.tree.cache.delete(key);
      throw err;
    }
  }

  private async subRun(args: LlmCallArgs, signal: AbortSignal): Promise<string> {
    if (this.depth + 1 > this.tree.budgets.maxDepth) return this.subCall(args, signal);
    const callId = randomUUID();
    const child = new RunExecution(
      this.env,
      this.tree,
      args.query,
      prepareContext(args.context ?? ''),
      { runId: this.runId, depth: this.depth, programId: this.currentProgramId, callId },
    );
    const summary = await child.execute(signal);
    this.event({ type: 'sub_run', childRunId: summary.runId, status: summary.status, answer: summary.answer });
    this.calls += summary.llmCalls;
    this.inputTokens += summary.usage.inputTokens;
    this.outputTokens += summary.usage.outputTokens;
    this.cost += summary.costUsd;
    if (this.currentProgramId) this.currentProgramCalls += summary.llmCalls;
    if (summary.status !== 'succeeded' && summary.answer === null) {
      throw new Error(`rlm(): the sub-run ${summary.runId} ${summary.status}: ${summary.error ?? 'no answer'}`);
    }
    return summary.answer ?? '';
  }

  /**
   * llmBatch / rlmBatch: every item at once (the tree's semaphore bounds the model calls in
   * flight), answers in order; progress reported as items finish. One failed item fails the call.
   */
  private async batch(fn: 'llmBatch' | 'rlmBatch', calls: LlmCallArgs[], signal: AbortSignal, one: (c: LlmCallArgs, s: AbortSignal) => Promise<string>): Promise<string[]> {
    const combined = both(signal, this.tree.signal);
    const total = calls.length;
    let done = 0;
    const report = () => {
      this.progress({ type: 'batch', runId: this.runId, depth: this.depth, fn, done, total });
      this.event({ type: 'batch', fn, done, total });
    };
    report();
    const settled = await Promise.allSettled(
      calls.map((c) =>
        one(c, combined).finally(() => {
          done++;
          report();
        }),
      ),
    );
    const failed = settled.findIndex((s) => s.status === 'rejected');
    if (failed >= 0) throw new Error(`${fn}: item ${failed} failed: ${errorMessage((settled[failed] as PromiseRejectedResult).reason)}`);
    return settled.map((s) => (s as PromiseFulfilledResult<string>).value);
  }

  private handlers(): HostHandlers {
    return {
      llm: (args, signal) => this.subCall(args, both(signal, this.tree.signal)),
      llmBatch: ({ calls }, signal) => this.batch('llmBatch', calls, signal, (c, s) => this.subCall(c, s)),
      rlm: (args, signal) => this.subRun(args, both(signal, this.tree.signal)),
      rlmBatch: ({ calls }, signal) => this.batch('rlmBatch', calls, signal, (c, s) => this.subRun(c, s)),
      tool: (args, signal) => this.toolCall(args, both(signal, this.tree.signal)),
      libEvent: (event) => this.libEvent(event),
    };
  }

  /** A `tools.<name>(args)` call: checked, budgeted, run within the step's time, logged. */
  private async toolCall({ name, args }: ToolCallArgs, signal: AbortSignal): Promise<unknown> {
    const started = performance.now();
    const seq = this.toolSeq++;
    const programId = this.currentProgramId;
    let result: unknown = null;
    let status: 'ok' | 'error' | 'rejected' = 'ok';
    let error: string | null = null;
    try {
      const tools = this.env.tools;
      if (!tools || tools.size === 0) throw new ToolCallError(`tools.${name}: no custom tools are registered for this run`, 'rejected');
      const tool = tools.check(name, args);
      const over = this.tree.ledger.reserveToolCall();
      if (over) throw new ToolCallError(`tools.${name}: ${over}`, 'rejected');
      result = await tools.run(tool, args, { signal, runId: this.runId, timeoutMs: Math.max(0, this.stepDeadline - Date.now()) });
      return result;
    } catch (err) {
      status = err instanceof ToolCallError ? err.status : 'error';
      error = errorMessage(err);
      throw err;
    } finally {
      const durationMs = Math.round(performance.now() - started);
      this.env.writer.write({
        table: 'tool_calls',
        row: { id: randomUUID(), runId: this.runId, programId: programId ?? null, seq, name: name.slice(0, 200), args: args ?? null, result: status === 'ok' ? result : null, status, error, durationMs },
      });
      this.event({ type: 'tool_call', name, status, durationMs, error });
    }
  }

  /**
   * A library function's start or end (sent by the wrapper around every lib.* function). The
   * model calls made inside are those of the run between the two events: exact for calls made
   * one at a time, an over-count for library calls running concurrently in one run.
   */
  private libEvent(event: Record<string, unknown>): void {
    const name = typeof event.name === 'string' ? event.name : undefined;
    this.libFunctions ??= new Map((this.env.library?.functions ?? []).map((f) => [f.name, f]));
    const fn = name === undefined ? undefined : this.libFunctions.get(name);
    const callId = typeof event.callId === 'string' ? event.callId.slice(0, 200) : undefined;
    if (!fn || callId === undefined) return; // not the wrapper's event: ignored
    if (event.type === 'start') {
      if (this.openLibCalls.size < MAX_OPEN_LIB_CALLS && !this.openLibCalls.has(callId)) {
        this.openLibCalls.set(callId, { name: fn.name, version: fn.version, programId: this.currentProgramId, callsAtStart: this.calls, startedAt: performance.now() });
      }
    } else if (event.type === 'end') {
      const open = this.openLibCalls.get(callId);
      if (!open || open.name !== fn.name) return;
      this.openLibCalls.delete(callId);
      const ok = event.ok === true;
      const error = ok ? null : typeof event.error === 'string' && event.error ? event.error.slice(0, 4_000) : 'failed';
      const d = event.durationMs;
      this.logLibCall(open, ok, error, typeof d === 'number' && Number.isFinite(d) && d >= 0 ? d : undefined);
    }
  }

  private logLibCall(call: OpenLibCall, ok: boolean, error: string | null, durationMs?: number): void {
    this.env.writer.write({
      table: 'lib_calls',
      row: {
        id: randomUUID(),
        runId: this.runId,
        programId: call.programId ?? null,
        name: call.name,
        version: call.version,
        durationMs: Math.min(2_147_483_647, Math.round(durationMs ?? performance.now() - call.startedAt)),
        llmCalls: Math.max(0, this.calls - call.callsAtStart),
        status: ok ? 'ok' : 'error',
        error,
      },
    });
  }

  /** Library calls that never reported their end (the sandbox was reset, the run ended). */
  private closeLibCalls(why: string): void {
    for (const call of this.openLibCalls.values()) this.logLibCall(call, false, `did not finish: ${why}`);
    this.openLibCalls.clear();
  }

  /** The library functions to list in the system prompt for this run's query. */
  private async listLibrary(): Promise<LibraryListing[]> {
    const lib = this.env.library;
    if (!lib) return [];
    if (lib.retrieve) {
      try {
        return await lib.retrieve(this.query);
      } catch {
        /* the lexical listing below */
      }
    }
    return lib.select(this.query);
  }

  private async openRepl(): Promise<Repl> {
    const b = this.tree.budgets;
    // The isolate must hold the input (UTF-16 in the worst case) with room to work.
    const needMb = Math.ceil((this.ctx.text.length * 2) / 1_048_576) * 2 + 64;
    const options = {
      context: this.ctx.text,
      contextType: this.ctx.type,
      memoryMb: Math.max(b.memoryMb, needMb),
      maxOutputChars: b.maxOutputChars,
      maxAnswerChars: b.maxAnswerChars,
      cpuBudgetMs: b.cpuTimeMs,
      librarySource: this.env.library?.source,
      toolNames: this.env.tools?.names ?? [],
    };
    try {
      return await this.env.pool.open(options, this.handlers());
    } catch {
      // A child that died between runs (e.g. after an out-of-memory abort): one more, fresh one.
      return this.env.pool.open(options, this.handlers());
    }
  }

  private async runBlock(code: string, stepId: string, stepIdx: number, blockIdx: number): Promise<{ report: ReplBlockReport; final?: string; fatal?: boolean }> {
    const programId = randomUUID();
    this.currentProgramId = programId;
    this.currentProgramCalls = 0;
    const timeout = Math.max(1, Math.min(this.tree.budgets.stepTimeoutMs, this.tree.ledger.remainingMs()));
    if (!this.repl || !this.repl.alive) this.repl = await this.openRepl();
    // Tool calls end a little before the step does, so the code can still handle their error.
    this.stepDeadline = Date.now() + timeout - Math.min(2_000, timeout / 5);
    this.event({ type: 'code', step: stepIdx, block: blockIdx, code });
    let outcome = await this.repl.exec(code, timeout);
    if (outcome.notRun) {
      // The sandbox process died after the last step (e.g. late from an out-of-memory abort).
      this.repl = await this.openRepl();
      outcome = await this.repl.exec(code, timeout);
    }
    const maxAnswer = this.tree.budgets.maxAnswerChars;
    if (outcome.final !== undefined && outcome.final.length > maxAnswer) {
      // The prelude refuses this inside the isolate; checked again here, where the budget is held.
      const error = `FINAL: the answer is ${outcome.final.length.toLocaleString('en-US')} characters, over the limit of ${maxAnswer.toLocaleString('en-US')} (the maxAnswerChars budget). Answer with what was asked, not the whole input.`;
      outcome = { ...outcome, final: undefined, error };
    }
    const status: ProgramStatus = outcome.final !== undefined ? 'final' : outcome.fatal === 'step_timeout' || /timed out/.test(outcome.error ?? '') ? 'timeout' : outcome.error ? 'error' : 'ok';
    this.env.writer.write({
      table: 'programs',
      row: {
        id: programId,
        runId: this.runId,
        stepId,
        stepIdx,
        blockIdx,
        code,
        codeSha256: sha256(code),
        query: this.query,
        output: this.env.writer.redact(outcome.output).slice(0, LOGGED_OUTPUT_CHARS),
        outputChars: outcome.outputChars,
        result: outcome.final ?? null,
        status,
        error: outcome.error ?? null,
        callsModel: this.currentProgramCalls > 0,
        llmCallCount: this.currentProgramCalls,
        libCalls: /\blib\.[A-Za-z_$]/.test(code) ? [...new Set([...code.matchAll(/\blib\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]))] : null,
        durationMs: outcome.durationMs,
      },
    });
    this.currentProgramId = undefined;
    this.event({ type: 'output', step: stepIdx, block: blockIdx, output: this.env.writer.redact(outcome.output), outputChars: outcome.outputChars, error: outcome.error ?? null });
    if (outcome.fatal !== undefined) this.closeLibCalls(outcome.error ?? 'the sandbox was reset');
    return {
      report: { output: outcome.output, outputChars: outcome.outputChars, error: outcome.error },
      final: outcome.final,
      fatal: outcome.fatal !== undefined,
    };
  }

  private async storeContext(): Promise<void> {
    if (this.env.storedContexts.has(this.ctx.sha256)) return;
    this.env.writer.write({ table: 'contexts', row: { sha256: this.ctx.sha256, kind: this.ctx.kind, sizeBytes: this.ctx.bytes.length, ...storedContent(this.ctx) } });
    this.env.storedContexts.add(this.ctx.sha256);
  }

  async execute(outerSignal?: AbortSignal): Promise<RunSummary> {
    const signal = outerSignal ? both(outerSignal, this.tree.signal) : this.tree.signal;
    await this.storeContext();
    this.logRun('running', null, null);
    this.progress({ type: 'run_start', runId: this.runId, depth: this.depth, query: this.query });
    this.event({ type: 'run_start', parentRunId: this.parent?.runId ?? null, query: this.query, sessionId: this.session?.id ?? null });
    // Only a pluggable scorer (embeddings) makes the listing async; the default stays synchronous.
    const library = this.env.library?.retrieve ? await this.listLibrary() : (this.env.library?.select(this.query) ?? []);
    const history = this.session?.messages ?? [];
    const messages: ChatMessage[] =
      history.length > 0
        ? [...history, { role: 'user', content: buildNextQueryMessage(this.query) }]
        : [
            { role: 'system', content: buildSystemPrompt(library, this.env.tools?.promptSection()) },
            { role: 'user', content: buildFirstUserMessage(this.query, this.ctx.description) },
          ];
    if (this.session) this.repl = this.session.repl;
    let status: RunStatus = 'running';
    let answer: string | null = null;
    let error: string | null = null;
    try {
      if (this.session && this.session.compactAtTokens > 0 && historyTokens(messages) > this.session.compactAtTokens) await this.compact(messages, signal);
      while (status === 'running') {
        if (signal.aborted) {
          ({ status, error } = stopped(signal));
          break;
        }
        const exhausted = this.iterations >= this.tree.budgets.maxIterations
          ? new BudgetExceededError('iterations', `the iteration budget (${this.tree.budgets.maxIterations}, --max-iterations) is used up`)
          : this.tree.ledger.exhausted();
        if (exhausted) {
          status = 'budget_exhausted';
          error = exhausted.message;
          break;
        }
        const stepIdx = this.iterations++;
        this.progress({ type: 'iteration', runId: this.runId, depth: this.depth, iteration: this.iterations });
        this.event({ type: 'step_start', step: stepIdx });
        const stepStarted = new Date();
        const reply = await this.callModel(this.env.rootModel, 'root', messages, signal);
        const stepId = randomUUID();
        const { blocks, unclosed } = extractCodeBlocks(reply.text);
        const reports: ReplBlockReport[] = [];
        const ran: string[] = [];
        let note: string | undefined;
        if (blocks.length === 0) {
          const prose = findProseFinal(reply.text);
          if (prose?.kind === 'value') {
            answer = prose.value;
            status = 'succeeded';
          } else if (prose?.kind === 'var') {
            const r = await this.runBlock(`FINAL_VAR(${JSON.stringify(prose.name)})`, stepId, stepIdx, 0);
            ran.push(`FINAL_VAR(${JSON.stringify(prose.name)})`);
            reports.push(r.report);
            if (r.final !== undefined) {
              answer = r.final;
              status = 'succeeded';
            }
          } else {
            note = reply.text.trim() === '' ? `Your reply was empty. ${NO_CODE_NOTE}` : NO_CODE_NOTE;
          }
        }
        for (let i = 0; i < blocks.length && status === 'running'; i++) {
          if (signal.aborted) break;
          const r = await this.runBlock(blocks[i], stepId, stepIdx, i);
          ran.push(blocks[i]);
          reports.push(r.report);
          if (r.final !== undefined) {
            answer = r.final;
            status = 'succeeded';
          } else if (r.report.error) {
            if (r.fatal) note = 'The sandbox was reset: top-level variables from earlier steps are gone.';
            if (i < blocks.length - 1) note = `${note ? `${note} ` : ''}The remaining ${blocks.length - 1 - i} code block(s) of this reply were not run.`;
            break;
          }
        }
        if (unclosed && blocks.length > 0) note = `${note ? `${note} ` : ''}(Your last code block had no closing fence; it was run as written.)`;
        const feedback = formatReplResults(stepIdx + 1, reports, note);
        const totalOut = reports.reduce((n, r) => n + r.outputChars, 0);
        this.env.writer.write({
          table: 'steps',
          row: {
            id: stepId,
            runId: this.runId,
            idx: stepIdx,
            response: reply.text,
            codeBlocks: ran,
            output: this.env.writer.redact(reports.map((r) => r.output).join('\n')).slice(0, LOGGED_OUTPUT_CHARS),
            outputChars: totalOut,
            error: reports.find((r) => r.error)?.error ?? (note && blocks.length === 0 ? note : null),
            startedAt: stepStarted,
            durationMs: Date.now() - stepStarted.getTime(),
          },
        });
        messages.push({ role: 'assistant', content: reply.text }, { role: 'user', content: feedback });
      }
      if (status === 'budget_exhausted') answer = await this.answerNow(messages, signal);
    } catch (err) {
      if (signal.aborted) {
        ({ status, error } = stopped(signal));
        if (status === 'budget_exhausted') answer = await this.answerNow(messages, signal);
      } else if (err instanceof BudgetExceededError) {
        status = 'budget_exhausted';
        error = err.message;
        answer = await this.answerNow(messages, signal);
      } else {
        status = 'failed';
        error = errorMessage(err);
      }
    } finally {
      if (this.session) {
        // The next turn goes on from here: the same REPL, this history.
        this.session.repl = this.repl;
        this.session.messages = messages;
      } else await this.repl?.dispose();
      this.closeLibCalls('the run ended first');
    }
    const ended = new Date();
    this.logRun(status, answer, error, ended);
    this.progress({ type: 'run_end', runId: this.runId, depth: this.depth, status });
    if (answer !== null) this.event({ type: 'answer', answer });
    this.event({
      type: 'run_end',
      status,
      error,
      ...this.totals(),
      durationMs: ended.getTime() - this.startedAt.getTime(),
    });
    return {
      runId: this.runId,
      status,
      answer,
      error,
      iterations: this.iterations,
      llmCalls: this.calls,
      usage: { inputTokens: this.inputTokens, outputTokens: this.outputTokens },
      costUsd: this.cost,
      durationMs: ended.getTime() - this.startedAt.getTime(),
    };
  }

  /** What the run has used so far, as its row and its run_end event carry it. */
  private totals(): { iterations: number; llmCalls: number; inputTokens: number; outputTokens: number; costUsd: number } {
    return { iterations: this.iterations, llmCalls: this.calls, inputTokens: this.inputTokens, outputTokens: this.outputTokens, costUsd: this.cost };
  }

  /**
   * Summarizes a session's older turns with the root model (one budgeted call of kind 'compaction')
   * and replaces them, in place, with the summary; logged as a step with no code. The REPL keeps
   * the data: only the history is shortened.
   */
  private async compact(messages: ChatMessage[], signal: AbortSignal): Promise<void> {
    const plan = compactHistory(messages);
    if (!plan) return;
    const before = historyTokens(messages);
    const count = messages.length;
    const stepIdx = this.iterations++;
    const started = new Date();
    const reply = await this.callModel(this.env.rootModel, 'compaction', plan.request, signal);
    const rebuilt = plan.rebuild(reply.text.trim());
    messages.splice(0, messages.length, ...rebuilt);
    this.env.writer.write({
      table: 'steps',
      row: {
        id: randomUUID(),
        runId: this.runId,
        idx: stepIdx,
        response: reply.text,
        codeBlocks: [],
        output: '',
        outputChars: 0,
        error: null,
        startedAt: started,
        durationMs: Date.now() - started.getTime(),
      },
    });
    this.event({ type: 'compaction', messagesBefore: count, tokensBefore: before, tokensAfter: historyTokens(messages) });
  }

  /**
   * The last "answer now" call after a budget ended the loop; its answer is kept, the status stays.
   * A reply with code runs in the REPL (when it is still alive) so FINAL/FINAL_VAR there count.
   */
  private async answerNow(messages: ChatMessage[], signal: AbortSignal): Promise<string | null> {
    if (signal.aborted && !(signal.reason instanceof BudgetExceededError)) return null;
    try {
      const own = AbortSignal.timeout(60_000);
      const reply = await this.callModel(this.env.rootModel, 'answer_now', [...messages, { role: 'user', content: ANSWER_NOW }], own, { budgeted: false });
      const { blocks } = extractCodeBlocks(reply.text);
      if (blocks.length > 0 && this.repl?.alive) {
        const stepId = randomUUID();
        const started = new Date();
        const reports: ReplBlockReport[] = [];
        let final: string | undefined;
        for (let i = 0; i < blocks.length && final === undefined; i++) {
          const r = await this.runBlock(blocks[i], stepId, this.iterations, i);
          reports.push(r.report);
          final = r.final;
          if (r.report.error) break;
        }
        this.env.writer.write({
          table: 'steps',
          row: {
            id: stepId,
            runId: this.runId,
            idx: this.iterations,
            response: reply.text,
            codeBlocks: blocks.slice(0, reports.length),
            output: this.env.writer.redact(reports.map((r) => r.output).join('\n')).slice(0, LOGGED_OUTPUT_CHARS),
            outputChars: reports.reduce((n, r) => n + r.outputChars, 0),
            error: reports.find((r) => r.error)?.error ?? null,
            startedAt: started,
            durationMs: Date.now() - started.getTime(),
          },
        });
        if (final !== undefined) return final;
      }
      const prose = findProseFinal(blocks.length > 0 ? reply.text.replace(/```[\s\S]*?(```|$)/g, '') : reply.text);
      if (prose?.kind === 'value') return prose.value;
      return reply.text.trim() || null;
    } catch {
      return null;
    }
  }
}

export function startRun(
  env: RunEnvironment,
  tree: RunTree,
  query: string,
  ctx: PreparedContext,
  runId?: string,
  session?: SessionState,
): Promise<RunSummary> {
  return new RunExecution(env, tree, query, ctx, undefined, runId, session).execute();
}
