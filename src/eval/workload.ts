/**
 * The workload runner: tasks through the logged RLM runtime (bounded concurrency), every answer
 * scored against its ground truth, and the root model's token use of each run tree read from the
 * database; and the "direct" baseline (one call per task, the input cut to a window) for the same
 * tasks. Metric definitions: ./scoring.ts.
 */
import { randomUUID } from 'node:crypto';
import type { RunStatus } from '../db/schema.js';
import { rootModelUsage } from '../db/queries.js';
import type { ModelClient } from '../models/types.js';
import type { Budgets } from '../runtime/budget.js';
import type { Runtime } from '../runtime/runtime.js';
import { runDirect } from '../sim/direct.js';
import type { FamilyName, Task } from '../sim/types.js';
import { scoreTask } from '../sim/workloads.js';

/** One task run through the RLM runtime, scored. */
export interface TaskResult {
  taskId: string;
  family: FamilyName;
  /** Size of the task's context in bytes. */
  bytes: number;
  runId: string;
  status: RunStatus;
  answer: string | null;
  error: string | null;
  /** The family score of the answer, in [0, 1]. */
  score: number;
  iterations: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  /** Tokens of the root model's calls over the run tree (see the module doc). */
  rootInputTokens: number;
  rootOutputTokens: number;
  costUsd: number;
  wallMs: number;
}

/** One task answered by the direct baseline, scored. */
export interface DirectTaskResult {
  taskId: string;
  family: FamilyName;
  bytes: number;
  answer: string | null;
  error: string | null;
  score: number;
  inputTokens: number;
  outputTokens: number;
  wallMs: number;
}

export interface WorkloadProgress {
  done: number;
  total: number;
}

export interface RunWorkloadOptions {
  /** Tasks run at once (default 4). */
  concurrency?: number;
  /** Called after every finished task with the count so far and that task's result. */
  onProgress?: (progress: WorkloadProgress, result: TaskResult) => void;
  /** Stops starting new tasks and cancels the running ones (they are logged as cancelled). */
  signal?: AbortSignal;
  /** Per-run budget overrides. */
  budgets?: Partial<Budgets>;
}

const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));
const safeScore = (task: Task, answer: string | null): number => {
  if (answer === null) return 0;
  try {
    return scoreTask(task, answer);
  } catch {
    return 0;
  }
};

/** Runs `work` over `items` with at most `concurrency` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const i = next++;
      out[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length)) }, worker));
  return out.filter((r) => r !== undefined);
}

/** Runs every task through the runtime (logged), scores the answers; results in task order. */
export async function runWorkload(runtime: Runtime, tasks: readonly Task[], options: RunWorkloadOptions = {}): Promise<TaskResult[]> {
  let done = 0;
  const results = await pool(
    tasks,
    options.concurrency ?? 4,
    async (task): Promise<TaskResult> => {
      const runId = randomUUID();
      const started = performance.now();
      let result: TaskResult;
      try {
        const s = await runtime.run({ query: task.query, context: task.context, runId, signal: options.signal, budgets: options.budgets });
        result = {
          taskId: task.id,
          family: task.family,
          bytes: task.context.length,
          runId: s.runId,
          status: s.status,
          answer: s.answer,
          error: s.error,
          score: safeScore(task, s.answer),
          iterations: s.iterations,
          llmCalls: s.llmCalls,
          inputTokens: s.usage.inputTokens,
          outputTokens: s.usage.outputTokens,
          rootInputTokens: 0,
          rootOutputTokens: 0,
          costUsd: s.costUsd,
          wallMs: performance.now() - started,
        };
      } catch (err) {
        result = {
          taskId: task.id,
          family: task.family,
          bytes: task.context.length,
          runId,
          status: 'failed',
          answer: null,
          error: errorMessage(err),
          score: 0,
          iterations: 0,
          llmCalls: 0,
          inputTokens: 0,
          outputTokens: 0,
          rootInputTokens: 0,
          rootOutputTokens: 0,
          costUsd: 0,
          wallMs: performance.now() - started,
        };
      }
      done++;
      options.onProgress?.({ done, total: tasks.length }, result);
      return result;
    },
    options.signal,
  );
  await runtime.flush();
  try {
    const usage = await rootModelUsage(runtime.database, results.map((r) => r.runId));
    for (const r of results) {
      const u = usage.get(r.runId);
      if (u) {
        r.rootInputTokens = u.inputTokens;
        r.rootOutputTokens = u.outputTokens;
      }
    }
  } catch {
    /* the database is unreachable: the records are spooled, root tokens stay 0 */
  }
  return results;
}

export interface DirectWorkloadOptions {
  /** Characters of each input sent (head kept). Default 8000, the sim leaf's window. */
  windowChars?: number;
  /** Calls at once (default 4). */
  concurrency?: number;
  onProgress?: (progress: WorkloadProgress, result: DirectTaskResult) => void;
  signal?: AbortSignal;
}

/** The direct baseline over the tasks: one call each, the input cut to the window. */
export async function runDirectWorkload(tasks: readonly Task[], model: ModelClient, options: DirectWorkloadOptions = {}): Promise<DirectTaskResult[]> {
  let done = 0;
  return pool(
    tasks,
    options.concurrency ?? 4,
    async (task): Promise<DirectTaskResult> => {
      const started = performance.now();
      let result: DirectTaskResult;
      try {
        const r = await runDirect(task, model, { windowChars: options.windowChars, signal: options.signal });
        result = {
          taskId: task.id,
          family: task.family,
          bytes: task.context.length,
          answer: r.answer,
          error: null,
          score: safeScore(task, r.answer),
          inputTokens: r.usage.inputTokens,
          outputTokens: r.usage.outputTokens,
          wallMs: r.ms,
        };
      } catch (err) {
        result = { taskId: task.id, family: task.family, bytes: task.context.length, answer: null, error: errorMessage(err), score: 0, inputTokens: 0, outputTokens: 0, wallMs: performance.now() - started };
      }
      done++;
      options.onProgress?.({ done, total: tasks.length }, result);
      return result;
    },
    options.signal,
  );
}

