/**
 * The accumulation benchmark: what one phase of runs discovered, is it worth something to the next?
 * Phase 1 runs a workload of recurring families with a fresh (empty) library; one mining pass
 * proposes functions, which the benchmark merges (the benchmark only — accrete never merges);
 * phase 2 runs held-out instances of the same families with the library loaded. Figures side by
 * side per family and overall. Simulated models by default; `model`/`subModel` point it at real ones.
 *
 * Run: `accrete bench accumulation [--json]` or `npx tsx bench/accumulation.ts [--json]`; the demo
 * runs `accumulate` after its phase 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMining, type MiningReport } from '../../miner/pipeline.js';
import { type Database, openDatabase } from '../db/connection.js';
import { runsCallingLibrary } from '../db/queries.js';
import { MAIN_BRANCH, MANIFEST_FILE, type LibraryManifest } from '../library/format.js';
import { GitError, git } from '../library/git.js';
import type { ModelConfig } from '../models/resolve.js';
import { createRuntime } from '../runtime/runtime.js';
import { registerSimProvider } from '../sim/spec.js';
import { FAMILY_NAMES, type FamilyName } from '../sim/types.js';
import { buildWorkload } from '../sim/workloads.js';
import type { LibraryListing } from '../contracts/listing.js';
import { runWorkload, type TaskResult } from './workload.js';

/** The figures of one phase (means per run, shares in [0, 1]). */
export interface PhaseMetrics {
  runs: number;
  accuracy: number;
  rootInputTokens: number;
  rootOutputTokens: number;
  iterations: number;
  subCalls: number;
  wallMs: number;
  libraryCallShare: number;
}

export interface AccumulationOptions {
  seed?: number;
  perFamily?: number;
  sizes?: number[];
  families?: FamilyName[];
  concurrency?: number;
  model?: string;
  subModel?: string;
  /** The OpenAI-compatible endpoint and key, for real models. */
  openai?: ModelConfig;
  /** Database location (default: in memory). */
  db?: string;
  /** Run the held-out tasks without the library too (default true): the library's effect on the same tasks. */
  control?: boolean;
  onProgress?: (text: string) => void;
}

export interface AccumulationReport {
  phase1: PhaseMetrics;
  phase2: PhaseMetrics;
  /** The held-out tasks of phase 2 run again without the library: what the library changed, on the same tasks. */
  control?: PhaseMetrics;
  perFamily: Record<string, { phase1: PhaseMetrics; phase2: PhaseMetrics; control?: PhaseMetrics }>;
  mining: { candidates: number; proposed: string[]; merged: string[]; rejected: number; rejections: { clusterId: string; reason: string }[] };
  workload: { seed: number; heldOutSeed: number; perFamily: number; sizes: number[]; families: string[] };
  models: { root: string; sub: string };
  /** The library phase 2 loaded, as its runs' system prompts list it (name, signature, doc). */
  library: LibraryListing[];
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function metrics(results: TaskResult[], withLibrary: Set<string>): PhaseMetrics {
  return {
    runs: results.length,
    accuracy: mean(results.map((r) => r.score)),
    rootInputTokens: mean(results.map((r) => r.rootInputTokens)),
    rootOutputTokens: mean(results.map((r) => r.rootOutputTokens)),
    iterations: mean(results.map((r) => r.iterations)),
    subCalls: mean(results.map((r) => Math.max(0, r.llmCalls - r.iterations))),
    wallMs: mean(results.map((r) => r.wallMs)),
    libraryCallShare: results.length ? results.filter((r) => withLibrary.has(r.runId)).length / results.length : 0,
  };
}

/**
 * Merges proposal branches into main, as a reviewer would (the benchmark only). Each proposal
 * edits manifest.json, so a later merge may conflict there: the manifests' function entries are
 * united, everything else must merge cleanly.
 */
export async function mergeProposals(dir: string, branches: string[]): Promise<string[]> {
  const merged: string[] = [];
  await git(dir, ['checkout', '-q', MAIN_BRANCH]);
  for (const branch of branches) {
    try {
      await git(dir, ['merge', '-q', '--no-ff', '-m', `Merge ${branch} (accumulation benchmark)`, branch]);
    } catch (err) {
      if (!(err instanceof GitError)) throw err;
      const conflicted = (await git(dir, ['diff', '--name-only', '--diff-filter=U'])).split('\n').filter(Boolean);
      if (conflicted.some((f) => f !== MANIFEST_FILE)) {
        await git(dir, ['merge', '--abort']);
        continue;
      }
      const ours = JSON.parse(await git(dir, ['show', `${MAIN_BRANCH}:${MANIFEST_FILE}`])) as LibraryManifest;
      const theirs = JSON.parse(await git(dir, ['show', `${branch}:${MANIFEST_FILE}`])) as LibraryManifest;
      const union: LibraryManifest = { ...ours, functions: { ...ours.functions, ...theirs.functions } };
      writeFileSync(join(dir, MANIFEST_FILE), `${JSON.stringify(union, null, 2)}\n`);
      await git(dir, ['add', MANIFEST_FILE]);
      await git(dir, ['commit', '-q', '--no-edit']);
    }
    merged.push(branch);
  }
  return merged;
}

export interface AccumulateOptions {
  /** Phase 1 as it ran (the runs are in `database`). */
  phase1: TaskResult[];
  /** The library repository to mine into (created if missing). */
  libraryDir: string;
  model: string;
  subModel?: string;
  /** The OpenAI-compatible endpoint and key, for real models. */
  openai?: ModelConfig;
  /** Phase 2 runs held-out instances of this workload (seed + 1000). */
  workload: { seed: number; perFamily: number; sizes: number[]; families: FamilyName[] };
  concurrency?: number;
  onProgress?: (text: string) => void;
  /** Called with each proposal before the benchmark merges it. */
  onProposal?: (p: { name: string; version: string; branch: string; bodyFile: string }) => void;
  /** Also run phase 2's held-out tasks without the library (the control), so the library's effect is measured on the same tasks. */
  control?: boolean;
}

/**
 * After a phase 1: one mining pass, merge its proposals (benchmark and demo only: accrete never
 * merges by itself), then phase 2 on held-out instances with the library loaded.
 */
export async function accumulate(database: Database, options: AccumulateOptions): Promise<AccumulationReport> {
  const say = options.onProgress ?? (() => {});
  if (options.model.startsWith('sim:')) registerSimProvider();
  const { seed, perFamily, sizes, families } = options.workload;
  const heldOutSeed = seed + 1_000;
  say('mining: cluster, generalize, verify, propose');
  const mining: MiningReport = await runMining(database, { libraryDir: options.libraryDir, github: false });
  const fresh = mining.proposals.filter((p) => p.status === 'proposed');
  for (const p of fresh) options.onProposal?.({ name: p.name, version: p.version, branch: p.branch, bodyFile: join(options.libraryDir, '.git', 'accrete', 'pr', `${p.name}-${p.version}.md`) });
  const merged = fresh.length ? await mergeProposals(options.libraryDir, fresh.map((p) => p.branch)) : [];
  say(`merged ${merged.length} of ${fresh.length} proposals into the library's main`);
  const rt2 = await createRuntime({ db: database, model: options.model, subModel: options.subModel, openai: options.openai, library: { dir: options.libraryDir } });
  const tasks2 = buildWorkload({ seed: heldOutSeed, perFamily, sizes, families });
  const results2 = await runWorkload(rt2, tasks2, { concurrency: options.concurrency ?? 4, onProgress: (p) => say(`phase 2 (with the library): ${p.done}/${p.total}`) });
  const library = (rt2.library?.functions ?? []).map(({ name, signature, doc }) => ({ name, signature, doc }));
  await rt2.close();
  let control: TaskResult[] | undefined;
  if (options.control) {
    const rt0 = await createRuntime({ db: database, model: options.model, subModel: options.subModel, openai: options.openai, library: false });
    control = await runWorkload(rt0, tasks2, { concurrency: options.concurrency ?? 4, onProgress: (p) => say(`control (the held-out tasks without the library): ${p.done}/${p.total}`) });
    await rt0.close();
  }
  const none = new Set<string>();
  const lib1 = await runsCallingLibrary(database, options.phase1.map((r) => r.runId));
  const lib2 = await runsCallingLibrary(database, results2.map((r) => r.runId));
  const perFamilyReport: AccumulationReport['perFamily'] = {};
  for (const f of families) {
    perFamilyReport[f] = {
      phase1: metrics(options.phase1.filter((r) => r.family === f), lib1),
      phase2: metrics(results2.filter((r) => r.family === f), lib2),
      ...(control ? { control: metrics(control.filter((r) => r.family === f), none) } : {}),
    };
  }
  return {
    phase1: metrics(options.phase1, lib1),
    phase2: metrics(results2, lib2),
    ...(control ? { control: metrics(control, none) } : {}),
    perFamily: perFamilyReport,
    mining: { candidates: mining.candidates, proposed: fresh.map((p) => p.branch), merged, rejected: mining.rejected.length, rejections: mining.rejected },
    workload: { seed, heldOutSeed, perFamily, sizes, families },
    models: { root: options.model, sub: options.subModel ?? '(default)' },
    library,
  };
}

export async function benchAccumulation(options: AccumulationOptions = {}): Promise<AccumulationReport> {
  const workload = {
    seed: options.seed ?? 1,
    perFamily: options.perFamily ?? 4,
    sizes: options.sizes ?? [20_000, 50_000],
    families: options.families ?? [...FAMILY_NAMES],
  };
  const model = options.model ?? 'sim:root';
  const subModel = options.subModel ?? (model.startsWith('sim:') ? 'sim:leaf' : undefined);
  const say = options.onProgress ?? (() => {});
  if (model.startsWith('sim:')) registerSimProvider();
  const libraryDir = mkdtempSync(join(tmpdir(), 'accrete-accumulation-library-'));
  const database = await openDatabase(options.db ?? 'memory://');
  try {
    // Phase 1: a fresh library (none), recurring families.
    const rt1 = await createRuntime({ db: database, model, subModel, openai: options.openai, library: false });
    const phase1 = await runWorkload(rt1, buildWorkload(workload), { concurrency: options.concurrency ?? 4, onProgress: (p) => say(`phase 1 (empty library): ${p.done}/${p.total}`) });
    await rt1.close();
    return await accumulate(database, { phase1, libraryDir, model, subModel, openai: options.openai, workload, concurrency: options.concurrency, onProgress: say, control: options.control ?? true });
  } finally {
    await database.close();
    rmSync(libraryDir, { recursive: true, force: true });
  }
}

export function renderAccumulation(r: AccumulationReport): string {
  const pct = (a: number, b: number) => (a === 0 ? '-' : `${b >= a ? '+' : ''}${Math.round(((b - a) / a) * 100)}%`);
  const row = (name: string, a: PhaseMetrics, b: PhaseMetrics) =>
    `${name.padEnd(15)} ${String(a.runs).padStart(4)}  ${(a.accuracy * 100).toFixed(0).padStart(4)}% → ${(b.accuracy * 100).toFixed(0).padStart(3)}%  ` +
    `${a.rootOutputTokens.toFixed(0).padStart(6)} → ${b.rootOutputTokens.toFixed(0).padStart(6)} (${pct(a.rootOutputTokens, b.rootOutputTokens).padStart(5)})  ` +
    `${a.iterations.toFixed(1).padStart(4)} → ${b.iterations.toFixed(1).padStart(4)} (${pct(a.iterations, b.iterations).padStart(5)})  ` +
    `${a.subCalls.toFixed(0).padStart(4)} → ${b.subCalls.toFixed(0).padStart(4)}  ${(b.libraryCallShare * 100).toFixed(0).padStart(4)}%`;
  const header = 'family          runs  accuracy      root output tokens/run   iterations/run       sub-calls    phase-2 runs calling lib';
  const lines = [
    `models ${r.models.root} / ${r.models.sub}; workload seed ${r.workload.seed}, held-out seed ${r.workload.heldOutSeed}, ${r.workload.perFamily} per family and size, sizes ${r.workload.sizes.join(', ')}`,
    `mining: ${r.mining.candidates} candidates, ${r.mining.proposed.length} proposed, ${r.mining.merged.length} merged (here, by the benchmark or demo: accrete itself never merges), ${r.mining.rejected} clusters rejected`,
    '',
    'phase 1 (empty library) → phase 2 (held-out tasks, with the library):',
    header,
    ...Object.entries(r.perFamily).map(([f, m]) => row(f, m.phase1, m.phase2)),
    row('all', r.phase1, r.phase2),
  ];
  if (r.control) {
    const control = r.control;
    lines.push(
      '',
      'the same held-out tasks, without → with the library (what the library changed; the rows above also differ in their tasks):',
      header,
      ...Object.entries(r.perFamily).flatMap(([f, m]) => (m.control ? [row(f, m.control, m.phase2)] : [])),
      row('all', control, r.phase2),
    );
  }
  return lines.join('\n');
}
