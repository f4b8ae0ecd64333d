/**
 * The nightly job on a Postgres server: pg-boss queues and workers. `schedule` registers a cron
 * schedule for the mining pass; `work` runs passes as they come due. The queue's `singleton` policy
 * lets one pass run at a time across all workers and machines (and the pass itself holds an advisory
 * lock). The embedded database has no job queue: cron `accrete mine` instead.
 */
import PgBoss from 'pg-boss';

export const MINE_QUEUE = 'accrete-mine';

export class JobsNeedServerError extends Error {
  constructor() {
    super(
      'Scheduled jobs need a Postgres server: set DATABASE_URL (or --db postgres://...). On the embedded database, run `accrete mine` from cron, e.g. `0 3 * * * cd /path && npx accrete mine --json >> .accrete/mine.log`.',
    );
    this.name = 'JobsNeedServerError';
  }
}

/** pg-boss on the server; `max` bounds its connection pool (default 10). */
export async function openBoss(url: string, options: { max?: number } = {}): Promise<PgBoss> {
  if (!/^postgres(ql)?:\/\//i.test(url)) throw new JobsNeedServerError();
  const boss = new PgBoss({ connectionString: url, schema: 'accrete_jobs', application_name: 'accrete', max: options.max ?? 10 });
  boss.on('error', (err: Error) => process.stderr.write(`accrete worker: ${err.message}\n`));
  await boss.start();
  await boss.createQueue(MINE_QUEUE, { name: MINE_QUEUE, policy: 'singleton', retryLimit: 1, expireInSeconds: 4 * 3600 });
  return boss;
}

export async function scheduleMine(boss: PgBoss, cron: string, tz?: string): Promise<void> {
  await boss.schedule(MINE_QUEUE, cron, { reason: 'scheduled' }, tz ? { tz } : {});
}

export async function unscheduleMine(boss: PgBoss): Promise<void> {
  await boss.unschedule(MINE_QUEUE);
}

export async function listSchedules(boss: PgBoss): Promise<{ name: string; cron: string; tz: string | null }[]> {
  return (await boss.getSchedules()).map((s) => ({ name: s.name, cron: s.cron, tz: s.options?.tz ?? null }));
}

/** Runs the handler for each mining job until the signal aborts; returns when stopped. */
export async function workMine(boss: PgBoss, handler: (jobId: string) => Promise<unknown>, signal: AbortSignal): Promise<void> {
  await boss.work(MINE_QUEUE, { pollingIntervalSeconds: 2, batchSize: 1 }, async (jobs) => {
    for (const job of jobs) await handler(job.id);
  });
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await boss.stop({ graceful: true, wait: true, timeout: 30_000 });
}
