/**
 * `accrete submit FILE.jsonl` and `accrete batch status|results|cancel|list`: batches of queries on
 * a Postgres server, run by `accrete worker` processes on any number of machines.
 */
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { type Command, Option } from 'commander';
import { openBoss } from '../../../miner/jobs.js';
import { baseDirOf, readBatchFile } from '../../batch/input.js';
import { BatchNotFoundError, batchResults, openBatchSql, batchStatus, cancelBatch, ensureRunQueue, listBatches, type Sql, submitBatch } from '../../batch/store.js';
import { openDatabase } from '../../db/connection.js';
import { resolveModel } from '../../models/resolve.js';
import { dbLocation, environment, openaiConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { budgetsFromOptions, printJson, withBudgets, withDb, withJson } from '../options.js';

/** Why batches need a server, and how to get one. */
export const BATCHES_NEED_SERVER =
  'batches run on a Postgres server that every worker shares; this is the embedded database. Start a server with pgvector ' +
  '(a local PostgreSQL 15 with scripts/install-pgvector.sh, or a container such as pgvector/pgvector:pg15), set ' +
  'DATABASE_URL=postgres://USER:PASSWORD@HOST:5432/DB (or pass --db postgres://...), run `accrete worker` on each machine, then submit again.';

/** The server's URL, migrated; a usage error on the embedded database. */
export async function serverUrlFor(opts: { db?: string }): Promise<string> {
  const url = dbLocation(opts.db);
  if (!/^postgres(ql)?:\/\//i.test(url)) throw new UsageError(BATCHES_NEED_SERVER);
  const database = await openDatabase(url, { maxConnections: 2 }); // applies pending migrations (one connection holds their lock)
  await database.close();
  return url;
}

async function withServer<T>(opts: { db?: string }, fn: (sql: Sql, url: string) => Promise<T>): Promise<T> {
  const url = await serverUrlFor(opts);
  const sql = openBatchSql(url);
  try {
    return await fn(sql, url);
  } catch (err) {
    if (err instanceof BatchNotFoundError) throw new UsageError(err.message);
    throw err;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** A flag's parser: a whole number of at least `min`, else a usage error naming the flag. */
export function wholeNumber(flag: string, min = 1) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number of at least ${min} (got "${v}")`);
    return n;
  };
}

const duration = (s: number): string => (s < 90 ? `${s} s` : s < 5400 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

export function registerBatch(program: Command): void {
  const submit = program
    .command('submit')
    .description('enqueue a batch of queries from a JSONL file (one {query, context|contextFile|contextUrl, model?, subModel?, budgets?, metadata?} a line) for `accrete worker`; prints the batch id; needs a Postgres server')
    .argument('<file>', 'the queries, one JSON object a line')
    .option('--model <spec>', 'root model of lines that name none (default: $ACCRETE_MODEL or gpt-5-mini)')
    .option('--sub-model <spec>', 'sub-call model of lines that name none')
    .addOption(new Option('--max-attempts <n>', 'attempts per query when its worker dies mid-run (2: retried once)').default(2).argParser(wholeNumber('--max-attempts')));
  withJson(withBudgets(withDb(submit)), 'print {batchId, items, contexts}');
  submit.addHelpText(
    'after',
    `
Budget flags apply to every line; a line's "budgets" object overrides them (e.g. {"maxIterations": 8}).
A contextFile is read relative to the JSONL file; a contextUrl is fetched now. Each input is stored once.
Every line is checked first: any problem is reported with its line number and nothing is enqueued (exit 2).
Example:
  {"query": "How many tickets mention a refund?", "contextFile": "tickets.txt", "metadata": {"case": 7}}
  accrete submit queries.jsonl --max-iterations 12 && accrete worker --concurrency 4`,
  );
  submit.action(async (file: string, opts: { db?: string; json?: boolean; model?: string; subModel?: string; maxAttempts: number; [k: string]: unknown }) => {
    const url = dbLocation(opts.db);
    if (!/^postgres(ql)?:\/\//i.test(url)) throw new UsageError(BATCHES_NEED_SERVER);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
    const checkModel = (spec: string): string | null => {
      try {
        resolveModel(spec, 'root', openaiConfig({}));
        return null;
      } catch (err) {
        return (err as Error).message;
      }
    };
    const { lines, problems } = await readBatchFile(text, { baseDir: baseDirOf(file), checkModel });
    if (problems.length > 0) {
      const shown = problems.slice(0, 20).map((p) => (p.line ? `  line ${p.line}: ${p.error}` : `  ${p.error}`));
      if (problems.length > 20) shown.push(`  ... and ${problems.length - 20} more`);
      throw new UsageError(`${file}: ${problems.length} line${problems.length === 1 ? '' : 's'} to fix; nothing was enqueued:\n${shown.join('\n')}`);
    }
    const model = opts.model ?? environment().model ?? 'gpt-5-mini';
    const subModel = opts.subModel ?? environment().subModel;
    for (const spec of [model, subModel].filter((s): s is string => Boolean(s))) {
      const problem = checkModel(spec);
      if (problem) throw new UsageError(`--model/--sub-model ${spec}: ${problem}`);
    }
    const result = await withServer(opts, async (sql, serverUrl) => {
      const boss = await openBoss(serverUrl, { max: 2 });
      try {
        await ensureRunQueue(boss);
        return await submitBatch(sql, boss, { source: basename(file), lines, defaults: { model, subModel, budgets: budgetsFromOptions(opts) }, maxAttempts: opts.maxAttempts });
      } finally {
        await boss.stop({ graceful: false, wait: true });
      }
    });
    if (opts.json) printJson(result);
    else {
      process.stdout.write(`${result.batchId}\n`);
      process.stderr.write(
        `accrete: batch ${result.batchId}: ${result.items} queries enqueued (${result.contexts.distinct} distinct inputs, ${result.contexts.new} new); ` +
          `follow it with \`accrete batch status ${result.batchId}\`; \`accrete worker\` runs it\n`,
      );
    }
  });

  const batch = program.command('batch').description('the batches submitted with `accrete submit`: status, results, cancel, list (Postgres server)');

  const status = batch.command('status').description('how far a batch is: queued, running, done, failed, interrupted, cancelled, and an ETA').argument('<id>', 'the batch id `accrete submit` printed');
  withJson(withDb(status));
  status.action(async (id: string, opts: { db?: string; json?: boolean }) => {
    const s = await withServer(opts, (sql) => batchStatus(sql, id));
    if (opts.json) return printJson(s);
    const c = s.counts;
    const rate = s.perMinute !== null ? ` · ${s.perMinute.toFixed(1)} a minute` : '';
    const eta = s.finished ? 'finished' : s.etaSeconds !== null ? `about ${duration(s.etaSeconds)} to go` : 'no estimate yet (nothing finished)';
    process.stdout.write(
      [
        `batch ${s.id}${s.source ? ` (${s.source})` : ''} · ${s.items} queries · ${eta}${rate}${s.cancelledAt ? ' · cancelled' : ''}`,
        `  done ${c.done} · running ${c.running} · queued ${c.queued} · failed ${c.failed} · interrupted ${c.interrupted} · cancelled ${c.cancelled}${s.retries ? ` · ${s.retries} retried after a worker died` : ''}`,
      ].join('\n') + '\n',
    );
  });

  const results = batch
    .command('results')
    .description("a batch's answers as JSONL, in file order: {line, itemId, query, status, answer, error, runId, runStatus, attempts, metadata}")
    .argument('<id>', 'the batch id')
    .option('-o, --output <file>', 'write to this file instead of standard output');
  withDb(results);
  results.action(async (id: string, opts: { db?: string; output?: string }) => {
    const rows = await withServer(opts, (sql) => batchResults(sql, id));
    const out = opts.output ? createWriteStream(opts.output) : process.stdout;
    for (const r of rows) out.write(`${JSON.stringify(r)}\n`);
    if (opts.output) await new Promise<void>((resolve, reject) => (out as ReturnType<typeof createWriteStream>).end((err?: Error | null) => (err ? reject(err) : resolve())));
  });

  const cancel = batch.command('cancel').description('cancel what has not finished: queued queries at once, running ones as their workers notice').argument('<id>', 'the batch id');
  withJson(withDb(cancel));
  cancel.action(async (id: string, opts: { db?: string; json?: boolean }) => {
    const r = await withServer(opts, async (sql, url) => {
      const boss = await openBoss(url, { max: 2 });
      try {
        return await cancelBatch(sql, boss, id);
      } finally {
        await boss.stop({ graceful: false, wait: true });
      }
    });
    if (opts.json) printJson({ batchId: id, ...r });
    else process.stdout.write(`batch ${id}: ${r.cancelled} queued queries cancelled; ${r.stopping} running ones stop as their workers notice (within seconds)\n`);
  });

  const list = batch.command('list').description('recent batches, newest first').addOption(new Option('-n <count>', 'how many').default(20).argParser(wholeNumber('-n')));
  withJson(withDb(list));
  list.action(async (opts: { db?: string; json?: boolean; n: number }) => {
    const rows = await withServer(opts, (sql) => listBatches(sql, opts.n));
    if (opts.json) return printJson(rows);
    process.stdout.write(rows.length ? rows.map((b) => `${b.id}  ${b.createdAt.slice(0, 19)}  ${b.done}/${b.items} done  ${b.open} open  ${b.source ?? ''}`).join('\n') + '\n' : 'no batches yet: `accrete submit FILE.jsonl`\n');
  });
}
