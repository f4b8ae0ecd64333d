/** `accrete worker` and `accrete schedule`: the nightly mining pass through pg-boss on a Postgres server. */
import { type Command, Option } from 'commander';
import { JobsNeedServerError, listSchedules, openBoss, scheduleMine, unscheduleMine, workMine } from '../../../miner/jobs.js';
import { runMining } from '../../../miner/pipeline.js';
import { openBatchSql } from '../../batch/store.js';
import { type BatchWorker, startBatchWorker } from '../../batch/worker.js';
import { openDatabase } from '../../db/connection.js';
import { dbLocation, environment, libraryDir, openaiConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { printJson, withDb, withJson } from '../options.js';
import { wholeNumber } from './batch.js';
import { renderMiningReport } from './mine.js';
import { libraryFromOptions } from './run.js';

function serverUrl(opts: { db?: string }): string {
  const url = dbLocation(opts.db);
  if (!/^postgres(ql)?:\/\//i.test(url)) throw new UsageError(new JobsNeedServerError().message);
  return url;
}

export function registerJobs(program: Command): void {
  const worker = program
    .command('worker')
    .description('run pg-boss workers until Ctrl-C: batches of queries (`accrete submit`) and the scheduled mining pass; needs a Postgres server')
    .addOption(new Option('--concurrency <n>', 'batch runs at once in this worker').default(1).argParser(wholeNumber('--concurrency', 1)))
    .addOption(new Option('--rpm <n>', 'requests per minute per model endpoint, shared by every worker on this database').argParser(wholeNumber('--rpm', 1)))
    .addOption(new Option('--tpm <n>', 'tokens per minute per model endpoint, shared by every worker on this database').argParser(wholeNumber('--tpm', 1)))
    .addOption(new Option('--stale-after-s <n>', "a run whose heartbeat is older than this has lost its worker: it is marked interrupted and its query retried").default(60).argParser(wholeNumber('--stale-after-s', 15)))
    .option('--base-url <url>', 'OpenAI-compatible endpoint of the models (default: $OPENAI_BASE_URL or OpenAI)')
    .option('--no-mine', 'take batch runs only, not the mining pass');
  withDb(worker);
  worker.addHelpText(
    'after',
    `
Start any number of workers, on any machines, against the same DATABASE_URL. Each takes queries of
submitted batches (--concurrency at a time) and, unless --no-mine, scheduled mining passes. A worker
killed mid-run is noticed by the others (its pid on the same host, else its heartbeat): its runs are
marked interrupted with what they logged and their queries retried (\`accrete submit --max-attempts\`).`,
  );
  worker.action(async (opts: { db?: string; concurrency: number; rpm?: number; tpm?: number; staleAfterS: number; baseUrl?: string; mine: boolean }) => {
    const url = serverUrl(opts);
    const database = await openDatabase(url, { maxConnections: opts.concurrency + 3 });
    const boss = await openBoss(url, { max: opts.concurrency + 3 });
    const sql = openBatchSql(url, 3);
    const log = (line: string) => process.stderr.write(`accrete worker: ${line}\n`);
    const abort = new AbortController();
    let batches: BatchWorker | undefined;
    const stop = () => {
      log('stopping: unfinished runs go back to the queue');
      void (batches?.stop() ?? Promise.resolve()).finally(() => abort.abort());
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      batches = await startBatchWorker({
        database,
        sql,
        boss,
        concurrency: opts.concurrency,
        openai: openaiConfig(opts),
        library: libraryFromOptions({}),
        rateLimit: { requestsPerMinute: opts.rpm, tokensPerMinute: opts.tpm },
        staleMs: opts.staleAfterS * 1000,
        log,
      });
      log(`waiting for batch runs (${opts.concurrency} at a time)${opts.mine ? ' and mining jobs' : ''} on ${database.location} (Ctrl-C to stop)`);
      if (opts.mine) {
        await workMine(
          boss,
          async (jobId) => {
            log(`job ${jobId}: mining pass`);
            const report = await runMining(database, { libraryDir: libraryDir(), github: environment().github ?? false });
            process.stderr.write(`${renderMiningReport(report)}\n`);
          },
          abort.signal,
        );
      } else {
        await new Promise<void>((resolve) => abort.signal.addEventListener('abort', () => resolve(), { once: true }));
        await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
      }
    } finally {
      await sql.end({ timeout: 5 });
      await database.close();
    }
  });

  const schedule = program.command('schedule').description('register, list or remove the scheduled mining pass (pg-boss; needs a Postgres server)');
  const add = schedule
    .command('mine')
    .description('schedule the mining pass with a cron expression, e.g. "0 3 * * *" (nightly at 03:00); one pass runs at a time across all workers')
    .argument('<cron>', 'cron expression (5 fields)')
    .option('--tz <zone>', 'time zone of the cron expression (default UTC)');
  withDb(add);
  add.action(async (cron: string, opts: { db?: string; tz?: string }) => {
    if (cron.trim().split(/\s+/).length !== 5) throw new UsageError(`"${cron}" is not a 5-field cron expression (minute hour day month weekday), e.g. "0 3 * * *"`);
    const boss = await openBoss(serverUrl(opts));
    try {
      await scheduleMine(boss, cron, opts.tz);
      process.stdout.write(`scheduled: accrete mine at "${cron}"${opts.tz ? ` (${opts.tz})` : ' (UTC)'}; run \`accrete worker\` on one or more machines to execute it\n`);
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });
  const list = schedule.command('list').description('the registered schedules');
  withJson(withDb(list));
  list.action(async (opts: { db?: string; json?: boolean }) => {
    const boss = await openBoss(serverUrl(opts));
    try {
      const rows = await listSchedules(boss);
      if (opts.json) printJson(rows);
      else process.stdout.write(rows.length ? rows.map((r) => `${r.name}  ${r.cron}  ${r.tz ?? 'UTC'}`).join('\n') + '\n' : 'no schedules\n');
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });
  const remove = schedule.command('remove').description('remove the scheduled mining pass');
  withDb(remove);
  remove.action(async (opts: { db?: string }) => {
    const boss = await openBoss(serverUrl(opts));
    try {
      await unscheduleMine(boss);
      process.stdout.write('removed the mining schedule\n');
    } finally {
      await boss.stop({ graceful: false, wait: true });
    }
  });
}
