/**
 * The batch side of `accrete worker`: takes run jobs from pg-boss, `concurrency` at a time, and
 * runs each item through the logged runtime. Every attempt is claimed in one transaction that
 * checks the job is the item's current one, creates the run row (with this process as its owner)
 * and records the attempt — so a stale or duplicate job does nothing and no item runs twice.
 *
 * Every few seconds a worker also: renews nothing itself (the trace writer heartbeats its runs),
 * marks runs whose owner is gone `interrupted` (src/db/interrupted.ts), retries their items up to
 * the batch's attempts (or marks them interrupted), settles items whose worker died after its run
 * ended, gives a new job to items whose job a dead worker took before claiming them, and stops its
 * own runs of batches that were cancelled.
 */
import { randomUUID } from 'node:crypto';
import type PgBoss from 'pg-boss';
import type { Database } from '../db/connection.js';
import { recoverInterruptedRuns } from '../db/interrupted.js';
import { DEFAULT_STALE_MS, processOwner } from '../db/owner.js';
import type { LibraryConfig } from '../library/load.js';
import type { LibrarySnapshot } from '../library/types.js';
import { type RateLimit, rateLimited, SharedRateLimiter } from '../models/rate-limit.js';
import { type ModelConfig, resolveModel } from '../models/resolve.js';
import type { ModelClient } from '../models/types.js';
import type { Budgets } from '../runtime/budget.js';
import type { ContextInput } from '../runtime/context.js';
import type { RunSummary } from '../runtime/run.js';
import { createRuntime, type Runtime } from '../runtime/runtime.js';
import { BOSS_SCHEMA, enqueue, ensureRunQueue, RUN_QUEUE, type Sql } from './store.js';

export interface BatchWorkerOptions {
  database: Database;
  sql: Sql;
  boss: PgBoss;
  /** Runs at once in this process (default 1). */
  concurrency?: number;
  openai?: ModelConfig;
  library?: LibrarySnapshot | LibraryConfig | false;
  /** The shared limit of every model endpoint this worker calls (requests and tokens per minute). */
  rateLimit?: RateLimit;
  /** A heartbeat older than this means its worker is gone (default 60 s). */
  staleMs?: number;
  /** How often to look for dead workers' runs and cancelled batches (default 2 s). */
  tickMs?: number;
  /** pg-boss polling interval in seconds (default 0.5). */
  pollSeconds?: number;
  log?: (line: string) => void;
}

export interface BatchWorker {
  /** Items this worker finished, by outcome. */
  readonly finished: Record<string, number>;
  /** Stops taking jobs, stops its runs (their items go back to the queue) and waits for them. */
  stop(): Promise<void>;
}

interface ClaimedItem {
  batch_id: string;
  idx: number;
  query: string;
  context_sha256: string | null;
  model: string | null;
  sub_model: string | null;
  budgets: Partial<Budgets> | null;
  attempts: number;
}

class WorkerStopping extends Error {
  constructor() {
    super('the worker is stopping; the item goes back to the queue');
    this.name = 'WorkerStopping';
  }
}

class BatchCancelled extends Error {
  constructor() {
    super('the batch was cancelled');
    this.name = 'BatchCancelled';
  }
}

async function loadContext(sql: Sql, sha256: string | null): Promise<ContextInput> {
  if (!sha256) return '';
  const [c] = await sql<{ kind: string; content: string; encoding: string }[]>`select kind, content, encoding from contexts where sha256 = ${sha256}`;
  if (!c) throw new Error(`the item's input ${sha256} is not in the contexts table`);
  if (c.encoding === 'base64') return new Uint8Array(Buffer.from(c.content, 'base64'));
  if (c.kind === 'json') return { json: JSON.parse(c.content) };
  return c.content;
}

export async function startBatchWorker(opts: BatchWorkerOptions): Promise<BatchWorker> {
  const { database, sql, boss } = opts;
  const owner = processOwner();
  const log = opts.log ?? (() => {});
  const staleMs = opts.staleMs ?? DEFAULT_STALE_MS;
  const runtimes = new Map<string, Promise<Runtime>>();
  const limiters = new Map<string, SharedRateLimiter>();
  /** Items running here: their abort controllers. */
  const active = new Map<string, AbortController>();
  const finished: Record<string, number> = {};
  let stopping = false;
  await ensureRunQueue(boss);

  const limit = (client: ModelClient): ModelClient => {
    const r = opts.rateLimit;
    if (!r || (r.requestsPerMinute === undefined && r.tokensPerMinute === undefined)) return client;
    const endpoint = `${client.provider}:${client.model}@${opts.openai?.baseURL ?? 'default'}`;
    let limiter = limiters.get(endpoint);
    if (!limiter) limiters.set(endpoint, (limiter = new SharedRateLimiter(database, endpoint, r)));
    return rateLimited(client, limiter);
  };

  const runtimeFor = (model: string, subModel: string | null): Promise<Runtime> => {
    const key = `${model}\u0000${subModel ?? ''}`;
    let rt = runtimes.get(key);
    if (!rt) {
      rt = (async () => {
        const root = resolveModel(model, 'root', opts.openai);
        const sub = subModel ? resolveModel(subModel, 'sub', opts.openai) : undefined;
        return createRuntime({ db: database, model: limit(root), subModel: sub ? limit(sub) : undefined, openai: opts.openai, library: opts.library, warmSandboxes: opts.concurrency ?? 1 });
      })();
      rt.catch(() => runtimes.delete(key));
      runtimes.set(key, rt);
    }
    return rt;
  };

  /** Claims the item for this job: null when the job is stale (the item moved on, or its batch was cancelled). */
  const claim = async (itemId: string, jobId: string): Promise<{ item: ClaimedItem; runId: string } | null> => {
    const runId = randomUUID();
    return sql.begin(async (tx) => {
      const [item] = await tx<ClaimedItem[]>`
        update batch_items set status = 'running', attempts = attempts + 1, run_id = ${runId}, error = null,
          started_at = coalesce(started_at, now()), updated_at = now()
        where id = ${itemId} and job_id = ${jobId} and status = 'queued'
          and not exists (select 1 from batches b where b.id = batch_items.batch_id and b.cancelled_at is not null)
        returning batch_id, idx, query, context_sha256, model, sub_model, budgets, attempts`;
      if (!item) return null;
      await tx`insert into runs (id, root_run_id, query, context_sha256, gen_ai_request_model, sub_model, status, started_at, owner_id, owner_host, owner_pid, heartbeat_at, metadata)
        values (${runId}, ${runId}, ${item.query}, ${item.context_sha256}, ${item.model}, ${item.sub_model}, 'running', now(), ${owner.id}, ${owner.host}, ${owner.pid}, now(),
          ${sql.json({ batchId: item.batch_id, itemId, attempt: item.attempts })})`;
      await tx`insert into batch_attempts (item_id, attempt, run_id, job_id, status, owner_id, owner_host, owner_pid)
        values (${itemId}, ${item.attempts}, ${runId}, ${jobId}, 'running', ${owner.id}, ${owner.host}, ${owner.pid})`;
      return { item, runId };
    });
  };

  /** Records how the attempt ended; a no-op when the item has moved on (recovered elsewhere meanwhile). */
  const settle = async (itemId: string, runId: string, status: 'done' | 'failed' | 'cancelled', error: string | null): Promise<boolean> =>
    sql.begin(async (tx) => {
      await tx`update batch_attempts set status = ${status}, ended_at = now() where run_id = ${runId} and status = 'running'`;
      const rows = await tx`update batch_items set status = ${status}, error = ${error}, ended_at = now(), updated_at = now()
        where id = ${itemId} and run_id = ${runId} and status = 'running' returning id`;
      return rows.length > 0;
    });

  /** The attempt did not finish (its worker died or stopped): retry it while attempts remain, else mark it interrupted. */
  const requeueOrInterrupt = async (itemId: string, runId: string, why: string, force = false): Promise<'requeued' | 'interrupted' | null> =>
    sql.begin(async (tx) => {
      await tx`update batch_attempts set status = 'interrupted', ended_at = now() where run_id = ${runId} and status = 'running'`;
      const [item] = await tx<{ attempts: number; max_attempts: number; cancelled: boolean }[]>`
        select i.attempts, b.max_attempts, b.cancelled_at is not null as cancelled from batch_items i join batches b on b.id = i.batch_id
        where i.id = ${itemId} and i.run_id = ${runId} and i.status = 'running' for update of i`;
      if (!item) return null;
      if (!item.cancelled && (force || item.attempts < item.max_attempts)) {
        await enqueue(tx, boss, [itemId]);
        return 'requeued';
      }
      const reason = item.cancelled ? 'the batch was cancelled' : `${why}; no attempts left (${item.attempts} of ${item.max_attempts})`;
      await tx`update batch_items set status = ${item.cancelled ? 'cancelled' : 'interrupted'}, error = ${reason}, ended_at = now(), updated_at = now() where id = ${itemId}`;
      return 'interrupted';
    });

  /** A job fetched as this worker stops: the item gets a new job, for another worker. */
  const handBack = (itemId: string, jobId: string): Promise<void> =>
    sql.begin(async (tx) => {
      const [queued] = await tx`select id from batch_items where id = ${itemId} and job_id = ${jobId} and status = 'queued' for update`;
      if (queued) await enqueue(tx, boss, [itemId]);
    });

  const count = (what: string) => (finished[what] = (finished[what] ?? 0) + 1);

  const handle = async (itemId: string, jobId: string): Promise<void> => {
    if (stopping) return handBack(itemId, jobId);
    const claimed = await claim(itemId, jobId);
    if (!claimed) return;
    const { item, runId } = claimed;
    const abort = new AbortController();
    active.set(itemId, abort);
    let summary: RunSummary | undefined;
    let failure: unknown;
    try {
      const runtime = await runtimeFor(item.model ?? 'gpt-5-mini', item.sub_model);
      const context = await loadContext(sql, item.context_sha256);
      summary = await runtime.run({ query: item.query, context, runId, budgets: item.budgets ?? undefined, signal: abort.signal });
    } catch (err) {
      failure = err;
    } finally {
      active.delete(itemId);
    }
    const reason = abort.signal.reason;
    if (reason instanceof WorkerStopping) {
      const r = await requeueOrInterrupt(itemId, runId, 'its worker stopped', true);
      log(`item ${item.idx} of batch ${item.batch_id}: ${r === 'requeued' ? 'back in the queue (this worker is stopping)' : 'not finished'}`);
      return;
    }
    if (!summary) {
      const message = `the run could not start: ${(failure as Error)?.message ?? String(failure)}`;
      // The run row was created at the claim: end it, so nothing is left running.
      await database.query(`update runs set status = 'failed', error = $2, ended_at = now() where id = $1 and status = 'running'`, [runId, message]);
      if (await settle(itemId, runId, 'failed', message)) count('failed');
      log(`item ${item.idx} of batch ${item.batch_id}: failed — ${message}`);
      return;
    }
    const status = summary.status === 'succeeded' ? 'done' : reason instanceof BatchCancelled ? 'cancelled' : 'failed';
    const error = status === 'done' ? null : `${summary.status}: ${summary.error ?? 'no answer'}`;
    // Not settled: the item was recovered elsewhere meanwhile (this worker looked dead); its answer is not used twice.
    count((await settle(itemId, runId, status, error)) ? status : 'superseded');
    log(`item ${item.idx} of batch ${item.batch_id}: ${status} (run ${runId}, ${summary.llmCalls} model calls, ${summary.durationMs} ms)`);
  };

  /** Dead workers' runs and items, and cancelled batches' runs here. */
  const recover = async (): Promise<void> => {
    await recoverInterruptedRuns(database, { staleMs });
    const stranded = await sql<{ id: string; run_id: string; job_id: string | null; run_status: string; stale: boolean }[]>`
      select i.id, i.run_id, a.job_id, r.status as run_status,
        coalesce(r.ended_at, r.heartbeat_at, r.started_at) < now() - ${staleMs / 1000} * interval '1 second' as stale
      from batch_items i join runs r on r.id = i.run_id left join batch_attempts a on a.run_id = i.run_id
      where i.status = 'running' and r.status <> 'running'`;
    for (const s of stranded) {
      if (active.has(s.id)) continue;
      if (s.run_status === 'interrupted') {
        const r = await requeueOrInterrupt(s.id, s.run_id, 'its worker died mid-run');
        if (r) log(`item ${s.id}: its worker died mid-run (run ${s.run_id} interrupted); ${r === 'requeued' ? 'retrying it' : 'no attempts left'}`);
      } else if (s.stale) {
        // The run ended but its worker died before recording it: the run's outcome is the item's.
        const status = s.run_status === 'succeeded' ? 'done' : 'failed';
        if (await settle(s.id, s.run_id, status, status === 'done' ? null : `run ${s.run_status}`)) log(`item ${s.id}: settled from its run (${s.run_status}); its worker died before recording it`);
      } else continue;
      if (s.job_id) await boss.fail(RUN_QUEUE, s.job_id).catch(() => undefined);
    }
    // Items whose job was taken but never claimed (the worker died between fetching and claiming,
    // or the claim failed): after `staleMs` they get a new job. A late claim of the old one fails.
    const unclaimed = await sql<{ id: string }[]>`
      select i.id from batch_items i left join ${sql(BOSS_SCHEMA)}.job j on j.id = i.job_id and j.name = ${RUN_QUEUE}
      where i.status = 'queued' and (j.id is null or j.state::text not in ('created', 'retry'))
        and greatest(i.updated_at, j.started_on, j.completed_on) < now() - ${staleMs / 1000} * interval '1 second'`;
    for (const u of unclaimed) {
      const moved = await sql.begin(async (tx) => {
        const [still] = await tx`select id from batch_items where id = ${u.id} and status = 'queued' for update`;
        if (still) await enqueue(tx, boss, [u.id]);
        return Boolean(still);
      });
      if (moved) log(`item ${u.id}: its job was taken but never started (its worker died); queued again`);
    }
    if (active.size > 0) {
      const ids = [...active.keys()];
      const cancelled = await sql<{ id: string }[]>`
        select i.id from batch_items i join batches b on b.id = i.batch_id where i.id = any(${ids}::uuid[]) and b.cancelled_at is not null`;
      for (const c of cancelled) active.get(c.id)?.abort(new BatchCancelled());
    }
  };

  let ticking: Promise<void> = Promise.resolve();
  const tick = setInterval(() => {
    ticking = ticking.then(() => recover().catch((err: unknown) => log(`recovery: ${(err as Error).message}`)));
  }, opts.tickMs ?? 2_000);
  ticking = recover().catch((err: unknown) => log(`recovery: ${(err as Error).message}`));

  const workerIds: string[] = [];
  for (let i = 0; i < Math.max(1, opts.concurrency ?? 1); i++) {
    workerIds.push(
      await boss.work<{ itemId: string }>(RUN_QUEUE, { batchSize: 1, pollingIntervalSeconds: opts.pollSeconds ?? 0.5 }, async (jobs) => {
        for (const job of jobs) await handle(job.data.itemId, job.id);
      }),
    );
  }

  return {
    finished,
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(tick);
      for (const id of workerIds) await boss.offWork({ id });
      for (const a of active.values()) a.abort(new WorkerStopping());
      while (active.size > 0) await new Promise((r) => setTimeout(r, 50));
      await ticking;
      for (const rt of runtimes.values()) await (await rt.catch(() => undefined))?.close();
    },
  };
}
