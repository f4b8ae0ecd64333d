/**
 * Batches on real worker processes against the server: an `accrete worker` killed with SIGKILL
 * mid-run, then a second one started. Its runs are found by the second worker (the pid is gone on
 * this host), marked interrupted with what they logged, and their queries retried: every query is
 * answered once, none lost.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBatchFile } from '../../src/batch/input.js';
import { batchResults, batchStatus, cancelBatch, ensureRunQueue, openBatchSql, submitBatch } from '../../src/batch/store.js';
import { openDatabase } from '../../src/db/connection.js';
import { openBoss } from '../../miner/jobs.js';
import { spawnAccrete } from '../helpers/cli.js';
import { serverDbUrl } from '../helpers/db.js';

const server = process.env.TEST_DATABASE_URL;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const until = async <T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 240_000): Promise<T> => {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
};

function worker(url: string, cwd: string): { proc: ChildProcessWithoutNullStreams; exited: Promise<number | null>; log: () => string } {
  const proc = spawnAccrete(['worker', '--db', url, '--concurrency', '2', '--no-mine'], { cwd });
  let log = '';
  proc.stderr.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, exited, log: () => log };
}

describe.skipIf(!server)('batches on worker processes (Postgres server; set TEST_DATABASE_URL)', () => {
  it('submit stores each input once and enqueues a job per query; cancel stops what has not run', async () => {
    const { url, drop } = await serverDbUrl();
    const database = await openDatabase(url, { maxConnections: 2 });
    const sql = openBatchSql(url);
    const boss = await openBoss(url, { max: 2 });
    try {
      await ensureRunQueue(boss);
      const text = ['a', 'b', 'a'].map((c, i) => JSON.stringify({ query: `q${i}`, context: `input ${c}` })).join('\n');
      const { lines } = await readBatchFile(text, { baseDir: tmpdir() });
      const submitted = await submitBatch(sql, boss, { source: 'three.jsonl', lines, defaults: { model: 'sim:root', budgets: { maxIterations: 5 } }, maxAttempts: 2 });
      expect(submitted).toMatchObject({ items: 3, contexts: { distinct: 2, new: 2 } });
      const jobs = await database.query<{ state: string }>(
        `select j.state::text as state from batch_items i join accrete_jobs.job j on j.id = i.job_id where i.batch_id = $1`,
        [submitted.batchId],
      );
      expect(jobs.map((j) => j.state)).toEqual(['created', 'created', 'created']);
      const before = await batchStatus(sql, submitted.batchId);
      expect(before).toMatchObject({ items: 3, finished: false, etaSeconds: null, counts: { queued: 3, done: 0 } });
      expect(await cancelBatch(sql, boss, submitted.batchId)).toEqual({ cancelled: 3, stopping: 0 });
      const after = await batchStatus(sql, submitted.batchId);
      expect(after).toMatchObject({ finished: true, counts: { queued: 0, cancelled: 3 } });
      expect(after.cancelledAt).not.toBeNull();
      const cancelledJobs = await database.query<{ state: string }>(
        `select j.state::text as state from batch_items i join accrete_jobs.job j on j.id = i.job_id where i.batch_id = $1`,
        [submitted.batchId],
      );
      expect(cancelledJobs.every((j) => j.state === 'cancelled')).toBe(true);
      const results = await batchResults(sql, submitted.batchId);
      expect(results.map((r) => [r.line, r.status, r.attempts.length])).toEqual([
        [1, 'cancelled', 0],
        [2, 'cancelled', 0],
        [3, 'cancelled', 0],
      ]);
    } finally {
      await boss.stop({ graceful: false, wait: true });
      await sql.end({ timeout: 5 });
      await database.close();
      await drop();
    }
  });

  it('a worker killed mid-run: its runs are interrupted with what it logged, the query retried, nothing lost or done twice', async () => {
    const { url, drop } = await serverDbUrl();
    const cwd = mkdtempSync(join(tmpdir(), 'accrete-workers-'));
    dirs.push(cwd);
    const database = await openDatabase(url, { maxConnections: 3 });
    const sql = openBatchSql(url);
    const boss = await openBoss(url, { max: 2 });
    const workers: ReturnType<typeof worker>[] = [];
    try {
      await ensureRunQueue(boss);
      // Slow simulated models (300 ms a call): each run takes a few seconds, long enough to be cut.
      const text = Array.from({ length: 4 }, (_, i) =>
        JSON.stringify({ query: 'How many lines mention a refund?', context: Array.from({ length: 40 }, (_, j) => (j % (i + 2) ? `line ${j}` : `refund ${j}`)).join('\n'), metadata: { i } }),
      ).join('\n');
      const { lines, problems } = await readBatchFile(text, { baseDir: cwd });
      expect(problems).toEqual([]);
      const { batchId } = await submitBatch(sql, boss, {
        source: 'test.jsonl',
        lines,
        defaults: { model: 'sim:root?latencyMs=300', subModel: 'sim:leaf?latencyMs=300', budgets: {} },
        maxAttempts: 2,
      });
      // A job a dead worker took before claiming its query: left active in pg-boss, the query still queued.
      const [taken] = await database.query<{ job_id: string }>(`select job_id from batch_items where batch_id = $1 and idx = 4`, [batchId]);
      await database.query(`update accrete_jobs.job set state = 'active', started_on = now() - interval '10 minutes' where id = $1`, [taken.job_id]);
      const victim = worker(url, cwd);
      workers.push(victim);
      // Kill the first worker once one of its runs has logged a model call.
      await until('a model call logged by the first worker', async () => {
        const rows = await database.query(
          `select 1 from batch_attempts a join runs r on r.id = a.run_id join llm_calls c on c.run_id = a.run_id
           where a.owner_pid = $1 and a.status = 'running' and r.status = 'running' limit 1`,
          [victim.proc.pid],
        );
        return rows.length > 0;
      });
      victim.proc.kill('SIGKILL');
      await victim.exited;
      // The second worker finds the dead worker's runs (its pid is gone on this host) as it starts.
      const survivor = worker(url, cwd);
      workers.push(survivor);

      const status = await until('the batch to finish', async () => {
        const s = await batchStatus(sql, batchId);
        return s.finished ? s : null;
      });
      expect(status.counts, survivor.log()).toMatchObject({ done: 4, failed: 0, interrupted: 0, queued: 0, running: 0 });
      expect(status.retries).toBeGreaterThanOrEqual(1);

      const results = await batchResults(sql, batchId);
      expect(results.map((r) => r.line)).toEqual([1, 2, 3, 4]);
      for (const r of results) {
        expect(r.status).toBe('done');
        expect(r.answer).not.toBeNull();
        // Exactly one attempt answered each query; the others were interrupted.
        expect(r.attempts.filter((a) => a.status === 'done')).toHaveLength(1);
        expect(r.attempts.filter((a) => a.status !== 'done').every((a) => a.status === 'interrupted')).toBe(true);
      }
      // The query whose job was taken and never claimed got a new job; its one attempt answered it.
      expect(results[3].attempts.length).toBeGreaterThanOrEqual(1);
      expect(results[3].attempts[0].status === 'done' || results[3].attempts[0].status === 'interrupted').toBe(true);
      const retried = results.filter((r) => r.attempts.length > 1);
      expect(retried.length).toBeGreaterThanOrEqual(1);
      // What the killed worker's runs logged became their totals.
      for (const r of retried) {
        const first = r.attempts[0];
        const [run] = await database.query<{ status: string; llm_calls: number; error: string }>(`select status, llm_calls, error from runs where id = $1`, [first.runId]);
        const [logged] = await database.query<{ n: number }>(`select count(*)::int as n from llm_calls where run_id = $1 and status in ('ok', 'error')`, [first.runId]);
        expect(run.status).toBe('interrupted');
        expect(run.error).toMatch(/is not running/);
        expect(run.llm_calls).toBe(logged.n);
      }
      // Every run the batch started is accounted for by an attempt; none still running.
      const [open] = await database.query<{ n: number }>(`select count(*)::int as n from runs where status = 'running'`);
      expect(open.n).toBe(0);

      // Cancelling a finished batch changes nothing.
      expect(await cancelBatch(sql, boss, batchId)).toEqual({ cancelled: 0, stopping: 0 });
    } finally {
      for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
      await Promise.all(workers.map((w) => w.exited));
      await boss.stop({ graceful: false, wait: true });
      await sql.end({ timeout: 5 });
      await database.close();
      await drop();
    }
  });
});
