/** `accrete mine`: one mining pass (miner/pipeline.ts) and its report. */
import type { Command } from 'commander';
import { type MiningReport, runMining } from '../../../miner/pipeline.js';
import { embedderFromConfig } from '../../models/embeddings.js';
import { resolveModel } from '../../models/resolve.js';
import { loggedModelNamer } from '../../../miner/generalize/namer-log.js';
import { UsageError } from '../errors.js';
import { environment, libraryDir, openaiConfig } from '../config.js';
import type { MineReport } from '../../../miner/cluster/pass.js';
import { ms, num } from '../format.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';
import { bar, ProgressLine } from '../progress.js';

export function renderMiningReport(r: MiningReport): string {
  const lines = [renderMineReport(r.pass)];
  for (const m of r.sync.merged) lines.push(`  merged since the last pass: ${m.name} ${m.version}`);
  for (const m of r.sync.retired) lines.push(`  retired since the last pass: ${m.name} ${m.version}`);
  lines.push(`library ${r.libraryDir}${r.dryRun ? ' (dry run: nothing written, the database rolled back)' : ''}: ${r.candidates} candidates, ${r.rejected.length} clusters rejected`);
  for (const x of r.rejected) lines.push(`  rejected ${x.clusterId}: ${x.reason}`);
  for (const p of r.proposals) {
    const what = p.status === 'skipped' ? 'already proposed, unchanged' : p.status === 'unchanged' ? 'identical to the library' : `${r.dryRun ? 'would propose' : 'proposed'} ${p.version} on ${p.branch}`;
    const coverage = p.clusterCoverage < p.coverage ? `coverage ${Math.round(p.coverage * 100)}% of the members it was generalized from, ${Math.round(p.clusterCoverage * 100)}% of the cluster` : `coverage ${Math.round(p.coverage * 100)}%`;
    lines.push(`  ${p.name} (cluster ${p.clusterId}, support ${p.support}, ${coverage}, gain ${Math.round(p.gain)} tokens): ${what}${p.prUrl ? ` — ${p.prUrl}` : ''}`);
    for (const m of p.otherMembers) lines.push(`    written differently: run ${m.runId.slice(0, 8)}: ${m.why}`);
    if (p.publishError) lines.push(`    could not publish: ${p.publishError}`);
    if (p.status === 'proposed' && !p.prUrl && !r.dryRun) for (const step of p.nextSteps) lines.push(`    ${step}`);
  }
  lines.push(`took ${ms(r.durationMs)}`);
  return lines.join('\n');
}

export function renderMineReport(r: MineReport): string {
  const reasons = Object.entries(r.unparseableReasons)
    .map(([k, v]) => `${k} ×${v}`)
    .join(', ');
  return [
    `mining pass ${r.passId}${r.resumed ? ' (resumed)' : ''}: programs ${num(r.fromSeq + 1)}…${num(r.toSeq)}`,
    `  read ${num(r.programsRead)} code blocks in ${num(r.runsRead)} runs: ${num(r.parsed)} parsed, ${num(r.unparseable)} unparseable${reasons ? ` (${reasons})` : ''}`,
    `  clusters: ${r.clustersNew} new, ${r.clustersGrown} grown; ${num(r.noise)} programs left as noise (${num(r.simple ?? 0)} of them simple lookups: no fan-out, nothing to generalize)`,
    `  stability: ${r.stability.kept}/${r.stability.previouslyClustered} programs clustered before kept their cluster (${(r.stability.ratio * 100).toFixed(1)}%)`,
    `  took ${ms(r.durationMs)}`,
  ].join('\n');
}

interface MineCliOptions {
  db?: string;
  json?: boolean;
  batchSize: string;
  embeddingModel?: string;
  baseUrl?: string;
  dryRun?: boolean;
  library?: string;
  remote?: string;
  minSupport: string;
  minSuccessRate: string;
  minCoverage: string;
  clusterOnly?: boolean;
  liveCheckBudget?: string;
  subModel?: string;
  namerModel?: string;
}

export function registerMine(program: Command): void {
  const cmd = program
    .command('mine')
    .description('one mining pass over the programs logged since the last one: analyze and profile each program\'s decomposition, cluster, then generalize, verify and propose library functions')
    .option('--batch-size <n>', 'logged programs read per batch', '1000')
    .option('--embedding-model <name>', 'also embed each program\'s query and prompt templates with this model on the OpenAI-compatible endpoint (default: $ACCRETE_EMBEDDING_MODEL; taken as one more view of the profile; none: the other views only)')
    .option('--base-url <url>', 'OpenAI-compatible endpoint for --embedding-model (default: $OPENAI_BASE_URL or OpenAI)')
    .option('--dry-run', 'compute the whole pass — clusters, generalize, verify — and change nothing: no watermark, no clusters, no branch, no record (the next real pass reads the same programs)')
    .option('--library <dir>', 'the library git repository (default: $ACCRETE_LIBRARY_DIR or ./.accrete/library)')
    .option('--remote <url>', 'push proposal branches here (default: the library\'s origin when GitHub is configured)')
    .option('--min-support <n>', 'distinct successful runs a cluster needs to be generalized', '3')
    .option('--min-success-rate <x>', 'share of a cluster\'s runs that succeeded', '0.7')
    .option('--min-coverage <x>', 'share of the members a function was generalized from that replay must reproduce to propose', '0.8')
    .option('--cluster-only', 'stop after clustering (no generalize, verify or promote)')
    .option('--live-check-budget <n>', 'when replay finds no recorded response for a sub-call, ask the sub-model live, at most n calls in the whole pass (logged; default 0: off)')
    .option('--sub-model <name>', 'the model the live check asks (default: $ACCRETE_SUB_MODEL)')
    .option('--namer-model <name>', 'a model that writes each function\'s name and doc from its members (logged as runs of source "miner"; default: a deterministic name and doc)');
  withJson(withDb(cmd), 'print the pass report: programs read, parsed, unparseable, clusters new/grown, stability, duration');
  cmd.addHelpText(
    'after',
    `
Incremental (a watermark on the logged programs), resumable when interrupted, never counting a
program twice. On the embedded database run it from cron, e.g. nightly at 03:00:
  0 3 * * *  cd /path/to/project && npx accrete mine --json >> .accrete/mine.log 2>&1`,
  );
  cmd.action(async (opts: MineCliOptions) => {
    const budget = opts.liveCheckBudget === undefined ? 0 : Number(opts.liveCheckBudget);
    if (!Number.isInteger(budget) || budget < 0) throw new UsageError(`--live-check-budget must be a whole number of calls (got ${opts.liveCheckBudget})`);
    const subModel = opts.subModel ?? environment().subModel;
    if (budget > 0 && !subModel) throw new UsageError('--live-check-budget needs a model to ask: pass --sub-model NAME or set ACCRETE_SUB_MODEL');
    const liveCheck = budget > 0 && subModel ? { model: resolveModel(subModel, 'sub', openaiConfig(opts)), budget } : undefined;
    const namerClient = opts.namerModel ? resolveModel(opts.namerModel, 'sub', openaiConfig(opts)) : undefined;
    const database = await openDbFromOptions(opts);
    const progress = new ProgressLine();
    const abort = new AbortController();
    const onSigint = () => abort.abort(new Error('interrupted'));
    process.once('SIGINT', onSigint);
    try {
      const report = await runMining(database, {
        batchSize: Math.max(1, Number(opts.batchSize) || 1_000),
        embedder: embedderFromConfig(opts.embeddingModel ?? environment().embeddingModel, openaiConfig(opts)),
        dryRun: opts.dryRun,
        libraryDir: libraryDir(opts.library),
        github: environment().github ?? false,
        remote: opts.remote,
        clusterOnly: opts.clusterOnly,
        build: { minSupport: Number(opts.minSupport), minSuccessRate: Number(opts.minSuccessRate), minCoverage: Number(opts.minCoverage), liveCheck, namer: namerClient ? loggedModelNamer(database, namerClient) : undefined },
        onBuildProgress: (p) => progress.set(`accrete mine · ${p.phase} ${p.clusterId} ${bar(p.done, p.total)}`),
        signal: abort.signal,
        onProgress: (p) => progress.set(`accrete mine · ${p.phase} ${bar(p.done, p.total)}`),
      });
      progress.clear();
      if (opts.json) printJson(report);
      else process.stdout.write(`${renderMiningReport(report)}\n`);
    } finally {
      process.off('SIGINT', onSigint);
      progress.clear();
      await database.close();
    }
  });
}
