/**
 * The miner's generalize → verify pipeline, one entry point: every eligible cluster is generalized,
 * its function type-checked, its members replayed in the real sandbox from their recorded
 * sub-calls, its edge cases run; what passes becomes a PromotionCandidate for the promote step,
 * with its evidence. Everything else is rejected with the reason.
 *
 * Rejections: no gain; does not type-check; the structural sub-group the function was generalized
 * from (generalize/subgroup.ts) holds fewer than minSupport runs or no majority of the cluster;
 * coverage over that sub-group (members reproduced / members, unverifiable members counted as not
 * reproduced) below minCoverage; an edge case throws; no gain left over the reproduced members.
 * The coverage over the whole cluster (members written differently and unsliceable ones included)
 * is reported beside it, with each member written differently and why (otherMembers). A coverage rejection names each member that was not
 * reproduced and why (which sub-call, what differed). Each cluster's outcome is kept in
 * clusters.verification (outcome.ts) unless options.recordOutcome is false (a dry run).
 */
import type { Database } from '../../src/db/connection.js';
import { SandboxPool } from '../../src/sandbox/repl.js';
import { DEFAULT_MIN_SUPPORT, eligibleClusters } from '../generalize/eligible.js';
import { descriptionLengthGain } from '../generalize/gain.js';
import { generalizeCluster, isRejected } from '../generalize/generalize.js';
import type { Candidate } from '../generalize/types.js';
import { compileCandidate } from './compile.js';
import { runEdgeCases, type EdgeSample } from './edge-cases.js';
import { loadContext } from './context.js';
import { LiveBudget } from './live.js';
import { recordVerification } from './outcome.js';
import { replayMember, type ReplayOutcome } from './replay.js';
import { DEFAULT_STEP_TIMEOUT_MS } from './sandbox-call.js';
import { expectedSavings } from './savings.js';
import { typeCheck } from './typecheck.js';
import type { BuildOptions, BuildProgress, BuildResult, ClusterVerification, CoverageEvidence, OtherMember, ReplayResult, VerifiedCandidate } from './types.js';

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
/** Why verification stopped, with the coverage when replay ran. */
export interface VerifyRejection {
  rejected: string;
  replay?: ReplayResult[];
  coverage?: number;
  clusterCoverage?: number;
  otherMembers?: OtherMember[];
}

const pctOf = (x: number) => `${(x * 100).toFixed(0)}%`;

/** Coverage over the sub-group (in-group replay results) and over the whole cluster (every result). */
function coverageOf(all: readonly ReplayResult[], inGroup: readonly ReplayResult[]): CoverageEvidence {
  const subGroupReproduced = inGroup.filter((r) => r.reproduced).length;
  const clusterReproduced = all.filter((r) => r.reproduced).length;
  return {
    subGroup: inGroup.length ? subGroupReproduced / inGroup.length : 0,
    subGroupReproduced,
    subGroupSize: inGroup.length,
    cluster: all.length ? clusterReproduced / all.length : 0,
    clusterReproduced,
    clusterSize: all.length,
  };
}

export async function verifyCandidate(g: Candidate, ctx: VerifyContext): Promise<VerifiedCandidate | VerifyRejection> {
  const { database, pool, options } = ctx;
  const minCoverage = options.minCoverage ?? DEFAULT_MIN_COVERAGE;
  const timeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  ctx.progress('typecheck');
  const tc = typeCheck(g.source);
  if (!tc.ok) return { rejected: `${g.name} does not type-check: ${tc.errors.slice(0, 5).join(' | ')}` };
  const compiled = compileCandidate(g.name, g.source);
  if (!compiled.ok) return { rejected: `${g.name} does not compile for the sandbox: ${compiled.error}` };
  const fn = compiled.fn;

  const returnsPrinted = g.members.find((m) => m.runId === g.templateRunId)?.printedStep !== undefined;
  const outcomes: ReplayOutcome[] = [];
  for (const [i, m] of g.members.entries()) {
    ctx.progress('replay', `member ${i + 1} of ${g.members.length}`);
    outcomes.push(await replayMember(database, pool, fn, m, { timeoutMs, live: ctx.live, clusterId: g.clusterId, returnsPrinted }));
  }
  const group = new Set(g.subGroup);
  const differently = new Map(g.otherMembers.map((o) => [o.runId, o.why]));
  const replay: ReplayResult[] = [
    ...outcomes.map(({ fixture: _f, calls: _c, ...r }) => {
      const why = differently.get(r.runId);
      if (!why) return r;
      return r.reproduced ? { ...r, notes: [...(r.notes ?? []), `outside the function's sub-group (${why}), reproduced all the same`] } : { ...r, reason: `${why}; replay: ${r.reason ?? 'not reproduced'}` };
    }),
    ...g.excluded.map((e) => ({ runId: e.runId, reproduced: false, reason: `not generalizable: ${e.reason}` })),
  ];
  const reproduced = outcomes.filter((o) => o.reproduced);
  const inGroup = replay.filter((r) => group.has(r.runId));
  const cover = coverageOf(replay, inGroup);
  const otherMembers: OtherMember[] = replay
    .filter((r) => !group.has(r.runId))
    .map((r) => ({ runId: r.runId, reproduced: r.reproduced, why: r.reproduced ? `${differently.get(r.runId) ?? 'outside the sub-group'}; reproduced by replay all the same` : (r.reason ?? 'not reproduced') }));
  const both = `sub-group ${pctOf(cover.subGroup)} (${cover.subGroupReproduced}/${cover.subGroupSize}), cluster ${pctOf(cover.cluster)} (${cover.clusterReproduced}/${cover.clusterSize})`;
  const minSupport = options.minSupport ?? DEFAULT_MIN_SUPPORT;
  if (cover.subGroupSize < minSupport || cover.subGroupSize * 2 <= cover.clusterSize) {
    const need = cover.subGroupSize < minSupport ? `at least ${minSupport} successful runs` : 'a majority of the cluster';
    return {
      rejected: `the largest structural sub-group holds ${cover.subGroupSize} of ${cover.clusterSize} members (it needs ${need}); members written differently: ${reasonDetail(replay.filter((r) => !group.has(r.runId)))}`,
      replay,
      coverage: cover.subGroup,
      clusterCoverage: cover.cluster,
      otherMembers,
    };
  }
  if (cover.subGroup < minCoverage) {
    return {
      rejected: `coverage ${both} < ${(minCoverage * 100).toFixed(0)}% over the sub-group the function was generalized from; ${reasonDetail(inGroup)}${otherMembers.length ? `; written differently: ${otherMembers.map((o) => `run ${shortId(o.runId)}`).join(', ')}` : ''}`,
      replay,
      coverage: cover.subGroup,
      clusterCoverage: cover.cluster,
      otherMembers,
    };
  }

  ctx.progress('edge-cases');
  const template = g.members.find((m) => m.runId === g.templateRunId) ?? g.members[0];
  const stored = await loadContext(database, template.contextSha256);
  const sample: EdgeSample = stored?.type === 'json' ? { type: 'json', value: stored.value } : { type: 'string', text: stored?.text ?? '' };
  const edgeCases = await runEdgeCases(pool, fn, template.args, sample, timeoutMs);
  const failed = edgeCases.filter((e) => !e.passed);
  const withCoverage = { replay, coverage: cover.subGroup, clusterCoverage: cover.cluster, otherMembers };
  if (failed.length) return { rejected: `edge case${failed.length > 1 ? 's' : ''} failed: ${failed.map((e) => `${e.name} ${e.reason ?? ''}`).join('; ')}`, ...withCoverage };

  const reproducedMembers = g.members.filter((m) => reproduced.some((o) => o.runId === m.runId));
  const gain = descriptionLengthGain(g.name, g.source, reproducedMembers);
  if (gain.gain <= 0) return { rejected: `no description-length gain over the ${reproducedMembers.length} reproduced members (${gain.before} tokens against ${gain.after})`, ...withCoverage };

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
    coverage: cover.subGroup,
    clusterCoverage: cover.cluster,
    otherMembers,
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
      coverage: cover,
      otherMembers,
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
        await record(c.id, {
          status: 'rejected',
          name: g.name,
          reason: v.rejected,
          ...(v.coverage !== undefined ? { coverage: v.coverage } : {}),
          ...(v.clusterCoverage !== undefined ? { clusterCoverage: v.clusterCoverage } : {}),
          ...(v.otherMembers?.length ? { otherMembers: v.otherMembers } : {}),
          members: v.replay ?? [],
        });
        reject(v.rejected);
        continue;
      }
      await record(c.id, { status: 'candidate', name: v.name, coverage: v.coverage, clusterCoverage: v.clusterCoverage, ...(v.otherMembers.length ? { otherMembers: v.otherMembers } : {}), members: v.replay });
      result.candidates.push(v);
      progress('done', v.name);
    }
  } finally {
    if (!options.pool) await pool.close();
  }
  result.candidates.sort((a, b) => b.gain - a.gain);
  return result;
}
