/**
 * The last verification of each cluster, kept in clusters.verification (jsonb) so that
 * `accrete clusters show ID` can say why a cluster was not proposed: the status, the coverage, the
 * reason and, per member, whether replay reproduced it, why not, and what it tolerated.
 */
import type { Database } from '../../src/db/connection.js';
import type { ClusterVerification, OtherMember, ReplayResult } from './types.js';

/** Keeps a cluster's verification (replacing the previous one). */
export async function recordVerification(database: Database, clusterId: string, v: ClusterVerification): Promise<void> {
  await database.query('update clusters set verification = $2::jsonb where id = $1', [clusterId, JSON.stringify(v)]);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function asReplayResult(v: unknown): ReplayResult | undefined {
  if (!isRecord(v) || typeof v.runId !== 'string' || typeof v.reproduced !== 'boolean') return undefined;
  return {
    runId: v.runId,
    reproduced: v.reproduced,
    ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
    ...(v.unverifiable === true ? { unverifiable: true } : {}),
    ...(Array.isArray(v.notes) ? { notes: v.notes.filter((n): n is string => typeof n === 'string') } : {}),
    ...(v.partial === 'own-check' ? { partial: 'own-check' as const } : {}),
  };
}

function asOtherMember(v: unknown): OtherMember | undefined {
  if (!isRecord(v) || typeof v.runId !== 'string' || typeof v.why !== 'string') return undefined;
  return { runId: v.runId, why: v.why, reproduced: v.reproduced === true };
}

/** A stored verification read back (undefined when none was kept or it is not one). */
export function parseVerification(v: unknown): ClusterVerification | undefined {
  if (!isRecord(v) || typeof v.at !== 'string' || (v.status !== 'candidate' && v.status !== 'rejected')) return undefined;
  return {
    at: v.at,
    status: v.status,
    ...(typeof v.name === 'string' ? { name: v.name } : {}),
    ...(typeof v.coverage === 'number' ? { coverage: v.coverage } : {}),
    ...(typeof v.clusterCoverage === 'number' ? { clusterCoverage: v.clusterCoverage } : {}),
    ...(Array.isArray(v.otherMembers) ? { otherMembers: v.otherMembers.flatMap((m) => asOtherMember(m) ?? []) } : {}),
    ...(typeof v.reason === 'string' ? { reason: v.reason } : {}),
    members: Array.isArray(v.members) ? v.members.flatMap((m) => asReplayResult(m) ?? []) : [],
  };
}

/** The last verification of a cluster, if one was kept. */
export async function lastVerification(database: Database, clusterId: string): Promise<ClusterVerification | undefined> {
  const [row] = await database.query<{ verification: unknown }>('select verification from clusters where id = $1', [clusterId]);
  return parseVerification(row?.verification);
}

/** Lines for `accrete clusters show`: the outcome, then one line per member. */
export function renderVerification(v: ClusterVerification): string[] {
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const clusterPart = v.clusterCoverage !== undefined ? ` (sub-group it was generalized from; ${pct(v.clusterCoverage)} of the whole cluster)` : '';
  const head =
    v.status === 'candidate'
      ? `last verification (${v.at}): ${v.name ?? 'the function'} passed, coverage ${pct(v.coverage ?? 0)}${clusterPart}`
      : `last verification (${v.at}): rejected${v.name ? ` (${v.name})` : ''}: ${v.reason ?? 'no reason recorded'}`;
  const lines = [head];
  if (v.otherMembers?.length) {
    lines.push(`  written differently from the function's sub-group: ${v.otherMembers.length} member${v.otherMembers.length > 1 ? 's' : ''}`);
    for (const o of v.otherMembers) lines.push(`    run ${o.runId}: ${o.why}`);
  }
  for (const m of v.members) {
    const state = m.unverifiable ? 'unverifiable' : m.partial === 'own-check' ? 'reproduced up to its own check' : m.reproduced ? 'reproduced' : 'not reproduced';
    lines.push(`  run ${m.runId}: ${state}${m.reason ? `: ${m.reason}` : ''}`);
    for (const n of m.notes ?? []) lines.push(`    note: ${n}`);
  }
  return lines;
}
