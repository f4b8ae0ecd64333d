/**
 * Runs left `running` by a process that died (kill -9, a crash, a lost machine) are marked
 * `interrupted`, with their totals recomputed from what was logged: iterations (steps, or root-model
 * calls when a step was cut short), model calls, tokens and cost of the run and its sub-runs, and
 * the time of the last thing logged. Called at the start of a runtime, by `accrete doctor` and by
 * workers. A run is only marked if its heartbeat has not moved since it was found, so a live owner
 * that renews it in between keeps its run.
 */
import type { Database } from './connection.js';
import { ownerGone, type RunOwner } from './owner.js';

export interface InterruptedRun {
  id: string;
  rootRunId: string;
  parentRunId: string | null;
  query: string;
  /** Why its owner is considered gone. */
  reason: string;
  iterations: number;
  llmCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  startedAt: string;
  endedAt: string;
}

export interface RecoverOptions {
  /** A heartbeat older than this means the owner is gone (default DEFAULT_STALE_MS). */
  staleMs?: number;
  /** The embedded database: whoever holds it is the only process, so every other owner is gone. */
  exclusive?: boolean;
  /** Report what would be marked without changing anything. */
  dryRun?: boolean;
  self?: RunOwner;
}

interface RunningRow {
  id: string;
  root_run_id: string;
  parent_run_id: string | null;
  query: string;
  owner_id: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  heartbeat_at: Date | string | null;
  /** The heartbeat at full precision, to match it exactly when marking. */
  heartbeat_text: string | null;
  started_at: Date | string;
}

interface TotalsRow {
  steps: number | string;
  root_calls: number | string;
  llm_calls: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cost_usd: number | string;
  last_at: Date | string | null;
}

const asDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

/** The totals of a run tree as logged; `$1` is the run. */
const TOTALS_SQL = `
with recursive tree(id) as (
  select $1::uuid
  union all
  select r.id from runs r join tree t on r.parent_run_id = t.id
),
calls as (select * from llm_calls where run_id in (select id from tree))
select
  (select count(*) from steps where run_id = $1::uuid) as steps,
  (select count(*) from llm_calls where run_id = $1::uuid and kind = 'root') as root_calls,
  (select count(*) from calls where status in ('ok', 'error')) as llm_calls,
  (select coalesce(sum(gen_ai_usage_input_tokens), 0) from calls) as input_tokens,
  (select coalesce(sum(gen_ai_usage_output_tokens), 0) from calls) as output_tokens,
  (select coalesce(sum(cost_usd), 0) from calls) as cost_usd,
  greatest(
    (select max(created_at) from calls),
    (select max(started_at + duration_ms * interval '1 millisecond') from steps where run_id in (select id from tree))
  ) as last_at`;

/** Finds the running runs whose owner is gone and marks them `interrupted` (unless dryRun). */
export async function recoverInterruptedRuns(database: Database, opts: RecoverOptions = {}): Promise<InterruptedRun[]> {
  const running = await database.query<RunningRow>(
    `select id, root_run_id, parent_run_id, query, owner_id, owner_host, owner_pid, heartbeat_at, heartbeat_at::text as heartbeat_text, started_at from runs where status = 'running' order by started_at`,
  );
  if (running.length === 0) return [];
  // The database's clock, which renews heartbeats: machines whose clocks differ agree on it.
  const [clock] = await database.query<{ now: Date | string }>('select now() as now');
  const now = asDate(clock.now) as Date;
  const out: InterruptedRun[] = [];
  for (const r of running) {
    const startedAt = asDate(r.started_at) as Date;
    const heartbeatAt = asDate(r.heartbeat_at);
    const why = ownerGone({ ownerId: r.owner_id, ownerHost: r.owner_host, ownerPid: r.owner_pid, heartbeatAt, startedAt }, now, opts);
    if (why === null) continue;
    const [t] = await database.query<TotalsRow>(TOTALS_SQL, [r.id]);
    const lastAt = [asDate(t.last_at), heartbeatAt, startedAt].filter((d): d is Date => d !== null).reduce((a, b) => (a > b ? a : b));
    const run: InterruptedRun = {
      id: r.id,
      rootRunId: r.root_run_id,
      parentRunId: r.parent_run_id,
      query: r.query,
      reason: why,
      iterations: Math.max(Number(t.steps), Number(t.root_calls)),
      llmCalls: Number(t.llm_calls),
      inputTokens: Number(t.input_tokens),
      outputTokens: Number(t.output_tokens),
      costUsd: Number(t.cost_usd),
      startedAt: startedAt.toISOString(),
      endedAt: lastAt.toISOString(),
    };
    if (!opts.dryRun) {
      const updated = await database.query(
        `update runs set status = 'interrupted', error = $2, iterations = $3, llm_calls = $4, gen_ai_usage_input_tokens = $5,
           gen_ai_usage_output_tokens = $6, cost_usd = $7, ended_at = $8, duration_ms = $9
         where id = $1 and status = 'running' and heartbeat_at is not distinct from $10::timestamptz and owner_id is not distinct from $11
         returning id`,
        [
          r.id,
          `interrupted: ${why}; the totals are what was logged before it stopped`,
          run.iterations,
          run.llmCalls,
          run.inputTokens,
          run.outputTokens,
          run.costUsd,
          lastAt.toISOString(),
          Math.min(2_147_483_647, Math.max(0, lastAt.getTime() - startedAt.getTime())),
          r.heartbeat_text,
          r.owner_id,
        ],
      );
      if (updated.length === 0) continue; // its owner renewed it, or finished it, in between
    }
    out.push(run);
  }
  return out;
}
