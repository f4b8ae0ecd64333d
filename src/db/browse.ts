/**
 * Read models of the web viewer (`accrete ui`): a page of runs with filters and keyset paging, the
 * library calls and the progress of a run tree, the runs behind a library function. Read-only; the
 * trees, clusters and library use come from queries.ts, shared with the CLI.
 */
import { asc, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from './connection.js';
import { llmCalls } from './schema.js';
import type { PromotionRow } from './queries.js';

export interface RunFilter {
  status?: string;
  /** The root or the sub-call model. */
  model?: string;
  /** Started on or after this instant. */
  from?: Date;
  /** Started before this instant. */
  to?: Date;
  /** Text the query contains (case-insensitive). */
  text?: string;
}

/** A position in the list: the sort key of a row (started_at as the server prints it, and the id). */
export interface RunCursor {
  startedAt: string;
  id: string;
}

export interface RunPageRow {
  id: string;
  started_at: string | Date;
  /** started_at as text at full precision: the cursor of this row. */
  started_key: string;
  status: string;
  query: string;
  root_model: string | null;
  sub_model: string | null;
  iterations: number;
  llm_calls: number;
  input_tokens: string | number;
  output_tokens: string | number;
  cost_usd: number;
  duration_ms: number | null;
  library_commit: string | null;
  source: string;
  sub_runs: string | number;
}

export interface RunPage {
  rows: RunPageRow[];
  /** The cursor of the next (older) page, when there is one. */
  older: RunCursor | null;
  /** The cursor of the previous (newer) page, when there is one. */
  newer: RunCursor | null;
}

/**
 * One page of root runs, newest first, filtered. Keyset paging on (started_at, id): `before` gives
 * the page of older runs, `after` the page of newer ones, so a page deep in 100,000 runs costs what
 * the first one does (the runs_started_idx index).
 */
export async function pageRuns(database: Database, filter: RunFilter, page: { limit: number; before?: RunCursor; after?: RunCursor }): Promise<RunPage> {
  const where: string[] = ['r.depth = 0'];
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (filter.status) where.push(`r.status = ${param(filter.status)}`);
  if (filter.model) {
    const m = param(filter.model);
    where.push(`(r.gen_ai_request_model = ${m} or r.sub_model = ${m})`);
  }
  if (filter.from) where.push(`r.started_at >= ${param(filter.from.toISOString())}::timestamptz`);
  if (filter.to) where.push(`r.started_at < ${param(filter.to.toISOString())}::timestamptz`);
  if (filter.text) where.push(`r.query ilike ${param(`%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  const newerFirst = !page.after;
  const cursor = page.after ?? page.before;
  if (cursor) where.push(`(r.started_at, r.id) ${newerFirst ? '<' : '>'} (${param(cursor.startedAt)}::timestamptz, ${param(cursor.id)}::uuid)`);
  const limit = Math.max(1, Math.min(500, Math.floor(page.limit) || 50));
  const dir = newerFirst ? 'desc' : 'asc';
  const rows = await database.query<RunPageRow>(
    `select r.id, r.started_at, r.started_at::text as started_key, r.status, r.query, r.gen_ai_request_model as root_model, r.sub_model,
            r.iterations, r.llm_calls, r.gen_ai_usage_input_tokens as input_tokens, r.gen_ai_usage_output_tokens as output_tokens,
            r.cost_usd, r.duration_ms, r.library_commit, r.source,
            (select count(*) from runs s where s.root_run_id = r.id and s.id <> r.id) as sub_runs
       from runs r
      where ${where.join(' and ')}
      order by r.started_at ${dir}, r.id ${dir}
      limit ${param(limit + 1)}`,
    params,
  );
  const more = rows.length > limit;
  const shown = rows.slice(0, limit);
  if (!newerFirst) shown.reverse();
  const key = (r: RunPageRow | undefined): RunCursor | null => (r ? { startedAt: r.started_key, id: r.id } : null);
  return {
    rows: shown,
    older: newerFirst ? (more ? key(shown.at(-1)) : null) : key(shown.at(-1)),
    newer: newerFirst ? (cursor ? key(shown[0]) : null) : more ? key(shown[0]) : null,
  };
}

/** The models root runs were asked of (root and sub-call models), for the filter. */
export async function runModels(database: Database): Promise<string[]> {
  const rows = await database.query<{ model: string }>(
    `select model from (select distinct gen_ai_request_model as model from runs union select distinct sub_model from runs) m where model is not null order by model`,
  );
  return rows.map((r) => r.model);
}

export interface LibCallRow {
  id: string;
  run_id: string;
  program_id: string | null;
  name: string;
  version: string;
  duration_ms: number;
  llm_calls: number;
  status: string;
  error: string | null;
}

/** Every library call of a run tree, in order. */
export function libCallsOfTree(database: Database, rootRunId: string): Promise<LibCallRow[]> {
  return database.query<LibCallRow>(
    `select l.id, l.run_id, l.program_id, l.name, l.version, l.duration_ms, l.llm_calls, l.status, l.error
       from lib_calls l join runs r on r.id = l.run_id where r.root_run_id = $1 order by l.created_at, l.id`,
    [rootRunId],
  );
}

export interface TreeProgress {
  status: string;
  runs: number;
  steps: number;
  llm_calls: number;
  programs: number;
}

/** How far a run tree has come: what the viewer polls while a run is in progress. */
export async function treeProgress(database: Database, rootRunId: string): Promise<TreeProgress | null> {
  const rows = await database.query<{ status: string; runs: string | number; steps: string | number; llm_calls: string | number; programs: string | number }>(
    `select r.status,
            (select count(*) from runs t where t.root_run_id = r.id) as runs,
            (select count(*) from steps s join runs t on t.id = s.run_id where t.root_run_id = r.id) as steps,
            (select count(*) from llm_calls c join runs t on t.id = c.run_id where t.root_run_id = r.id) as llm_calls,
            (select count(*) from programs p join runs t on t.id = p.run_id where t.root_run_id = r.id) as programs
       from runs r where r.id = $1`,
    [rootRunId],
  );
  const r = rows[0];
  return r ? { status: r.status, runs: Number(r.runs), steps: Number(r.steps), llm_calls: Number(r.llm_calls), programs: Number(r.programs) } : null;
}

export interface PromotionDetailRow extends PromotionRow {
  evidence: Record<string, unknown> | null;
  created_at: string | Date;
}

/** Every promotion of a function with its evidence, newest first. */
export function promotionDetails(database: Database, name: string): Promise<PromotionDetailRow[]> {
  return database.query<PromotionDetailRow>(
    'select version, status, branch, pr_url, support, coverage, gain, cluster_id, evidence, created_at from promotions where name = $1 order by created_at desc',
    [name],
  );
}

export interface RunBriefRow {
  id: string;
  root_run_id: string;
  status: string;
  query: string;
  started_at: string | Date;
  llm_calls: number;
}

/** These runs, briefly (for lists of the runs behind a cluster or a function). */
export function runBriefs(database: Database, ids: readonly string[]): Promise<RunBriefRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return database.query<RunBriefRow>(
    'select id, root_run_id, status, query, started_at, llm_calls from runs where id = any($1::uuid[]) order by started_at desc',
    [ids],
  );
}

/** The runs that called a library function, newest first, with how many calls and how many failed. */
export function libraryCallers(database: Database, name: string, limit = 200): Promise<(RunBriefRow & { calls: number; failed: number; version: string })[]> {
  return database.query(
    `select r.id, r.root_run_id, r.status, r.query, r.started_at, r.llm_calls,
            count(*)::int as calls, (count(*) filter (where l.status <> 'ok'))::int as failed, max(l.version) as version
       from lib_calls l join runs r on r.id = l.run_id where l.name = $1
      group by r.id order by r.started_at desc limit $2`,
    [name, limit],
  );
}

/** The last verification the miner recorded for a cluster (JSON as the miner wrote it), or null. */
export async function clusterVerification(database: Database, clusterId: string): Promise<Record<string, unknown> | null> {
  const rows = await database.query<{ verification: Record<string, unknown> | null }>('select verification from clusters where id = $1', [clusterId]);
  return rows[0]?.verification ?? null;
}

/** The functions proposed from a cluster: name, version, status. */
export function clusterPromotions(database: Database, clusterId: string): Promise<{ name: string; version: string; status: string }[]> {
  return database.query('select name, version, status from promotions where cluster_id = $1 order by created_at desc', [clusterId]);
}

/** Characters of a model call's last message the run page shows before the call is opened. */
export const PROMPT_PREVIEW_CHARS = 300;

/**
 * A run tree's model calls without their messages (a root call carries the whole conversation so
 * far, a sub-call its piece of the input): the run page loads those when a call is opened. A root
 * call keeps its response (the step it belongs to has the same reply).
 */
export function treeCallSummaries(database: Database, runIds: readonly string[]) {
  if (runIds.length === 0) return Promise.resolve([]);
  return database.db
    .select({
      id: llmCalls.id,
      runId: llmCalls.runId,
      programId: llmCalls.programId,
      seq: llmCalls.seq,
      kind: llmCalls.kind,
      status: llmCalls.status,
      requestModel: llmCalls.requestModel,
      inputTokens: llmCalls.inputTokens,
      outputTokens: llmCalls.outputTokens,
      costUsd: llmCalls.costUsd,
      latencyMs: llmCalls.latencyMs,
      createdAt: llmCalls.createdAt,
      prompt: sql<string>`coalesce(left(${llmCalls.requestMessages} -> -1 ->> 'content', ${PROMPT_PREVIEW_CHARS}), '')`,
      rootResponse: sql<string | null>`case when ${llmCalls.kind} = 'root' then ${llmCalls.response} end`,
    })
    .from(llmCalls)
    .where(inArray(llmCalls.runId, [...runIds]))
    .orderBy(asc(llmCalls.seq));
}

export type CallSummaryRow = Awaited<ReturnType<typeof treeCallSummaries>>[number];

/** One model call in full (messages, response, error), or undefined. */
export async function llmCallById(database: Database, id: string) {
  const rows = await database.db.select().from(llmCalls).where(eq(llmCalls.id, id));
  return rows[0];
}
