/**
 * Read models: the queries the CLI and the evaluation harness ask of the logged data (runs, run
 * trees, clusters, promotions, library use). Callers get typed rows; the SQL lives here only.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './connection.js';
import { llmCalls, programs, runs, steps } from './schema.js';

export type RunRow = typeof runs.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Runs

export interface RunListRow {
  id: string;
  started_at: string | Date;
  status: string;
  depth: number;
  iterations: number;
  llm_calls: number;
  tokens: string | number;
  duration_ms: number | null;
  source: string;
  query: string;
}

/** The newest runs first; root runs only unless `all`; optionally of one status. */
export async function listRuns(database: Database, options: { limit: number; all?: boolean; status?: string }): Promise<RunListRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (!options.all) where.push('depth = 0');
  if (options.status) {
    params.push(options.status);
    where.push(`status = $${params.length}`);
  }
  params.push(Math.max(1, Math.floor(options.limit) || 20));
  return database.query<RunListRow>(
    `select id, started_at, status, depth, iterations, llm_calls, gen_ai_usage_input_tokens + gen_ai_usage_output_tokens as tokens,
            duration_ms, source, query
       from runs ${where.length ? `where ${where.join(' and ')}` : ''}
      order by started_at desc limit $${params.length}`,
    params,
  );
}

/** How many runs (sub-runs included) the database holds. */
export async function countRuns(database: Database): Promise<number> {
  const [{ n }] = await database.query<{ n: number | string }>('select count(*) as n from runs');
  return Number(n);
}

/** Runs whose id is `id` exactly or starts with it (at most `limit`). */
export async function findRunsByPrefix(database: Database, idOrPrefix: string, limit = 2): Promise<RunRow[]> {
  const db = database.db;
  if (idOrPrefix.length === 36) {
    const exact = await db.select().from(runs).where(eq(runs.id, idOrPrefix));
    if (exact.length) return exact;
  }
  const matches = await database.query<{ id: string }>('select id from runs where id::text like $1 limit $2', [`${idOrPrefix.toLowerCase()}%`, limit]);
  if (matches.length === 0) return [];
  return db.select().from(runs).where(inArray(runs.id, matches.map((m) => m.id)));
}

/** Every run of a run tree with its steps and programs, in order (without its model calls). */
export async function runTreeRuns(database: Database, rootRunId: string) {
  const db = database.db;
  const tree = await db.select().from(runs).where(eq(runs.rootRunId, rootRunId));
  const ids = tree.map((r) => r.id);
  const [stepRows, programRows] = await Promise.all([
    db.select().from(steps).where(inArray(steps.runId, ids)).orderBy(asc(steps.idx)),
    db.select().from(programs).where(inArray(programs.runId, ids)).orderBy(asc(programs.seq)),
  ]);
  return { runs: tree, steps: stepRows, programs: programRows };
}

/** Every run of a run tree with its steps, programs and model calls, in order. */
export async function runTree(database: Database, rootRunId: string) {
  const tree = await runTreeRuns(database, rootRunId);
  const ids = tree.runs.map((r) => r.id);
  const callRows = await database.db.select().from(llmCalls).where(inArray(llmCalls.runId, ids)).orderBy(asc(llmCalls.seq));
  return { ...tree, llmCalls: callRows };
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

/** Of these root runs, those whose run tree called a library function. */
export async function runsCallingLibrary(database: Database, rootRunIds: readonly string[]): Promise<Set<string>> {
  if (rootRunIds.length === 0) return new Set();
  const rows = await database.query<{ root_run_id: string }>(
    'select distinct r.root_run_id from lib_calls l join runs r on r.id = l.run_id where r.root_run_id = any($1::uuid[])',
    [rootRunIds],
  );
  return new Set(rows.map((r) => r.root_run_id));
}

// ---------------------------------------------------------------------------------------------
// Clusters

export interface ClusterRow {
  id: string;
  size: number;
  support: number;
  success_rate: number;
  skeleton: string;
  growth: string | null;
  representative_run_id: string | null;
  templates: unknown;
}

/** Clusters by support (or the one with this id). */
export function listClusterRows(database: Database, id?: string): Promise<ClusterRow[]> {
  return database.query<ClusterRow>(
    `select id, size, support, success_rate, skeleton, growth, representative_run_id, templates from clusters ${id ? 'where id = $1' : ''} order by support desc, id`,
    id ? [id] : [],
  );
}

/** The members of these clusters: each a run, with the program that produced its answer (or its last one). */
export function clusterMembers(database: Database, clusterIds: readonly string[]): Promise<{ cluster_id: string; run_id: string; program_id: string | null }[]> {
  return database.query(
    `select m.cluster_id, m.run_id,
            (select p.id from programs p where p.run_id = m.run_id order by (p.status = 'final') desc, p.seq desc limit 1) as program_id
       from mined_programs m where m.cluster_id = any($1::text[]) order by m.created_at, m.run_id`,
    [clusterIds],
  );
}

export interface ClusterView {
  id: string;
  size: number;
  support: number;
  successRate: number;
  skeleton: string;
  growth: string | null;
  members: { runId: string; programId: string | null }[];
  representative: string | null;
  templates: unknown;
}

/** Clusters by support (or the one with this id), each with its member runs. */
export async function listClusters(database: Database, id?: string): Promise<ClusterView[]> {
  const rows = await listClusterRows(database, id);
  if (rows.length === 0) return [];
  // Each member is a run; its program is the block that produced the answer (or the last one).
  const members = await clusterMembers(database, rows.map((r) => r.id));
  return rows.map((r) => ({
    id: r.id,
    size: r.size,
    support: r.support,
    successRate: Number(r.success_rate),
    skeleton: r.skeleton,
    growth: r.growth,
    members: members.filter((m) => m.cluster_id === r.id).map((m) => ({ runId: m.run_id, programId: m.program_id })),
    representative: r.representative_run_id,
    templates: r.templates,
  }));
}

/** The consolidated code the miner read for a run ('' when it was not mined). */
export async function minedCode(database: Database, runId: string): Promise<string> {
  const rows = await database.query<{ code: string }>('select code from mined_programs where run_id = $1', [runId]);
  return rows[0]?.code ?? '';
}

// ---------------------------------------------------------------------------------------------
// The library

export interface PromotionRow {
  version: string;
  status: string;
  branch: string;
  pr_url: string | null;
  support: number;
  coverage: number;
  gain: number;
  cluster_id: string;
}

/** Every promotion of a function, oldest first. */
export function promotionsOf(database: Database, name: string): Promise<PromotionRow[]> {
  return database.query<PromotionRow>('select version, status, branch, pr_url, support, coverage, gain, cluster_id from promotions where name = $1 order by created_at', [name]);
}

export interface LibraryUsageRow {
  name: string;
  version: string | null;
  status: string;
  cluster_id: string | null;
  since: string | Date;
  calls: number;
  runs: number;
  ok: number;
  inner_calls: number;
  last_used: string | Date | null;
  callers_llm: number | null;
  callers_root_out: number | null;
  members_llm: number | null;
  members_root_out: number | null;
}

/**
 * Each function's newest promotion with its use (lib_calls), the mean model calls and root output
 * tokens of the runs that called it, and the same of the cluster members it came from.
 */
export function libraryUsage(database: Database): Promise<LibraryUsageRow[]> {
  return database.query<LibraryUsageRow>(
    `with fns as (
       select distinct on (name) name, version, status, cluster_id, updated_at as since
         from promotions order by name, created_at desc
     ), used as (
       select name, count(*)::int as calls, count(distinct run_id)::int as runs,
              count(*) filter (where status = 'ok')::int as ok, coalesce(sum(llm_calls), 0)::int as inner_calls, max(created_at) as last_used
         from lib_calls group by name
     ), callers as (
       select l.name, avg(r.llm_calls)::float as llm,
              avg((select coalesce(sum(c.gen_ai_usage_output_tokens), 0) from llm_calls c where c.run_id = r.id and c.kind in ('root', 'answer_now')))::float as root_out
         from (select distinct name, run_id from lib_calls) l join runs r on r.id = l.run_id group by l.name
     ), members as (
       select m.cluster_id, avg(r.llm_calls)::float as llm,
              avg((select coalesce(sum(c.gen_ai_usage_output_tokens), 0) from llm_calls c where c.run_id = r.id and c.kind in ('root', 'answer_now')))::float as root_out
         from mined_programs m join runs r on r.id = m.run_id where m.cluster_id is not null group by m.cluster_id
     )
     select f.name, f.version, f.status, f.cluster_id, f.since,
            coalesce(u.calls, 0) as calls, coalesce(u.runs, 0) as runs, coalesce(u.ok, 0) as ok, coalesce(u.inner_calls, 0) as inner_calls, u.last_used,
            c.llm as callers_llm, c.root_out as callers_root_out, mb.llm as members_llm, mb.root_out as members_root_out
       from fns f left join used u on u.name = f.name left join callers c on c.name = f.name left join members mb on mb.cluster_id = f.cluster_id
      order by calls desc, f.name`,
  );
}

export interface LibraryStatsRow {
  name: string;
  version: string | null;
  status: string;
  clusterId: string | null;
  calls: number;
  runs: number;
  successRate: number | null;
  /** Mean model calls made inside one call of the function. */
  llmCallsPerCall: number | null;
  /** Estimated against the cluster's member runs: (members' mean − callers' mean) × calling runs. */
  llmCallsSaved: number | null;
  rootOutputTokensSaved: number | null;
  lastUsed: string | null;
  /** Unused for longer than the threshold (or never used since merged): a candidate for retirement. */
  flaggedForRetirement: boolean;
}

/** Usage of each library function (libraryUsage) with its success rate and estimated savings. */
export async function libraryUsageStats(database: Database, unusedDays = 30): Promise<LibraryStatsRow[]> {
  const rows = await libraryUsage(database);
  const cutoff = Date.now() - unusedDays * 86_400_000;
  return rows.map((r) => {
    const saved = (members: number | null, callers: number | null) => (members !== null && callers !== null && r.runs > 0 ? Math.round((members - callers) * r.runs) : null);
    const lastUsed = r.last_used ? new Date(r.last_used) : null;
    return {
      name: r.name,
      version: r.version,
      status: r.status,
      clusterId: r.cluster_id,
      calls: r.calls,
      runs: r.runs,
      successRate: r.calls > 0 ? r.ok / r.calls : null,
      llmCallsPerCall: r.calls > 0 ? r.inner_calls / r.calls : null,
      llmCallsSaved: saved(r.members_llm, r.callers_llm),
      rootOutputTokensSaved: saved(r.members_root_out, r.callers_root_out),
      lastUsed: lastUsed?.toISOString() ?? null,
      flaggedForRetirement: r.status === 'merged' && (lastUsed ?? new Date(r.since)).getTime() < cutoff,
    };
  });
}

/** The stored decomposition profiles of a cluster's members (JSON, as the miner wrote them). */
export async function clusterProfiles(database: Database, clusterId: string): Promise<unknown[]> {
  const rows = await database.query<{ profile: unknown }>('select profile from mined_programs where cluster_id = $1 and profile is not null', [clusterId]);
  return rows.map((r) => r.profile);
}
