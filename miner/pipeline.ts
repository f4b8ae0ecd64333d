/**
 * `accrete mine`: the whole nightly pass, in this order —
 *   0. promote/  sync: promotions merged into (or retired from) the library since the last pass;
 *   1. front/    per new run: consolidate its blocks, lower, hoist, slice from FINAL, normalize,
 *                lift the skeleton (front/program.ts, front/parse.ts);
 *   2. represent/ the structural embedding of each sliced program (front/parse.ts asks for it);
 *   3. cluster/  join existing clusters or form new ones (cluster/pass.ts drives 1–3 per batch
 *                of logged programs, incrementally);
 *   4. generalize/ each cluster that passes the thresholds: slice its members again through the
 *                same front end, anti-unify, parameterize, name, emit a typed function;
 *   5. verify/   type-check, replay against the recorded sub-calls, edge cases (verify/candidates.ts
 *                drives 4–5);
 *   6. promote/  propose the survivors to the library (a branch and a pull request).
 * Never merges: a reviewer does.
 */
import type { Database } from '../src/db/connection.js';
import { rehearse } from '../src/db/rehearse.js';
import { type MineOptions, minePass, type MineReport } from './cluster/pass.js';
import { proposeFunction, resolveLibraryDir, shouldPropose, syncPromotions } from './promote/index.js';
import type { GitHubConfig, SyncReport } from './promote/types.js';
import { buildCandidates } from './verify/index.js';
import type { BuildOptions, BuildProgress, OtherMember } from './verify/types.js';

export interface MiningOptions extends MineOptions {
  /** Compute everything, propose nothing. */
  dryRun?: boolean;
  /** The library repository (default: ACCRETE_LIBRARY_DIR or ./library). */
  libraryDir?: string;
  /** A git remote to push proposals to (default: the library's origin, when GitHub is configured). */
  remote?: string;
  /** GitHub settings; default from the environment; false never opens pull requests. */
  github?: GitHubConfig | false;
  /** Thresholds and naming of candidates (support, success rate, coverage, namer). */
  build?: Omit<BuildOptions, 'onProgress'>;
  /** Stop after clustering (no generalize, verify, promote). */
  clusterOnly?: boolean;
  onBuildProgress?: (p: BuildProgress) => void;
}

export interface ProposalSummary {
  clusterId: string;
  name: string;
  version: string;
  status: 'proposed' | 'unchanged' | 'skipped';
  branch: string;
  support: number;
  /** Replay coverage over the structural sub-group the function was generalized from. */
  coverage: number;
  /** Replay coverage over the whole cluster (members written differently count unless replay reproduced them). */
  clusterCoverage: number;
  /** Members written differently from the function's sub-group, and what replay found. */
  otherMembers: OtherMember[];
  gain: number;
  prUrl?: string;
  nextSteps: string[];
  publishError?: string;
}

export interface MiningReport {
  pass: MineReport;
  /** Promotions that reached the library's main (merged) or left it (retired) since the last pass. */
  sync: SyncReport;
  libraryDir: string;
  dryRun: boolean;
  candidates: number;
  rejected: { clusterId: string; reason: string }[];
  proposals: ProposalSummary[];
  durationMs: number;
}

/**
 * Runs the whole pass. A dry run computes everything inside one transaction that is rolled back:
 * the watermark, the clusters, the verification outcomes and the library stay as they were, so the
 * next real pass reads the same programs.
 */
export async function runMining(database: Database, options: MiningOptions = {}): Promise<MiningReport> {
  if (options.dryRun) return rehearse(database, (db) => mine(db, options));
  return mine(database, options);
}

async function mine(database: Database, options: MiningOptions): Promise<MiningReport> {
  const started = performance.now();
  const libraryDir = resolveLibraryDir(options.libraryDir);
  const sync = await syncPromotions(database, libraryDir);
  // a dry run never reaches the library's git repository; its database work is rolled back
  const pass = await minePass(database, options);
  const report: MiningReport = { pass, sync, libraryDir, dryRun: Boolean(options.dryRun), candidates: 0, rejected: [], proposals: [], durationMs: 0 };
  if (!options.clusterOnly) {
    const built = await buildCandidates(database, { ...options.build, onProgress: options.onBuildProgress });
    report.candidates = built.candidates.length;
    report.rejected = built.rejected;
    for (const candidate of built.candidates) {
      const base = { clusterId: candidate.clusterId, name: candidate.name, support: candidate.support, coverage: candidate.coverage, clusterCoverage: candidate.clusterCoverage, otherMembers: candidate.otherMembers, gain: candidate.gain };
      if (!(await shouldPropose(database, candidate.clusterId, candidate.membersHash))) {
        report.proposals.push({ ...base, version: '-', status: 'skipped', branch: '-', nextSteps: [] });
        continue;
      }
      const p = await proposeFunction(libraryDir, candidate, { db: database, dryRun: options.dryRun, remote: options.remote, github: options.github });
      report.proposals.push({ ...base, version: p.version, status: p.status, branch: p.branch, prUrl: p.prUrl, nextSteps: p.nextSteps, publishError: p.publishError });
    }
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}
