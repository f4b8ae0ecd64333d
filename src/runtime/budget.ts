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

/** Counting semaphore for in-flight model calls. */
export class Semaphore {
  private waiting: (() => void)[] = [];
  private active = 0;

  constructor(private readonly limit: number) {}

  get inFlight(): number {
    return this.active;
  }

  async acquire(signal?: AbortSignal): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        this.waiting = this.waiting.filter((w) => w !== grant);
        reject(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(): void {
    this.active--;
    const next = this.waiting.shift();
    if (next) next();
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
