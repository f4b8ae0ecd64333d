/** `accrete runs`: recent runs, one line each. */
import type { Command } from 'commander';
import { listRuns, type RunListRow } from '../../db/queries.js';
import { ms, num, table, truncate } from '../format.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';

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
    .option('-n, --limit <n>', 'how many', '20')
    .option('--all', 'include sub-runs (rlm) too')
    .option('--status <status>', 'only runs with this status (succeeded, failed, budget_exhausted, cancelled, running)');
  withJson(withDb(cmd));
  cmd.action(async (opts: { limit: string; all?: boolean; status?: string; db?: string; json?: boolean }) => {
    const database = await openDbFromOptions(opts);
    try {
      const rows = await listRuns(database, { limit: Number(opts.limit) || 20, all: opts.all, status: opts.status });
      if (opts.json) {
        printJson(rows.map(runListItem));
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('No runs yet. Start one with: accrete run "your question" --context-file FILE\n');
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
