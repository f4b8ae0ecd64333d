/** `accrete export` and `accrete import`: runs as JSONL (src/trace/interchange.ts). */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { configuredSecrets, Redactor } from '../../trace/redact.js';
import { exportRuns, importLines } from '../../trace/interchange.js';
import { UsageError } from '../errors.js';
import { openDbFromOptions, positiveInteger, printJson, withDb, withJson } from '../options.js';
import { writeOut } from '../stdout.js';

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description('write runs as JSONL to standard output: one root run a line, with steps, programs, model calls and sub-runs')
    .option('--no-context', 'leave out the inputs (contexts)')
    .option('--since <date>', 'only runs started at or after this date (ISO 8601)')
    .addOption(new Option('-n, --limit <n>', 'at most this many runs').argParser(positiveInteger('-n/--limit')));
  withDb(cmd);
  cmd.action(async (opts: { context: boolean; since?: string; limit?: number; db?: string }) => {
    const since = opts.since ? new Date(opts.since) : undefined;
    if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since ${opts.since} is not a date (use e.g. 2026-11-01 or 2026-11-01T12:00:00Z)`);
    const database = await openDbFromOptions(opts);
    try {
      for await (const run of exportRuns(database, { withContext: opts.context, since, limit: opts.limit })) {
        if (!(await writeOut(`${JSON.stringify(run)}\n`))) break; // the reader went away (export | head)
      }
    } finally {
      await database.close();
    }
  });
}

export function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description('read runs from JSONL (accrete export, or minimal records {id, query, status, answer, steps: [{code: [...]}]})')
    .argument('<file>', 'a JSONL file (- for standard input)');
  withJson(withDb(cmd));
  cmd.action(async (file: string, opts: { db?: string; json?: boolean }) => {
    if (file !== '-' && !existsSync(file)) throw new UsageError(`no such file: ${file}`);
    const database = await openDbFromOptions(opts);
    try {
      const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
      const lines = createInterface({ input, crlfDelay: Infinity });
      const report = await importLines(database, lines, new Redactor(configuredSecrets()));
      if (opts.json) printJson(report);
      else {
        for (const e of report.errors) process.stderr.write(`${file}:${e.line}: skipped: ${e.error}\n`);
        process.stdout.write(`imported ${report.imported} runs, ${report.skipped} already present, ${report.errors.length} lines skipped for errors (${report.lines} lines)\n`);
      }
      if (report.errors.length > 0) process.exitCode = 1;
    } finally {
      await database.close();
    }
  });
}
