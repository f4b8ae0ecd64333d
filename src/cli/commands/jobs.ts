/** `accrete worker` and `accrete schedule`: the nightly mining pass through pg-boss on a Postgres server. */
import type { Command } from 'commander';
import { JobsNeedServerError, listSchedules, openBoss, scheduleMine, unscheduleMine, workMine } from '../../../miner/jobs.js';
import { runMining } from '../../../miner/pipeline.js';
import { openDatabase } from '../../db/connection.js';
import { dbLocation, environment, libraryDir } from '../config.js';
import { UsageError } from '../errors.js';
import { printJson, withDb, withJson } from '../options.js';
import { renderMiningReport } from './mine.js';

function serverUrl(opts: { db?: string }): string {
  const url = dbLocation(opts.db);
  if (!/^postgres(ql)?:\/\//i.test(url)) throw new UsageError(new JobsNeedServerError().message);
  return url;
}

export function registerJobs(program: Command): void {
  const worker = program
    .command('worker')
    .description('run pg-boss workers for scheduled jobs (the nightly mining pass) until Ctrl-C; needs a Postgres server');
  withDb(worker);
  worker.action(async (opts: { db?: string }) => {
    const url = serverUrl(opts);
    const database = await openDatabase(url);
    const boss = await openBoss(url);
    const abort = new AbortController();
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    process.stderr.write(`accrete worker: waiting for mining jobs on ${database.location} (Ctrl-C to stop)\n`);
    try {
      await workMine(
        boss,
        async (jobId) => {
          process.stderr.write(`accrete worker: job ${jobId}: mining pass\n`);
          const report = await runMining(database, { libraryDir: libraryDir(), github: environment().github ?? false });
          process.stderr.write(`${renderMiningReport(report)}\n`);
        },
        abort.signal,
      );
    } finally {
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
