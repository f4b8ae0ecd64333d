/**
 * Batches in Postgres: what `submit` writes, what `batch status|results|cancel` read and change.
 * An item and the pg-boss job that delivers it are written in one transaction (pg-boss's insert
 * runs on the same connection), so a submitted item always has a job and a job always has its item.
 */
import { randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import postgres from 'postgres';
import type { Budgets } from '../runtime/budget.js';
import { storedContent } from '../runtime/context.js';
import type { BatchLine } from './input.js';

export type Sql = postgres.Sql;
type Tx = postgres.TransactionSql;

/**
 * A small connection pool for batches. A string given for a json/jsonb parameter is taken as JSON
 * text already (pg-boss passes its jobs that way), not encoded a second time.
 */
export function openBatchSql(url: string, max = 2): Sql {
  return postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 10,
    types: {
      json: { to: 114, from: [114, 3802], serialize: (x: unknown) => (typeof x === 'string' ? x : JSON.stringify(x)), parse: (x: string) => JSON.parse(x) as unknown },
    },
  }) as unknown as Sql;
}

/** The pg-boss queue of batch items (each job: one attempt at one item). */
export const RUN_QUEUE = 'accrete-run';
/** pg-boss's schema (miner/jobs.ts openBoss); workers read its job table to find jobs taken but never claimed. */
export const BOSS_SCHEMA = 'accrete_jobs';

/** Jobs outlive a run's default budget (30 min); a job whose worker died is failed by recovery, not by expiry. */
const JOB_EXPIRE_SECONDS = 6 * 3600;

export async function ensureRunQueue(boss: PgBoss): Promise<void> {
  await boss.createQueue(RUN_QUEUE, { name: RUN_QUEUE, policy: 'standard', retryLimit: 0, expireInSeconds: JOB_EXPIRE_SECONDS });
}

/** pg-boss's database interface over a transaction, so its inserts commit or roll back with ours. */
export function bossExecutor(tx: Tx): { executeSql(text: string, values: unknown[]): Promise<{ rows: Record<string, unknown>[] }> } {
  return {
    async executeSql(text, values) {
      const rows = await tx.unsafe(text, (values ?? []).map((v) => (v === undefined ? null : v)) as never[]);
      return { rows: rows as unknown as Record<string, unknown>[] };
    },
  };
}

/** Enqueues one attempt at each item: a new job id on the item and the job, in the caller's transaction. */
export async function enqueue(tx: Tx, boss: PgBoss, itemIds: string[]): Promise<void> {
  for (let i = 0; i < itemIds.length; i += 1_000) {
    const part = itemIds.slice(i, i + 1_000).map((itemId) => ({ itemId, jobId: randomUUID() }));
    await tx`update batch_items set job_id = v.job_id::uuid, status = 'queued', updated_at = now()
      from (select * from json_to_recordset(${JSON.stringify(part.map((p) => ({ item_id: p.itemId, job_id: p.jobId })))}::json) as x(item_id uuid, job_id uuid)) v
      where batch_items.id = v.item_id`;
    await boss.insert(
      part.map((p) => ({ id: p.jobId, name: RUN_QUEUE, data: { itemId: p.itemId } })),
      { db: bossExecutor(tx) },
    );
  }
}

export interface SubmitDefaults {
  model: string;
  subModel?: string;
  budgets: Partial<Budgets>;
}

export interface Submitted {
  batchId: string;
  items: number;
  /** Distinct inputs among the items, and how many of them were new to the database. */
  contexts: { distinct: number; new: number };
}

export async function submitBatch(sql: Sql, boss: PgBoss, input: { source: string; lines: BatchLine[]; defaults: SubmitDefaults; maxAttempts: number }): Promise<Submitted> {
  const batchId = randomUUID();
  const distinct = new Map(input.lines.map((l) => [l.context.sha256, l.context]));
  let fresh = 0;
  await sql.begin(async (tx) => {
    for (const ctx of distinct.values()) {
      const { content, encoding } = storedContent(ctx);
      const r = await tx`insert into contexts (sha256, kind, size_bytes, content, encoding)
        values (${ctx.sha256}, ${ctx.kind}, ${ctx.bytes.length}, ${content}, ${encoding}) on conflict (sha256) do nothing returning sha256`;
      fresh += r.length;
    }
    await tx`insert into batches (id, source, items, max_attempts) values (${batchId}, ${input.source}, ${input.lines.length}, ${input.maxAttempts})`;
    const rows = input.lines.map((l) => ({
      id: randomUUID(),
      batch_id: batchId,
      idx: l.line,
      query: l.query,
      context_sha256: l.context.sha256,
      model: l.model ?? input.defaults.model,
      sub_model: l.subModel ?? input.defaults.subModel ?? null,
      budgets: { ...input.defaults.budgets, ...l.budgets },
      metadata: l.metadata ?? null,
      status: 'queued',
    }));
    for (let i = 0; i < rows.length; i += 1_000) {
      const part = rows.slice(i, i + 1_000);
      await tx`insert into batch_items (id, batch_id, idx, query, context_sha256, model, sub_model, budgets, metadata, status)
        select id, batch_id, idx, query, context_sha256, model, sub_model, budgets, metadata, status
        from json_to_recordset(${JSON.stringify(part)}::json) as x(id uuid, batch_id uuid, idx int, query text, context_sha256 text, model text, sub_model text, budgets jsonb, metadata jsonb, status text)`;
    }
    await enqueue(tx, boss, rows.map((r) => r.id));
  });
  return { batchId, items: input.lines.length, contexts: { distinct: distinct.size, new: fresh } };
}

export class BatchNotFoundError extends Error {
  constructor(id: string) {
    super(`no batch ${id}: \`accrete batch list\` shows the batches on this database`);
    this.name = 'BatchNotFoundError';
  }
}

const COUNTED = ['queued', 'running', 'done', 'failed', 'interrupted', 'cancelled'] as const;
export type ItemCounts = Record<(typeof COUNTED)[number], number>;

export interface BatchStatus {
  id: string;
  source: string | null;
  createdAt: string;
  cancelledAt: string | null;
  items: number;
  counts: ItemCounts;
  /** Attempts beyond the first (retries after a worker died). */
  retries: number;
  /** Items finished per minute since the first one started. */
  perMinute: number | null;
  /** Estimated time until every item has finished, at that rate. */
  etaSeconds: number | null;
  finished: boolean;
}

export async function batchStatus(sql: Sql, id: string): Promise<BatchStatus> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new BatchNotFoundError(id);
  const [b] = await sql<{ id: string; source: string | null; created_at: Date; cancelled_at: Date | null; items: number }[]>`
    select id, source, created_at, cancelled_at, items from batches where id = ${id}`;
  if (!b) throw new BatchNotFoundError(id);
  const rows = await sql<{ status: string; n: number; attempts: number; first_start: Date | null; last_end: Date | null }[]>`
    select status, count(*)::int as n, coalesce(sum(greatest(attempts - 1, 0)), 0)::int as attempts, min(started_at) as first_start, max(ended_at) as last_end
    from batch_items where batch_id = ${id} group by status`;
  const counts = Object.fromEntries(COUNTED.map((s) => [s, 0])) as ItemCounts;
  let retries = 0;
  let firstStart: Date | null = null;
  let lastEnd: Date | null = null;
  for (const r of rows) {
    if ((COUNTED as readonly string[]).includes(r.status)) counts[r.status as keyof ItemCounts] = r.n;
    retries += r.attempts;
    if (r.first_start && (!firstStart || r.first_start < firstStart)) firstStart = r.first_start;
    if (r.last_end && (!lastEnd || r.last_end > lastEnd)) lastEnd = r.last_end;
  }
  const finishedItems = counts.done + counts.failed + counts.interrupted + counts.cancelled;
  const remaining = counts.queued + counts.running;
  const finished = remaining === 0;
  const until = finished && lastEnd ? lastEnd : new Date();
  const minutes = firstStart ? (until.getTime() - firstStart.getTime()) / 60_000 : 0;
  const perMinute = firstStart && minutes > 0 && finishedItems > 0 ? finishedItems / minutes : null;
  return {
    id: b.id,
    source: b.source,
    createdAt: b.created_at.toISOString(),
    cancelledAt: b.cancelled_at?.toISOString() ?? null,
    items: b.items,
    counts,
    retries,
    perMinute,
    etaSeconds: finished ? 0 : perMinute ? Math.round((remaining / perMinute) * 60) : null,
    finished,
  };
}

export interface BatchSummary {
  id: string;
  source: string | null;
  createdAt: string;
  items: number;
  done: number;
  open: number;
}

export async function listBatches(sql: Sql, limit = 20): Promise<BatchSummary[]> {
  const rows = await sql<{ id: string; source: string | null; created_at: Date; items: number; done: number; open: number }[]>`
    select b.id, b.source, b.created_at, b.items,
      count(*) filter (where i.status = 'done')::int as done,
      count(*) filter (where i.status in ('queued', 'running'))::int as open
    from batches b left join batch_items i on i.batch_id = b.id
    group by b.id order by b.created_at desc limit ${limit}`;
  return rows.map((r) => ({ id: r.id, source: r.source, createdAt: r.created_at.toISOString(), items: r.items, done: r.done, open: r.open }));
}

export interface BatchResult {
  line: number;
  itemId: string;
  query: string;
  status: string;
  answer: string | null;
  error: string | null;
  runId: string | null;
  runStatus: string | null;
  /** Every run that served the item, oldest first (one per attempt). */
  attempts: { runId: string; status: string; worker: string }[];
  metadata: Record<string, unknown> | null;
}

/** The items of a batch in file order, with their answers. */
export async function batchResults(sql: Sql, id: string): Promise<BatchResult[]> {
  await batchStatus(sql, id); // says clearly when there is no such batch
  const rows = await sql<
    {
      idx: number;
      id: string;
      query: string;
      status: string;
      error: string | null;
      run_id: string | null;
      metadata: Record<string, unknown> | null;
      answer: string | null;
      run_status: string | null;
      run_error: string | null;
      attempts: { runId: string; status: string; worker: string }[] | null;
    }[]
  >`
    select i.idx, i.id, i.query, i.status, i.error, i.run_id, i.metadata, r.answer, r.status as run_status, r.error as run_error,
      (select json_agg(json_build_object('runId', a.run_id, 'status', a.status, 'worker', a.owner_host || ':' || a.owner_pid) order by a.attempt)
         from batch_attempts a where a.item_id = i.id) as attempts
    from batch_items i left join runs r on r.id = i.run_id
    where i.batch_id = ${id} order by i.idx`;
  return rows.map((r) => ({
    line: r.idx,
    itemId: r.id,
    query: r.query,
    status: r.status,
    answer: r.answer,
    error: r.error ?? r.run_error,
    runId: r.run_id,
    runStatus: r.run_status,
    attempts: r.attempts ?? [],
    metadata: r.metadata,
  }));
}

/**
 * Cancels what has not finished: queued items (and their jobs) at once; running items are stopped
 * by their workers, which look for cancelled batches as they renew their heartbeat.
 */
export async function cancelBatch(sql: Sql, boss: PgBoss, id: string): Promise<{ cancelled: number; stopping: number }> {
  await batchStatus(sql, id);
  let jobs: string[] = [];
  let stopping = 0;
  await sql.begin(async (tx) => {
    await tx`update batches set cancelled_at = coalesce(cancelled_at, now()) where id = ${id}`;
    const rows = await tx<{ job_id: string | null }[]>`
      update batch_items set status = 'cancelled', error = 'the batch was cancelled before this item ran', ended_at = now(), updated_at = now()
      where batch_id = ${id} and status = 'queued' returning job_id`;
    jobs = rows.map((r) => r.job_id).filter((j): j is string => j !== null);
    const [r] = await tx<{ n: number }[]>`select count(*)::int as n from batch_items where batch_id = ${id} and status = 'running'`;
    stopping = r.n;
  });
  for (let i = 0; i < jobs.length; i += 1_000) await boss.cancel(RUN_QUEUE, jobs.slice(i, i + 1_000));
  return { cancelled: jobs.length, stopping };
}
