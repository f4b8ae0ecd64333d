/**
 * Budgets, enforced on the host. One ledger is shared by a run and all its sub-runs, so a sub-run
 * draws from what its parent has left, counting calls still in flight.
 */
import { DEFAULT_MAX_ANSWER_CHARS } from '../sandbox/repl.js';

export interface Budgets {
  /** Root-model turns per run (each sub-run has its own count). */
  maxIterations: number;
  /** Wall clock of one code block. */
  stepTimeoutMs: number;
  /** Wall clock of the whole run, sub-runs included. */
  runTimeoutMs: number;
  /** CPU time of one run's sandbox. */
  cpuTimeMs: number;
  /** Heap limit of one run's isolate, MB. */
  memoryMb: number;
  /** Characters of one step's output shown to the model (head and tail kept). */
  maxOutputChars: number;
  /** Model calls of the run tree (root, sub-calls and sub-runs). */
  maxLlmCalls: number;
  /** Input + output tokens of the run tree. */
  maxTokens: number;
  /** Cost of the run tree, USD (models with a known price). */
  maxCostUsd: number;
  /** Depth of rlm() sub-runs; at the limit rlm() degrades to llm(). */
  maxDepth: number;
  /** Model calls in flight at once over the run tree. */
  concurrency: number;
  /** Characters of one sub-call's prompt (query + context). */
  maxSubPromptChars: number;
  /** Characters of the answer FINAL/FINAL_VAR may give; a longer one is an error the model sees. */
  maxAnswerChars: number;
  /** Calls of custom tools (tools.<name>) over the run tree; past it a call is an error the code sees. */
  maxToolCalls: number;
}

export const DEFAULT_BUDGETS: Readonly<Budgets> = Object.freeze({
  maxIterations: 20,
  stepTimeoutMs: 120_000,
  runTimeoutMs: 30 * 60_000,
  cpuTimeMs: 10 * 60_000,
  memoryMb: 512,
  maxOutputChars: 12_000,
  maxLlmCalls: 2_000,
  maxTokens: 50_000_000,
  maxCostUsd: 50,
  maxDepth: 2,
  concurrency: 16,
  maxSubPromptChars: 400_000,
  maxAnswerChars: DEFAULT_MAX_ANSWER_CHARS,
  maxToolCalls: 1_000,
});

/** What is wrong with this value of a budget, or undefined: each is a positive finite number; maxDepth may be 0 (no sub-runs). */
export function budgetValueProblem(key: keyof Budgets, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return 'must be a positive finite number';
  if (value === 0 && key !== 'maxDepth') return 'must be more than 0';
  return undefined;
}

export function resolveBudgets(partial: Partial<Budgets> = {}): Budgets {
  const b: Budgets = { ...DEFAULT_BUDGETS };
  for (const [k, v] of Object.entries(partial)) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_BUDGETS)) throw new RangeError(`unknown budget "${k}"`);
    const problem = budgetValueProblem(k as keyof Budgets, v);
    if (problem) throw new RangeError(`budget ${k} ${problem} (got ${String(v)})`);
    (b as unknown as Record<string, number>)[k] = v;
  }
  return b;
}

export type BudgetKind = 'llm_calls' | 'tokens' | 'cost' | 'run_time' | 'iterations' | 'cpu_time';

export class BudgetExceededError extends Error {
  constructor(
    readonly kind: BudgetKind,
    message: string,
  ) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

interface Waiter {
  grant: () => void;
  fail: (reason: Error) => void;
  signal?: AbortSignal;
}

/** Why a wait ended: the signal's reason when it is an Error. */
const abortReason = (signal: AbortSignal): Error => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));

/**
 * Counting semaphore for in-flight model calls. Waiters are granted in the order they came; a
 * waiter whose signal aborts leaves the queue with the signal's reason. One abort listener is added
 * per signal that has waiters, not one per waiter: the items of an llmBatch (1,000 of them) wait on
 * one signal, and each listener added to or removed from an EventTarget scans those already there,
 * as each model call's own signal does when it follows the run's (a CPU profile of a c=32 fan-out
 * spent ~35 ms of the run's thread in those scans).
 */
export class Semaphore {
  private waiting: Waiter[] = [];
  private active = 0;
  /** Per signal with waiters: how many, and its one listener. */
  private readonly watched = new Map<AbortSignal, { waiters: number; onAbort: () => void }>();

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    if (signal?.aborted) throw abortReason(signal);
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({ grant: resolve, fail: reject, signal });
      if (signal) this.watch(signal);
    });
  }

  release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (!next) return;
    if (next.signal) this.unwatch(next.signal);
    this.active++;
    next.grant();
  }

  private watch(signal: AbortSignal): void {
    const w = this.watched.get(signal);
    if (w) {
      w.waiters++;
      return;
    }
    const onAbort = (): void => {
      this.watched.delete(signal);
      const leaving = this.waiting.filter((x) => x.signal === signal);
      this.waiting = this.waiting.filter((x) => x.signal !== signal);
      const reason = abortReason(signal);
      for (const x of leaving) x.fail(reason);
    };
    this.watched.set(signal, { waiters: 1, onAbort });
    signal.addEventListener('abort', onAbort, { once: true });
  }

  private unwatch(signal: AbortSignal): void {
    const w = this.watched.get(signal);
    if (!w) return;
    if (--w.waiters > 0) return;
    this.watched.delete(signal);
    signal.removeEventListener('abort', w.onAbort);
  }
}

/** What a run tree has spent; shared by a run and its sub-runs. */
export class BudgetLedger {
  /** Calls started (finished or in flight). */
  calls = 0;
  /** Custom tool calls started. */
  toolCalls = 0;
  tokens = 0;
  costUsd = 0;
  readonly deadline: number;
  readonly semaphore: Semaphore;

  constructor(
    readonly budgets: Budgets,
    startedAt = Date.now(),
  ) {
    this.deadline = startedAt + budgets.runTimeoutMs;
    this.semaphore = new Semaphore(budgets.concurrency);
  }

  get inFlight(): number {
    return this.semaphore.inFlight;
  }

  remainingMs(): number {
    return this.deadline - Date.now();
  }

  /** The first budget that is used up, if any. */
  exhausted(): BudgetExceededError | undefined {
    const b = this.budgets;
    if (this.remainingMs() <= 0) return new BudgetExceededError('run_time', `the run time budget (${b.runTimeoutMs} ms, --run-timeout-ms) is used up`);
    if (this.calls >= b.maxLlmCalls) return new BudgetExceededError('llm_calls', `the model call budget (${b.maxLlmCalls} calls, --max-llm-calls) is used up`);
    if (this.tokens >= b.maxTokens) return new BudgetExceededError('tokens', `the token budget (${b.maxTokens} tokens, --max-tokens) is used up`);
    if (this.costUsd >= b.maxCostUsd) return new BudgetExceededError('cost', `the cost budget ($${b.maxCostUsd}, --max-cost-usd) is used up`);
    return undefined;
  }

  /** Counts a call before it starts; throws when no budget is left for it. */
  reserveCall(): void {
    const ex = this.exhausted();
    if (ex) throw ex;
    this.calls++;
  }

  /** Counts a tool call before it starts; returns the error message when the tool call budget is used up. */
  reserveToolCall(): string | undefined {
    if (this.toolCalls >= this.budgets.maxToolCalls) return `the tool call budget (${this.budgets.maxToolCalls} calls, --max-tool-calls) is used up`;
    this.toolCalls++;
    return undefined;
  }

  settle(tokens: number, costUsd: number): void {
    this.tokens += tokens;
    this.costUsd += costUsd;
  }
}
