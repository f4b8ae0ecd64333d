/** `accrete export` and `accrete import`: runs as JSONL (src/trace/interchange.ts). */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { configuredSecrets, Redactor } from '../../trace/redact.js';
import { exportRuns, type ImportReport, importLines } from '../../trace/interchange.js';
import { otelSetting } from '../config.js';
import { writeOut } from '../stdout.js';
import { UsageError } from '../errors.js';
import { openDbFromOptions, positiveInteger, printJson, withDb, withJson } from '../options.js';

export function registerExport(program: Command): void {
  const cmd = program
    .command('export')
    .description('write runs as JSONL to standard output: one root run a line, with steps, programs, model calls and sub-runs; with --otlp, send them as OpenTelemetry traces')
    .argument('[run-ids...]', 'with --otlp: the runs to send (ids or unique prefixes; a sub-run sends its root run)')
    .option('--no-context', 'leave out the inputs (contexts)')
    .option('--since <date>', 'only runs started at or after this date (ISO 8601)')
    .addOption(new Option('-n, --limit <n>', 'at most this many runs').argParser(positiveInteger('-n/--limit')))
    .option('--otlp', 'send the runs as OpenTelemetry traces over OTLP/HTTP instead (the OTEL_* variables apply)')
    .option('--endpoint <url>', 'with --otlp: the OTLP/HTTP endpoint (default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT, else http://localhost:4318)');
  withJson(withDb(cmd), 'with --otlp: print {runs, spans, sent, failed, error}');
  cmd.addHelpText(
    'after',
    `
Examples:
  accrete export --since 2026-11-01 > runs.jsonl
  accrete export --otlp --endpoint http://localhost:4318        # every run, to a collector (Jaeger, Phoenix, ...)
  accrete export --otlp 3f9a1c2e                                 # one run (by id prefix), OTEL_EXPORTER_OTLP_* from the environment`,
  );
  cmd.action(async (ids: string[], opts: { context: boolean; since?: string; limit?: number; db?: string; otlp?: boolean; endpoint?: string; json?: boolean }) => {
    const since = opts.since ? new Date(opts.since) : undefined;
    if (since && Number.isNaN(since.getTime())) throw new UsageError(`--since ${opts.since} is not a date (use e.g. 2026-11-01 or 2026-11-01T12:00:00Z)`);
    if (!opts.otlp && (ids.length > 0 || opts.endpoint !== undefined || opts.json)) throw new UsageError('run ids, --endpoint and --json go with --otlp (the JSONL export takes --since and -n)');
    if (ids.length > 0 && (since || opts.limit)) throw new UsageError('give run ids or --since/-n, not both');
    const otel = opts.otlp ? otelSetting({ otel: true, otelEndpoint: opts.endpoint }) : {};
    if (otel.error) throw new UsageError(otel.error);
    const database = await openDbFromOptions(opts);
    try {
      if (opts.otlp) {
        await (await import('./export-otlp.js')).exportOtlp(database, ids, { since, limit: opts.limit, endpoint: otel.options?.endpoint, json: opts.json });
        return;
      }
      for await (const run of exportRuns(database, { withContext: opts.context, since, limit: opts.limit })) {
        if (!(await writeOut(`${JSON.stringify(run)}\n`))) break; // the reader went away (export | head)
      }
    } finally {
      await database.close();
    }
  });
}

/** The files named on the command line, a directory standing for the .jsonl files in it. */
function importFiles(args: string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (arg === '-') files.push(arg);
    else if (!existsSync(arg)) throw new UsageError(`no such file: ${arg}`);
    else if (statSync(arg).isDirectory()) {
      const inDir = readdirSync(arg).filter((n) => n.endsWith('.jsonl')).sort();
      if (inDir.length === 0) throw new UsageError(`no .jsonl files in the directory ${arg}`);
      files.push(...inDir.map((n) => join(arg, n)));
    } else files.push(arg);
  }
  return files;
}

export function registerImport(program: Command): void {
  const cmd = program
    .command('import')
    .description("read runs from JSONL: accrete export, minimal records {id, query, status, answer, steps: [{code: [...]}]}, or the official RLM logger's logs")
    .argument('<files...>', 'JSONL files or directories of them (- for standard input)');
  withJson(withDb(cmd), 'print the totals {lines, imported, skipped, conflicts, errors} (each conflict and error with its file) and files: [{file, format, lines, imported, ...}]');
  cmd.addHelpText(
    'after',
    `
Formats: lines of \`accrete export\`; minimal records {"id": "<uuid>", "query", "status", "answer",
"steps": [{"code": ["..."]}]}; and the official RLM logger's JSONL (a {"type": "metadata"} line, then
one {"type": "iteration"} line per iteration; one file per completion). Official RLM logs are imported
as runs of language python (their REPL's): \`show\` shows them, the miner skips them with that reason.
A run id already in the database is skipped when its content is the same, and reported when it differs.
Exit status: 0 when every line was imported or already present, 1 otherwise.`,
  );
  cmd.action(async (args: string[], opts: { db?: string; json?: boolean }) => {
    const files = importFiles(args);
    const database = await openDbFromOptions(opts);
    const redactor = new Redactor(configuredSecrets());
    const reports: ({ file: string } & ImportReport)[] = [];
    try {
      for (const file of files) {
        const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
        const lines = createInterface({ input, crlfDelay: Infinity });
        const report = await importLines(database, lines, { redactor, fileName: file === '-' ? undefined : file });
        reports.push({ file, ...report });
        if (opts.json) continue;
        const name = file === '-' ? '(standard input)' : file;
        for (const c of report.conflicts) process.stderr.write(`${name}:${c.line}: not imported: ${c.error}\n`);
        for (const e of report.errors) process.stderr.write(`${name}:${e.line}: skipped: ${e.error}\n`);
        const what = report.format === 'rlm' ? ' (official RLM log, python)' : '';
        process.stdout.write(
          `${name}${what}: imported ${report.imported} runs, ${report.skipped} already present, ${report.conflicts.length} conflicting with a stored run, ${report.errors.length} skipped for errors (${report.lines} lines)\n`,
        );
      }
      if (opts.json) {
        const all = <K extends 'conflicts' | 'errors'>(k: K) => reports.flatMap((r) => r[k].map((e) => ({ file: r.file, ...e })));
        const sum = (k: 'lines' | 'imported' | 'skipped') => reports.reduce((n, r) => n + r[k], 0);
        printJson({ lines: sum('lines'), imported: sum('imported'), skipped: sum('skipped'), conflicts: all('conflicts'), errors: all('errors'), files: reports });
      }
      if (reports.some((r) => r.errors.length > 0 || r.conflicts.length > 0)) process.exitCode = 1;
    } finally {
      await database.close();
    }
  });
}
