/**
 * The miner's generalize → verify pipeline, one entry point: every eligible cluster is generalized,
 * its function type-checked, its members replayed in the real sandbox from their recorded
 * sub-calls, its edge cases run; what passes becomes a PromotionCandidate for the promote step,
 * with its evidence. Everything else is rejected with the reason.
 *
 * Rejections: no gain; does not type-check; coverage (members reproduced / members, unverifiable
 * and unsliceable members counted as not reproduced) below minCoverage; an edge case throws; no
 * gain left over the reproduced members.
 */
import type { Database } from '../../src/db/connection.js';
import { SandboxPool } from '../../src/sandbox/repl.js';
import { eligibleClusters } from '../generalize/eligible.js';
import { descriptionLengthGain } from '../generalize/gain.js';
import { generalizeCluster, isRejected } from '../generalize/generalize.js';
import type { Candidate } from '../generalize/types.js';
import { compileCandidate } from './compile.js';
import { runEdgeCases } from './edge-cases.js';
import { loadContext } from './context.js';
import { replayMember, type ReplayOutcome } from './replay.js';
import { DEFAULT_STEP_TIMEOUT_MS } from './sandbox-call.js';
import { expectedSavings } from './savings.js';
import { typeCheck } from './typecheck.js';
import type { BuildOptions, BuildProgress, BuildResult, ReplayResult, VerifiedCandidate } from './types.js';

export const DEFAULT_MIN_COVERAGE = 0.8;

/** "3 × sub-call not in the log; 1 × a different answer" */
function reasonSummary(results: readonly ReplayResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) {
    if (r.reproduced) continue;
    const k = (r.reason ?? 'not reproduced').split(':')[0];
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${n} × ${k}`).join('; ');
}

interface VerifyContext {
  database: Database;
  pool: SandboxPool;
  options: BuildOptions;
  progress: (phase: BuildProgress['phase'], detail?: string) => void;
}

/** Verifies one generalized candidate; a PromotionCandidate with its evidence, or why not. */
export async function verifyCandidate(g: Candidate, ctx: VerifyContext): Promise<VerifiedCandidate | { rejected: string }> {
  const { database, pool, options } = ctx;
  const minCoverage = options.minCoverage ?? DEFAULT_MIN_COVERAGE;
  const timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  ctx.progress('typecheck');
  const tc = typeCheck(g.source);
  if (!tc.ok) return { rejected: `${g.name} does not type-check: ${tc.errors.slice(0, 5).join(' | ')}` };
  const compiled = compileCandidate(g.name, g.source);
  if (!compiled.ok) return { rejected: `${g.name} does not compile for the sandbox: ${compiled.error}` };
  const fn = compiled.fn;

  const outcomes: ReplayOutcome[] = [];
  for (const [i, m] of g.members.entries()) {
    ctx.progress('replay', `member ${i + 1} of ${g.members.length}`);
    outcomes.push(await replayMember(database, pool, fn, m, timeoutMs));
  }
  const replay: ReplayResult[] = [
    ...outcomes.map(({ runId, reproduced, reason, unverifiable }) => ({ runId, reproduced, ...(reason ? { reason } : {}), ...(unverifiable ? { unverifiable } : {}) })),
    ...g.excluded.map((e) => ({ runId: e.runId, reproduced: false, reason: `not generalizable: ${e.reason}` })),
  ];
  const reproduced = outcomes.filter((o) => o.reproduced);
  const coverage = replay.length ? reproduced.length / replay.length : 0;
  if (coverage < minCoverage) {
    return { rejected: `coverage ${(coverage * 100).toFixed(0)}% < ${(minCoverage * 100).toFixed(0)}%: ${reproduced.length} of ${replay.length} members reproduced (${reasonSummary(replay)})` };
  }

  ctx.progress('edge-cases');
  const template = g.members.find((m) => m.runId === g.templateRunId) ?? g.members[0];
  const sample = (await loadContext(database, template.contextSha256))?.text ?? '';
  const edgeCases = await runEdgeCases(pool, fn, template.args, sample, timeoutMs);
  const failed = edgeCases.filter((e) => !e.passed);
  if (failed.length) return { rejected: `edge case${failed.length > 1 ? 's' : ''} failed: ${failed.map((e) => `${e.name} ${e.reason ?? ''}`).join('; ')}` };

  const reproducedMembers = g.members.filter((m) => reproduced.some((o) => o.runId === m.runId));
  const gain = descriptionLengthGain(g.name, g.source, reproducedMembers);
  if (gain.gain <= 0) return { rejected: `no description-length gain over the ${reproducedMembers.length} reproduced members (${gain.before} tokens against ${gain.after})` };

  return {
    clusterId: g.clusterId,
    membersHash: g.membersHash,
    name: g.name,
    source: g.source,
    signature: g.signature,
    params: g.params,
    doc: g.doc,
    skeleton: g.skeleton,
    support: g.support,
    successRate: g.successRate,
    gain: gain.gain,
    coverage,
    sourceRunIds: [...g.members.map((m) => m.runId), ...g.excluded.map((e) => e.runId)],
    fixtures: reproduced.flatMap((o) => (o.fixture ? [o.fixture] : [])),
    members: g.members.map((m) => ({ runId: m.runId, code: m.code })),
    replay,
    expectedSavings: await expectedSavings(database, g.name, reproducedMembers),
    evidence: {
      typeCheck: { ok: true, errors: [], repairs: g.typeRepairs },
      edgeCases,
      excluded: g.excluded,
      gainBeforeReplay: g.gain.gain,
      namedBy: g.namedBy,
    },
  };
}

/**
 * Generalizes and verifies every eligible cluster. Names are unique within the call. The sandbox
 * pool is the caller's when given (left open), else one of its own (closed at the end).
 */
export async function buildCandidates(database: Database, options: BuildOptions = {}): Promise<BuildResult> {
  const clusters = await eligibleClusters(database, { minSupport: options.minSupport, minSuccessRate: options.minSuccessRate });
  const pool = options.pool ?? new SandboxPool(1);
  const taken = new Set<string>();
  const result: BuildResult = { candidates: [], rejected: [] };
  try {
    for (const [i, c] of clusters.entries()) {
      const progress = (phase: BuildProgress['phase'], detail?: string) =>
        options.onProgress?.({ clusterId: c.id, phase, done: phase === 'done' || phase === 'rejected' ? i + 1 : i, total: clusters.length, ...(detail ? { detail } : {}) });
      const reject = (reason: string) => {
        result.rejected.push({ clusterId: c.id, reason });
        progress('rejected', reason);
      };
      progress('generalize');
      const g = await generalizeCluster(database, c.id, { namer: options.namer, takenNames: taken, maxParams: options.maxParams });
      if (isRejected(g)) {
        reject(g.rejected);
        continue;
      }
      const v = await verifyCandidate(g, { database, pool, options, progress });
      if ('rejected' in v) {
        reject(v.rejected);
        continue;
      }
      result.candidates.push(v);
      progress('done', v.name);
    }
  } finally {
    if (!options.pool) await pool.close();
  }
  result.candidates.sort((a, b) => b.gain - a.gain);
  return result;
}
