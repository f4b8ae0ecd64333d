/** `accrete runs`: recent runs, one line each. */
import { type Command, Option } from 'commander';
import { listRuns, type RunListRow } from '../../db/queries.js';
import { RUN_STATUSES, type RunStatus } from '../../db/schema.js';
import { ms, num, table, truncate } from '../format.js';
import { openDbFromOptions, positiveInteger, printJson, withDb, withJson } from '../options.js';

/** One run of `accrete runs --json` (and of the MCP tool runs). */
export interface RunListItem {
  runId: string;
  startedAt: string;
  status: string;
  depth: number;
  iterations: number;
  llmCalls: number;
  tokens: number;
  durationMs: number | null;
  source: string;
  query: string;
}

export function runListItem(r: RunListRow): RunListItem {
  return {
    runId: r.id,
    startedAt: new Date(r.started_at).toISOString(),
    status: r.status,
    depth: r.depth,
    iterations: r.iterations,
    llmCalls: r.llm_calls,
    tokens: Number(r.tokens),
    durationMs: r.duration_ms,
    source: r.source,
    query: r.query,
  };
}

export function registerRuns(program: Command): void {
  const cmd = program
    .command('runs')
    .description('recent runs, one line each (newest first)')
    .addOption(new Option('-n, --limit <n>', 'how many').default(20).argParser(positiveInteger('-n/--limit')))
    .option('--all', 'include sub-runs (rlm) too')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(RUN_STATUSES));
  withJson(withDb(cmd));
  cmd.action(async (opts: { limit: number; all?: boolean; status?: RunStatus; db?: string; json?: boolean }) => {
    const database = await openDbFromOptions(opts);
    try {
      const rows = await listRuns(database, { limit: opts.limit, all: opts.all, status: opts.status });
      if (opts.json) {
        printJson(rows.map(runListItem));
        return;
      }
      if (rows.length === 0) {
        process.stdout.write(opts.status ? `No ${opts.status} runs.\n` : 'No runs yet. Start one with: accrete run "your question" --context-file FILE\n');
        return;
      }
      process.stdout.write(
        `${table(
          rows.map((r) => [
            r.id,
            new Date(r.started_at).toISOString().replace('T', ' ').slice(0, 19),
            r.status,
            String(r.iterations),
            String(r.llm_calls),
            num(Number(r.tokens)),
            ms(r.duration_ms),
            truncate(r.query, 60),
          ]),
          ['run', 'started (UTC)', 'status', 'iter', 'calls', 'tokens', 'time', 'query'],
        )}\n`,
      );
    } finally {
      await database.close();
    }
  });
}
