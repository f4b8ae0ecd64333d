/**
 * The offline demo and the workload-benchmark building blocks.
 *
 * - `runWorkload(runtime, tasks, opts)` runs tasks through the logged RLM runtime (bounded
 *   concurrency), scores every answer against its ground truth and reads the root model's token
 *   use of each run tree from the database -> `TaskResult[]`.
 * - `runDirectWorkload(tasks, model, opts)` runs the "direct" baseline (one call, the input cut to
 *   a window; see ./direct.ts) for the same tasks -> `DirectTaskResult[]`.
 * - `summarize(results, direct?)` -> per-family and overall `FamilyMetrics`.
 * - `runDemo(options)` puts them together: workload, runtime (simulated models unless a real
 *   endpoint is configured), the RLM phase, the direct phase, the summary. Later phases (mine,
 *   promote, rerun with the library) are more calls of `runWorkload` on the same runtime/database.
 *
 * Metric definitions (FamilyMetrics):
 * - accuracy / directAccuracy: the mean family score in [0, 1] (./scoring.ts; exact-match families
 *   score 0 or 1, set families F1); a run without an answer scores 0.
 * - llmCalls, iterations, inputTokens, outputTokens: means per run of the RunSummary figures, which
 *   cover the whole run tree (root turns, answer-now, sub-calls and rlm() sub-runs).
 * - rootInputTokens / rootOutputTokens: means per run of the tokens of the calls made with the
 *   root model, i.e. the llm_calls rows of kind 'root' and 'answer_now' of every run of the tree
 *   (rlm() sub-runs use the root model too), read from the database after the run. While the
 *   database is unreachable (records spooled) they read 0.
 * - wallMs: mean wall clock of one run as the caller saw it (runtime.run, including the trace
 *   flush); with concurrency > 1 runs overlap, so it is not the phase time divided by runs.
 * - direct*: the same for the direct baseline (one model call per task).
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../db/connection.js';
import { llmCalls, runs, type RunStatus } from '../db/schema.js';
import { DEFAULT_ROOT_MODEL, DEFAULT_SUB_MODEL, hasOpenAIConfig, type ModelConfig } from '../models/resolve.js';
import type { ModelClient } from '../models/types.js';
import type { Budgets } from '../runtime/budget.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { runDirect } from './direct.js';
import { DEFAULT_LEAF_WINDOW } from './leaf-model.js';
import { FAMILY_NAMES, type FamilyName, type Task } from './types.js';
import { buildWorkload, scoreTask } from './workloads.js';

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

/** Figures of a group of runs; counts and tokens are means per run. */
export interface FamilyMetrics {
  runs: number;
  /** Mean score of the RLM runs, in [0, 1]. */
  accuracy: number;
  /** Mean score of the direct baseline on the same tasks; null when it was not run. */
  directAccuracy: number | null;
  llmCalls: number;
  rootInputTokens: number;
  rootOutputTokens: number;
  inputTokens: number;
  outputTokens: number;
  iterations: number;
  wallMs: number;
  /** Runs that did not end with status succeeded (their answer may still have scored). */
  failedRuns: number;
  /** Means per task of the direct baseline; null when it was not run. */
  directInputTokens: number | null;
  directOutputTokens: number | null;
  directWallMs: number | null;
}

export interface WorkloadSummary {
  /** Families in FAMILY_NAMES order, only those with runs. */
  families: Partial<Record<FamilyName, FamilyMetrics>>;
  overall: FamilyMetrics;
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
async function pool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
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

/**
 * Root-model tokens per root run id: the llm_calls of kind root / answer_now of every run whose
 * root_run_id is one of `rootRunIds`.
 */
export async function rootModelUsage(database: Database, rootRunIds: readonly string[]): Promise<Map<string, { inputTokens: number; outputTokens: number }>> {
  const usage = new Map<string, { inputTokens: number; outputTokens: number }>();
  const BATCH = 500;
  for (let i = 0; i < rootRunIds.length; i += BATCH) {
    const ids = rootRunIds.slice(i, i + BATCH);
    const rows = await database.db
      .select({
        rootRunId: runs.rootRunId,
        inputTokens: sql<number>`coalesce(sum(${llmCalls.inputTokens}), 0)`.mapWith(Number),
        outputTokens: sql<number>`coalesce(sum(${llmCalls.outputTokens}), 0)`.mapWith(Number),
      })
      .from(llmCalls)
      .innerJoin(runs, eq(runs.id, llmCalls.runId))
      .where(and(inArray(runs.rootRunId, ids), inArray(llmCalls.kind, ['root', 'answer_now'])))
      .groupBy(runs.rootRunId);
    for (const r of rows) usage.set(r.rootRunId, { inputTokens: r.inputTokens, outputTokens: r.outputTokens });
  }
  return usage;
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

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
/** Milliseconds to 0.1 ms. */
const msMean = (xs: readonly number[]): number => Math.round(mean(xs) * 10) / 10;

function metricsOf(results: readonly TaskResult[], direct: readonly DirectTaskResult[] | undefined): FamilyMetrics {
  const hasDirect = direct !== undefined && direct.length > 0;
  const d = direct ?? [];
  return {
    runs: results.length,
    accuracy: mean(results.map((r) => r.score)),
    directAccuracy: hasDirect ? mean(d.map((r) => r.score)) : null,
    llmCalls: mean(results.map((r) => r.llmCalls)),
    rootInputTokens: mean(results.map((r) => r.rootInputTokens)),
    rootOutputTokens: mean(results.map((r) => r.rootOutputTokens)),
    inputTokens: mean(results.map((r) => r.inputTokens)),
    outputTokens: mean(results.map((r) => r.outputTokens)),
    iterations: mean(results.map((r) => r.iterations)),
    wallMs: msMean(results.map((r) => r.wallMs)),
    failedRuns: results.filter((r) => r.status !== 'succeeded').length,
    directInputTokens: hasDirect ? mean(d.map((r) => r.inputTokens)) : null,
    directOutputTokens: hasDirect ? mean(d.map((r) => r.outputTokens)) : null,
    directWallMs: hasDirect ? msMean(d.map((r) => r.wallMs)) : null,
  };
}

/**
 * Per-family and overall metrics. `direct`, when given, is matched to the results by task id
 * (only direct results of tasks in `results` count).
 */
export function summarize(results: readonly TaskResult[], direct?: readonly DirectTaskResult[]): WorkloadSummary {
  const ids = new Set(results.map((r) => r.taskId));
  const matched = direct?.filter((d) => ids.has(d.taskId));
  const families: Partial<Record<FamilyName, FamilyMetrics>> = {};
  for (const name of FAMILY_NAMES) {
    const rs = results.filter((r) => r.family === name);
    if (rs.length === 0) continue;
    families[name] = metricsOf(rs, matched?.filter((d) => d.family === name));
  }
  return { families, overall: metricsOf(results, matched) };
}

export interface MachineInfo {
  platform: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    platform: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpus: typeof os.availableParallelism === 'function' ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
  };
}

// ---------------------------------------------------------------------------------------------
// The demo

/**
 * The default workload: 6 families x 6 sizes x 3 = 108 tasks, 20 KB to 1 MB (2.5x to 125x the
 * leaf's window), 32 MB of input. Measured with the simulated models on 2 cores (Xeon, Node 20):
 * about 10 s of runs and 15 s in all from a fresh embedded database - far inside the 3-minute
 * budget, so slower machines have room.
 */
export const DEMO_DEFAULTS = Object.freeze({
  seed: 1,
  perFamily: 5,
  sizes: Object.freeze([20_000, 50_000, 100_000, 200_000]) as readonly number[],
  concurrency: 4,
  window: DEFAULT_LEAF_WINDOW,
});

export interface DemoModels {
  /** True for the simulated models (sim-root / sim-leaf). */
  simulated: boolean;
  /** Model specs given to the runtime. */
  rootSpec: string;
  subSpec: string;
  /** The OpenAI-compatible endpoint, when real models are used (undefined: OpenAI). */
  baseURL?: string;
}

export interface DemoModelChoice {
  model?: string;
  subModel?: string;
  openai?: ModelConfig;
  /** Use the simulated models even when an endpoint is configured. */
  simulated?: boolean;
  seed?: number;
  window?: number;
  /** The simulated leaf's error rate (default: the leaf's, 2%). */
  errorRate?: number;
}

/**
 * Which models the demo uses: the simulated pair (with the demo's seed and window) when no model
 * is named and no endpoint is configured (OPENAI_API_KEY, OPENAI_BASE_URL, --base-url) or when
 * `simulated` is set; otherwise the named models, defaulting to the runtime's defaults.
 */
export function chooseDemoModels(choice: DemoModelChoice, env: NodeJS.ProcessEnv = process.env): DemoModels {
  const useSim = choice.simulated === true || (!choice.model && !choice.subModel && !hasOpenAIConfig(choice.openai ?? {}, env));
  if (useSim) {
    const params = new URLSearchParams({ seed: String(choice.seed ?? DEMO_DEFAULTS.seed), window: String(choice.window ?? DEMO_DEFAULTS.window) });
    const leaf = new URLSearchParams(params);
    if (choice.errorRate !== undefined) leaf.set('errorRate', String(choice.errorRate));
    return { simulated: true, rootSpec: `sim:root?${params}`, subSpec: `sim:leaf?${leaf}` };
  }
  const rootSpec = choice.model ?? env.ACCRETE_MODEL ?? DEFAULT_ROOT_MODEL;
  const subSpec = choice.subModel ?? env.ACCRETE_SUB_MODEL ?? (rootSpec.startsWith('sim:') ? 'sim:leaf' : DEFAULT_SUB_MODEL);
  const simulated = rootSpec.startsWith('sim:') && subSpec.startsWith('sim:');
  return { simulated, rootSpec, subSpec, baseURL: simulated ? undefined : (choice.openai?.baseURL ?? env.OPENAI_BASE_URL) };
}

export interface DemoOptions extends DemoModelChoice {
  /** Database location or an open database (default: $ACCRETE_DB, $DATABASE_URL, ./.accrete/db). */
  db?: string | Database;
  /** Tasks per family and size. */
  perFamily?: number;
  /** Context sizes in bytes (10 KB .. 10 MB). */
  sizes?: readonly number[];
  families?: readonly FamilyName[];
  /** Runs at once (default 4). */
  concurrency?: number;
  /** Characters of each input the direct baseline sends (default: the window for the simulated models, 100,000 for real ones). */
  directChars?: number;
  /** Skip the direct baseline. */
  skipDirect?: boolean;
  budgets?: Partial<Budgets>;
  /** A phase starts; `total` is its number of tasks. */
  onPhase?: (phase: DemoPhase, detail: string, total?: number) => void;
  onProgress?: (phase: DemoPhase, progress: WorkloadProgress) => void;
  signal?: AbortSignal;
  /** Use this runtime (its database and models) instead of opening one; it is not closed. */
  runtime?: Runtime;
}

export type DemoPhase = 'open' | 'rlm' | 'direct';

export interface DemoReport {
  models: { simulated: boolean; root: string; sub: string; rootSpec: string; subSpec: string; baseURL?: string };
  database: string;
  workload: { seed: number; perFamily: number; sizes: number[]; tasks: number; totalBytes: number; concurrency: number; directChars: number };
  families: Partial<Record<FamilyName, FamilyMetrics>>;
  overall: FamilyMetrics;
  /** Wall clock of each phase, ms. */
  phases: { name: DemoPhase; ms: number }[];
  totalMs: number;
  /** Cost of the RLM runs (models with a known price), USD. */
  costUsd: number;
  machine: MachineInfo;
  results: TaskResult[];
  direct: DirectTaskResult[];
  /** True when the demo was interrupted (the figures cover what finished). */
  interrupted: boolean;
}

/** The real-model default for the direct baseline's input cut (about 25k tokens). */
export const REAL_MODEL_DIRECT_CHARS = 100_000;

/** The demo: the workload through the logged RLM runtime, the direct baseline, the summary. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const seed = options.seed ?? DEMO_DEFAULTS.seed;
  const perFamily = options.perFamily ?? DEMO_DEFAULTS.perFamily;
  const sizes = [...(options.sizes ?? DEMO_DEFAULTS.sizes)];
  const concurrency = options.concurrency ?? DEMO_DEFAULTS.concurrency;
  const window = options.window ?? DEMO_DEFAULTS.window;
  const started = performance.now();
  const phases: { name: DemoPhase; ms: number }[] = [];
  const timed = async <T>(name: DemoPhase, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      phases.push({ name, ms: Math.round(performance.now() - t0) });
    }
  };

  const given = options.runtime;
  const chosen: DemoModels = given
    ? { simulated: given.rootModel.provider === 'sim' && given.subModel.provider === 'sim', rootSpec: given.rootModel.model, subSpec: given.subModel.model }
    : chooseDemoModels({ ...options, seed, window });
  const directChars = options.directChars ?? (chosen.simulated ? window : REAL_MODEL_DIRECT_CHARS);
  const tasks = buildWorkload({ seed, perFamily, sizes, families: options.families });

  let runtime: Runtime;
  if (given) runtime = given;
  else {
    options.onPhase?.('open', typeof options.db === 'object' ? options.db.location : (options.db ?? 'the default database'));
    runtime = await timed('open', () =>
      createRuntime({
        db: options.db,
        model: chosen.rootSpec,
        subModel: chosen.subSpec,
        openai: options.openai,
        budgets: options.budgets,
        // One ready sandbox process per concurrent run.
        warmSandboxes: Math.max(1, Math.min(concurrency, 8)),
      }),
    );
  }
  try {
    options.onPhase?.('rlm', `${tasks.length} tasks, ${concurrency} at a time`, tasks.length);
    const results = await timed('rlm', () =>
      runWorkload(runtime, tasks, { concurrency, signal: options.signal, budgets: given ? options.budgets : undefined, onProgress: (p) => options.onProgress?.('rlm', p) }),
    );
    let direct: DirectTaskResult[] = [];
    if (!options.skipDirect && !options.signal?.aborted) {
      options.onPhase?.('direct', `${tasks.length} tasks`, tasks.length);
      direct = await timed('direct', () =>
        runDirectWorkload(tasks, runtime.subModel, { windowChars: directChars, concurrency, signal: options.signal, onProgress: (p) => options.onProgress?.('direct', p) }),
      );
    }
    const interrupted = options.signal?.aborted === true;
    // Interrupted: the runs cancelled mid-way are logged but not counted.
    const summary = summarize(interrupted ? results.filter((r) => r.status !== 'cancelled') : results, direct);
    return {
      models: { simulated: chosen.simulated, root: runtime.rootModel.model, sub: runtime.subModel.model, rootSpec: chosen.rootSpec, subSpec: chosen.subSpec, baseURL: chosen.baseURL },
      database: runtime.database.location,
      workload: { seed, perFamily, sizes, tasks: tasks.length, totalBytes: tasks.reduce((n, t) => n + t.context.length, 0), concurrency, directChars },
      families: summary.families,
      overall: summary.overall,
      phases,
      totalMs: Math.round(performance.now() - started),
      costUsd: results.reduce((n, r) => n + r.costUsd, 0),
      machine: machineInfo(),
      results,
      direct,
      interrupted,
    };
  } finally {
    if (!given) await runtime.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

const pct = (x: number | null): string => (x === null ? '-' : `${Math.round(x * 100)}%`);
const round = (x: number): string => (x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(1));
const secs = (msv: number): string => (msv < 1_000 ? `${Math.round(msv)} ms` : `${(msv / 1_000).toFixed(2)} s`);

/** Rows of the per-family table (plus an "all" row): header and cells, plain strings. */
export function summaryTable(summary: WorkloadSummary): { header: string[]; rows: string[][] } {
  const header = ['family', 'runs', 'RLM acc', 'direct acc', 'calls/run', 'iters/run', 'tokens in/out per run', 'root in/out per run', 'time/run'];
  const row = (name: string, m: FamilyMetrics): string[] => [
    name,
    String(m.runs),
    pct(m.accuracy),
    pct(m.directAccuracy),
    round(m.llmCalls),
    round(m.iterations),
    `${round(m.inputTokens)} / ${round(m.outputTokens)}`,
    `${round(m.rootInputTokens)} / ${round(m.rootOutputTokens)}`,
    secs(m.wallMs),
  ];
  const rows: string[][] = [];
  for (const name of FAMILY_NAMES) {
    const m = summary.families[name];
    if (m) rows.push(row(name, m));
  }
  rows.push(row('all', summary.overall));
  return { header, rows };
}

/** Parses "20k,50KB,1.5m,30000" into byte sizes within 10 KB .. 10 MB. */
export function parseSizes(text: string): number[] {
  const sizes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\d+(?:\.\d+)?)\s*(k|kb|m|mb|b)?$/i.exec(s);
      if (!m) throw new RangeError(`"${s}" is not a size: write bytes (30000) or with k / m (30k, 1.5m)`);
      const unit = (m[2] ?? 'b').toLowerCase();
      const n = Math.round(Number(m[1]) * (unit.startsWith('k') ? 1_000 : unit.startsWith('m') ? 1_000_000 : 1));
      if (n < 10_000 || n > 10_000_000) throw new RangeError(`size ${s} is out of range: the workload families make inputs of 10k to 10m bytes`);
      return n;
    });
  if (sizes.length === 0) throw new RangeError('no sizes given: e.g. --sizes 20k,100k,400k');
  return sizes;
}
