import type { Command } from 'commander';
import { ms, num, table, truncate } from '../format.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';

interface RunListRow {
  id: string;
  started_at: string | Date;
  status: string;
  depth: number;
  iterations: number;
  llm_calls: number;
  tokens: string | number;
  duration_ms: number | null;
  source: string;
  query: string;
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
      const where: string[] = [];
      const params: unknown[] = [];
      if (!opts.all) where.push('depth = 0');
      if (opts.status) {
        params.push(opts.status);
        where.push(`status = $${params.length}`);
      }
      const rows = await database.query<RunListRow>(
        `select id, started_at, status, depth, iterations, llm_calls, gen_ai_usage_input_tokens + gen_ai_usage_output_tokens as tokens,
                duration_ms, source, query
           from runs ${where.length ? `where ${where.join(' and ')}` : ''}
          order by started_at desc limit ${Math.max(1, Number(opts.limit) || 20)}`,
        params,
      );
      if (opts.json) {
        printJson(
          rows.map((r) => ({
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
          })),
        );
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
