/**
 * The demo: a mixed workload of the six simulated task families through the logged RLM runtime,
 * then the direct baseline, then the summary (`accrete demo`, `npm run demo`; the same workload is
 * `accrete bench families`). Later phases (mine, promote, rerun with the library) are in
 * ./accumulation.ts. The models come from the caller: the simulated pair unless a model is named
 * or an endpoint is configured (the CLI resolves that from flags and environment).
 */
import type { Database } from '../db/connection.js';
import { DEFAULT_ROOT_MODEL, DEFAULT_SUB_MODEL, hasOpenAIConfig, type ModelConfig } from '../models/resolve.js';
import type { Budgets } from '../runtime/budget.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { DEFAULT_LEAF_WINDOW } from '../sim/leaf-model.js';
import { registerSimProvider } from '../sim/spec.js';
import type { FamilyName } from '../sim/types.js';
import { buildWorkload } from '../sim/workloads.js';
import { type FamilyMetrics, type MachineInfo, machineInfo, summarize } from './scoring.js';
import { type DirectTaskResult, runDirectWorkload, runWorkload, type TaskResult, type WorkloadProgress } from './workload.js';

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
 * is named and no endpoint is configured (`openai.apiKey` / `openai.baseURL`) or when `simulated`
 * is set; otherwise the named models, defaulting to the runtime's defaults.
 */
export function chooseDemoModels(choice: DemoModelChoice): DemoModels {
  const useSim = choice.simulated === true || (!choice.model && !choice.subModel && !hasOpenAIConfig(choice.openai ?? {}, {}));
  if (useSim) {
    const params = new URLSearchParams({ seed: String(choice.seed ?? DEMO_DEFAULTS.seed), window: String(choice.window ?? DEMO_DEFAULTS.window) });
    const leaf = new URLSearchParams(params);
    if (choice.errorRate !== undefined) leaf.set('errorRate', String(choice.errorRate));
    return { simulated: true, rootSpec: `sim:root?${params}`, subSpec: `sim:leaf?${leaf}` };
  }
  const rootSpec = choice.model ?? DEFAULT_ROOT_MODEL;
  const subSpec = choice.subModel ?? (rootSpec.startsWith('sim:') ? 'sim:leaf' : DEFAULT_SUB_MODEL);
  const simulated = rootSpec.startsWith('sim:') && subSpec.startsWith('sim:');
  return { simulated, rootSpec, subSpec, baseURL: simulated ? undefined : choice.openai?.baseURL };
}

export interface DemoOptions extends DemoModelChoice {
  /** Database location or an open database (default: ./.accrete/db). */
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
  if (chosen.simulated) registerSimProvider();
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
