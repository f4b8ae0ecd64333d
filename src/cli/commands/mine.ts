import type { Command } from 'commander';
import { runMining } from '../../../miner/mine.js';
import { embedderFromConfig } from '../../models/embeddings.js';
import type { MineReport } from '../../../miner/pass.js';
import { ms, num } from '../format.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';
import { bar, ProgressLine } from '../progress.js';

export function renderMineReport(r: MineReport): string {
  const reasons = Object.entries(r.unparseableReasons)
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
  return [
    `mining pass ${r.passId}${r.resumed ? ' (resumed)' : ''}: programs ${num(r.fromSeq + 1)}…${num(r.toSeq)}`,
    `  read ${num(r.programsRead)} code blocks in ${num(r.runsRead)} runs: ${num(r.parsed)} parsed, ${num(r.unparseable)} unparseable${reasons ? ` (${reasons})` : ''}`,
    `  clusters: ${r.clustersNew} new, ${r.clustersGrown} grown; ${num(r.noise)} programs left as noise`,
    `  stability: ${r.stability.kept}/${r.stability.previouslyClustered} programs clustered before kept their cluster (${(r.stability.ratio * 100).toFixed(1)}%)`,
    `  took ${ms(r.durationMs)}`,
  ].join('\n');
}

export function registerMine(program: Command): void {
  const cmd = program
    .command('mine')
    .description('one mining pass over the programs logged since the last one: parse, normalize, embed, cluster')
    .option('--batch-size <n>', 'logged programs read per batch', '1000')
    .option('--embedding-model <name>', 'also embed each program\'s query and prompt templates with this model on the OpenAI-compatible endpoint (default: $ACCRETE_EMBEDDING_MODEL; none: structural embeddings only)')
    .option('--base-url <url>', 'OpenAI-compatible endpoint for --embedding-model (default: $OPENAI_BASE_URL or OpenAI)');
  withJson(withDb(cmd), 'print the pass report: programs read, parsed, unparseable, clusters new/grown, stability, duration');
  cmd.addHelpText(
    'after',
    `
Incremental (a watermark on the logged programs), resumable when interrupted, never counting a
program twice. On the embedded database run it from cron, e.g. nightly at 03:00:
  0 3 * * *  cd /path/to/project && npx accrete mine --json >> .accrete/mine.log 2>&1`,
  );
  cmd.action(async (opts: { db?: string; json?: boolean; batchSize: string; embeddingModel?: string; baseUrl?: string }) => {
    const database = await openDbFromOptions(opts);
    const progress = new ProgressLine();
    const abort = new AbortController();
    const onSigint = () => abort.abort(new Error('interrupted'));
    process.once('SIGINT', onSigint);
    try {
      const report = await runMining(database, {
        batchSize: Math.max(1, Number(opts.batchSize) || 1_000),
        embedder: embedderFromConfig(opts.embeddingModel ?? process.env.ACCRETE_EMBEDDING_MODEL, { baseURL: opts.baseUrl }),
        signal: abort.signal,
        onProgress: (p) => progress.set(`accrete mine · ${p.phase} ${bar(p.done, p.total)}`),
      });
      progress.clear();
      if (opts.json) printJson(report);
      else process.stdout.write(`${renderMineReport(report.pass)}\n`);
    } finally {
      process.off('SIGINT', onSigint);
      progress.clear();
      await database.close();
    }
  });
}
