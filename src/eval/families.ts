/**
 * The families benchmark: the demo's workload (six task families with ground truth) through the
 * logged RLM runtime and the direct baseline, side by side in one run; per-family figures for
 * scripts. `accrete bench families [--json]` (src/cli/commands/bench.ts) and
 * `npx tsx bench/families.ts [--json]` run it.
 *
 * Output: `{ families: { <family>: M }, overall: M, machine, workload, models, phases, totalMs }`
 * with M the FamilyMetrics of ./scoring.ts (accuracy = mean family score; counts, tokens and
 * wall time are means per run).
 */
import type { FamilyName } from '../sim/types.js';
import { type DemoOptions, type DemoReport, runDemo } from './demo.js';
import type { FamilyMetrics, MachineInfo } from './scoring.js';

export interface FamiliesBenchReport {
  families: Partial<Record<FamilyName, FamilyMetrics>>;
  overall: FamilyMetrics;
  machine: MachineInfo;
  workload: DemoReport['workload'];
  models: DemoReport['models'];
  database: string;
  phases: DemoReport['phases'];
  totalMs: number;
  costUsd: number;
  interrupted: boolean;
}

/** The benchmark's database unless --db says otherwise: in memory, so it leaves no logs behind. */
export const FAMILIES_BENCH_DEFAULT_DB = 'memory://';

export function familiesReport(report: DemoReport): FamiliesBenchReport {
  return {
    families: report.families,
    overall: report.overall,
    machine: report.machine,
    workload: report.workload,
    models: report.models,
    database: report.database,
    phases: report.phases,
    totalMs: report.totalMs,
    costUsd: report.costUsd,
    interrupted: report.interrupted,
  };
}

export async function runFamiliesBench(options: DemoOptions = {}): Promise<{ report: FamiliesBenchReport; demo: DemoReport }> {
  const demo = await runDemo({ db: FAMILIES_BENCH_DEFAULT_DB, ...options });
  return { report: familiesReport(demo), demo };
}
