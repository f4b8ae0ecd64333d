/**
 * Scoring a workload: per-family and overall figures of scored runs, and the table the demo and
 * `accrete bench families` print.
 *
 * Metric definitions (FamilyMetrics):
 * - accuracy / directAccuracy: the mean family score in [0, 1] (src/sim/scoring.ts; exact-match
 *   families score 0 or 1, set families F1); a run without an answer scores 0.
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
import os from 'node:os';
import { FAMILY_NAMES, type FamilyName } from '../sim/types.js';
import type { DirectTaskResult, TaskResult } from './workload.js';

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

