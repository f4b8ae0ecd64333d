/**
 * Batches on worker processes: `npx tsx bench/batch.ts [--queries 200] [--latency-ms 500]
 * [--concurrency 4] [--workers 1,2,4|none] [--json]` with BENCH_DATABASE_URL (or TEST_DATABASE_URL) a
 * Postgres server URL (a fresh database is created on it and dropped at the end).
 *
 * Queries of the six simulated workload families, answered by the simulated models at a fixed
 * latency per model call. For 1, 2 and 4 `accrete worker` processes (each `--concurrency` runs at
 * once): the same batch, its throughput from the first claim to the last answer, against one worker.
 * Then 2 workers with one killed (SIGKILL) halfway: queries answered, answered twice, lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { openBoss } from '../miner/jobs.js';
import { readBatchFile } from '../src/batch/input.js';
import { batchResults, batchStatus, ensureRunQueue, openBatchSql, type Sql, submitBatch } from '../src/batch/store.js';
import { openDatabase } from '../src/db/connection.js';
import { buildWorkload, scoreTask } from '../src/sim/workloads.js';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
};
const QUERIES = Number(arg('queries', '200'));
const LATENCY_MS = Number(arg('latency-ms', '500'));
const CONCURRENCY = Number(arg('concurrency', '4'));
/** Worker counts to measure; `none` runs only the kill scenario. */
const WORKERS = arg('workers', '1,2,4') === 'none' ? [] : arg('workers', '1,2,4').split(',').map(Number);
const JSON_OUT = process.argv.includes('--json');

const base = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!base) {
  process.stderr.write('bench/batch.ts needs a Postgres server: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to postgres://...\n');
  process.exit(2);
}

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const log = (line: string) => process.stderr.write(`[bench/batch] ${line}\n`);

const dbName = `accrete_bench_batch_${process.pid}`;
const admin = postgres(base, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database ${dbName}`);
const u = new URL(base);
u.pathname = `/${dbName}`;
const url = u.toString();
const cwd = mkdtempSync(join(tmpdir(), 'accrete-bench-batch-'));

interface Worker {
  proc: ChildProcess;
  exited: Promise<void>;
  logFile: string;
}

function startWorker(i: number): Worker {
  const logFile = join(cwd, `worker-${i}-${Date.now()}.log`);
  const out = openSync(logFile, 'a');
  const proc = spawn(process.execPath, ['--import', TSX, MAIN, 'worker', '--db', url, '--concurrency', String(CONCURRENCY), '--no-mine'], {
    cwd,
    env: { ...process.env, DATABASE_URL: '', CI: '1' },
    stdio: ['ignore', out, out],
  });
  return { proc, exited: new Promise((resolve) => proc.on('exit', () => resolve())), logFile };
}

/** Starts workers and waits until each takes jobs: the measurement leaves out their start-up. */
async function startWorkers(n: number): Promise<Worker[]> {
  const ws = Array.from({ length: n }, (_, i) => startWorker(i));
  while (!ws.every((w) => /waiting for batch runs/.test(readFileSync(w.logFile, 'utf8')))) {
    if (ws.some((w) => w.proc.exitCode !== null)) throw new Error(`a worker exited: ${ws.map((w) => readFileSync(w.logFile, 'utf8')).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return ws;
}

async function stopWorkers(ws: Worker[]): Promise<void> {
  for (const w of ws) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
  await Promise.all(ws.map((w) => w.exited));
}

const tasks = buildWorkload({ seed: 16, perFamily: Math.ceil(QUERIES / 6), sizes: [20_000] }).slice(0, QUERIES);
const text = tasks.map((t, i) => JSON.stringify({ query: t.query, context: t.context, metadata: { task: i } })).join('\n');
const { lines, problems } = await readBatchFile(text, { baseDir: cwd });
if (problems.length) throw new Error(`bad workload: ${JSON.stringify(problems.slice(0, 3))}`);

const database = await openDatabase(url, { maxConnections: 2 }); // migrates
await database.close();
const sql: Sql = openBatchSql(url, 2);
const boss = await openBoss(url, { max: 2 });
await ensureRunQueue(boss);

const model = `sim:root?latencyMs=${LATENCY_MS}`;
const subModel = `sim:leaf?latencyMs=${LATENCY_MS}`;

async function submit(): Promise<string> {
  const { batchId } = await submitBatch(sql, boss, { source: 'bench', lines, defaults: { model, subModel, budgets: {} }, maxAttempts: 2 });
  return batchId;
}

async function waitFinished(batchId: string, onProgress?: (done: number) => Promise<void>): Promise<void> {
  for (;;) {
    const s = await batchStatus(sql, batchId);
    if (onProgress) await onProgress(s.counts.done);
    if (s.finished) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

interface Measured {
  batchId: string;
  seconds: number;
  perMinute: number;
  done: number;
  meanScore: number;
  meanRunSeconds: number;
  loadAvg: number;
}

async function measure(batchId: string): Promise<Measured> {
  const [t] = await sql<{ seconds: number; done: number; mean_run: number }[]>`
    select extract(epoch from max(ended_at) - min(started_at))::float8 as seconds, count(*) filter (where status = 'done')::int as done,
      (select avg(r.duration_ms)::float8 / 1000 from batch_items i join runs r on r.id = i.run_id where i.batch_id = ${batchId}) as mean_run
    from batch_items where batch_id = ${batchId}`;
  const results = await batchResults(sql, batchId);
  const scores = results.map((r) => scoreTask(tasks[(r.metadata as { task: number }).task], r.answer ?? ''));
  return {
    batchId,
    seconds: t.seconds,
    perMinute: (QUERIES / t.seconds) * 60,
    done: t.done,
    meanScore: scores.reduce((a, b) => a + b, 0) / scores.length,
    meanRunSeconds: t.mean_run,
    loadAvg: loadavg()[0],
  };
}

const scaling: (Measured & { workers: number; speedup: number })[] = [];
let kill: Record<string, number | string> | undefined;
try {
  for (const n of WORKERS) {
    const ws = await startWorkers(n);
    const batchId = await submit();
    log(`${n} worker(s) × ${CONCURRENCY}: batch ${batchId}`);
    await waitFinished(batchId);
    await stopWorkers(ws);
    const m = await measure(batchId);
    const speedup = scaling.length ? scaling[0].seconds / m.seconds : 1;
    scaling.push({ ...m, workers: n, speedup });
    log(`${n} worker(s): ${m.seconds.toFixed(1)} s, ${m.perMinute.toFixed(1)} queries/min, ×${speedup.toFixed(2)}, load ${m.loadAvg.toFixed(1)}`);
  }

  // Two workers, one killed with SIGKILL once half the queries are answered.
  const ws = await startWorkers(2);
  const batchId = await submit();
  log(`kill: 2 workers, one killed halfway: batch ${batchId}`);
  let killedAt = -1;
  await waitFinished(batchId, async (done) => {
    if (killedAt < 0 && done >= QUERIES / 2) {
      killedAt = done;
      ws[0].proc.kill('SIGKILL');
      log(`killed worker pid ${ws[0].proc.pid} at ${done} answered`);
    }
  });
  await stopWorkers(ws);
  const results = await batchResults(sql, batchId);
  const [runs] = await sql<{ succeeded: number; interrupted: number }[]>`
    select count(*) filter (where r.status = 'succeeded')::int as succeeded, count(*) filter (where r.status = 'interrupted')::int as interrupted
    from batch_attempts a join batch_items i on i.id = a.item_id join runs r on r.id = a.run_id where i.batch_id = ${batchId}`;
  const answeredTwice = results.filter((r) => r.attempts.filter((a) => a.status === 'done').length > 1).length;
  kill = {
    queries: QUERIES,
    killedAtAnswered: killedAt,
    answered: results.filter((r) => r.status === 'done').length,
    failed: results.filter((r) => r.status === 'failed').length,
    answeredTwice,
    lost: results.filter((r) => r.status !== 'done' && r.status !== 'failed').length,
    retried: results.filter((r) => r.attempts.length > 1).length,
    interruptedRuns: runs.interrupted,
    succeededRuns: runs.succeeded,
    seconds: (await measure(batchId)).seconds,
  };
  log(`kill: ${JSON.stringify(kill)}`);
} finally {
  await boss.stop({ graceful: false, wait: true });
  await sql.end({ timeout: 5 });
  await admin.unsafe(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  rmSync(cwd, { recursive: true, force: true });
}

const machine = `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}`;
if (JSON_OUT) process.stdout.write(`${JSON.stringify({ machine, queries: QUERIES, latencyMs: LATENCY_MS, concurrency: CONCURRENCY, scaling, kill }, null, 2)}\n`);
else {
  const rows = scaling.map((s) => `| ${s.workers} | ${s.seconds.toFixed(1)} s | ${s.perMinute.toFixed(1)} | ×${s.speedup.toFixed(2)} | ${s.meanRunSeconds.toFixed(1)} s | ${s.meanScore.toFixed(2)} | ${s.loadAvg.toFixed(1)} |`);
  process.stdout.write(
    [
      `${QUERIES} queries, simulated models at ${LATENCY_MS} ms a call, ${CONCURRENCY} runs at once per worker; ${machine}`,
      '',
      '| workers | first claim → last answer | queries/min | vs 1 worker | mean run | mean score | load avg (1 min) |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `one of 2 workers killed (SIGKILL) at ${kill?.killedAtAnswered} answered: ${kill?.answered} answered, ${kill?.failed} failed, ${kill?.answeredTwice} answered twice, ${kill?.lost} lost; ${kill?.retried} retried (${kill?.interruptedRuns} runs interrupted)`,
      '',
    ].join('\n'),
  );
}
process.exit(0);
