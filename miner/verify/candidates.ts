/**
 * The miner's generalize → verify pipeline, one entry point: every eligible cluster is generalized,
 * its function type-checked, its members replayed in the real sandbox from their recorded
 * sub-calls, its edge cases run; what passes becomes a PromotionCandidate for the promote step,
 * with its evidence. Everything else is rejected with the reason.
 *
 * Rejections: no gain; does not type-check; coverage (members reproduced / members, unverifiable
 * and unsliceable members counted as not reproduced) below minCoverage; an edge case throws; no
 * gain left over the reproduced members. A coverage rejection names each member that was not
 * reproduced and why (which sub-call, what differed). Each cluster's outcome is kept in
 * clusters.verification (outcome.ts) unless options.recordOutcome is false (a dry run).
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
import { LiveBudget } from './live.js';
import { recordVerification } from './outcome.js';
import { replayMember, type ReplayOutcome } from './replay.js';
import { DEFAULT_STEP_TIMEOUT_MS } from './sandbox-call.js';
import { expectedSavings } from './savings.js';
import { typeCheck } from './typecheck.js';
import type { BuildOptions, BuildProgress, BuildResult, ClusterVerification, ReplayResult, VerifiedCandidate } from './types.js';

export const DEFAULT_MIN_COVERAGE = 0.8;

const shortId = (runId: string) => runId.slice(0, 8);
const clipReason = (s: string, n = 400) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** "run 747f0afd: sub-call not in the log: sub-call #1 (llm) …; run ce5d70d2: the function threw …" */
function reasonDetail(results: readonly ReplayResult[]): string {
  return results
    .filter((r) => !r.reproduced)
    .map((r) => `run ${shortId(r.runId)}: ${clipReason(r.reason ?? 'not reproduced')}`)
    .join('; ');
}

interface VerifyContext {
  database: Database;
  pool: SandboxPool;
  options: BuildOptions;
  /** The live check's budget, shared by the whole build. */
  live?: LiveBudget;
  progress: (phase: BuildProgress['phase'], detail?: string) => void;
}

/** Verifies one generalized candidate; a PromotionCandidate with its evidence, or why not. */
export async function verifyCandidate(g: Candidate, ctx: VerifyContext): Promise<VerifiedCandidate | { rejected: string; replay?: ReplayResult[]; coverage?: number }> {
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
    outcomes.push(await replayMember(database, pool, fn, m, { timeoutMs, live: ctx.live, clusterId: g.clusterId }));
  }
  const replay: ReplayResult[] = [
    ...outcomes.map(({ fixture: _f, calls: _c, ...r }) => r),
    ...g.excluded.map((e) => ({ runId: e.runId, reproduced: false, reason: `not generalizable: ${e.reason}` })),
  ];
  const reproduced = outcomes.filter((o) => o.reproduced);
  const coverage = replay.length ? reproduced.length / replay.length : 0;
  if (coverage < minCoverage) {
    return { rejected: `coverage ${(coverage * 100).toFixed(0)}% < ${(minCoverage * 100).toFixed(0)}%: ${reproduced.length} of ${replay.length} members reproduced; ${reasonDetail(replay)}`, replay, coverage };
  }

  ctx.progress('edge-cases');
  const template = g.members.find((m) => m.runId === g.templateRunId) ?? g.members[0];
  const sample = (await loadContext(database, template.contextSha256))?.text ?? '';
  const edgeCases = await runEdgeCases(pool, fn, template.args, sample, timeoutMs);
  const failed = edgeCases.filter((e) => !e.passed);
  if (failed.length) return { rejected: `edge case${failed.length > 1 ? 's' : ''} failed: ${failed.map((e) => `${e.name} ${e.reason ?? ''}`).join('; ')}`, replay, coverage };

  const reproducedMembers = g.members.filter((m) => reproduced.some((o) => o.runId === m.runId));
  const gain = descriptionLengthGain(g.name, g.source, reproducedMembers);
  if (gain.gain <= 0) return { rejected: `no description-length gain over the ${reproducedMembers.length} reproduced members (${gain.before} tokens against ${gain.after})`, replay, coverage };

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
  const live = options.liveCheck && options.liveCheck.budget > 0 ? new LiveBudget(options.liveCheck) : undefined;
  const record = async (clusterId: string, v: Omit<ClusterVerification, 'at'>) => {
    if (options.recordOutcome !== false) await recordVerification(database, clusterId, { at: new Date().toISOString(), ...v });
  };
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
        await record(c.id, { status: 'rejected', reason: g.rejected, members: [] });
        reject(g.rejected);
        continue;
      }
      const v = await verifyCandidate(g, { database, pool, options, progress, live });
      if ('rejected' in v) {
        await record(c.id, { status: 'rejected', name: g.name, reason: v.rejected, ...(v.coverage !== undefined ? { coverage: v.coverage } : {}), members: v.replay ?? [] });
        reject(v.rejected);
        continue;
      }
      await record(c.id, { status: 'candidate', name: v.name, coverage: v.coverage, members: v.replay });
      result.candidates.push(v);
      progress('done', v.name);
    }
  } finally {
    if (!options.pool) await pool.close();
  }
  result.candidates.sort((a, b) => b.gain - a.gain);
  return result;
}
