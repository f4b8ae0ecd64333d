/**
 * `accrete demo` (= `npm run demo`): a mixed workload of the six simulated task families through
 * the logged RLM runtime, then the direct baseline, then a table per family. Offline by default
 * (the simulated models, the embedded database); with OPENAI_API_KEY / --base-url it runs against
 * real models. The logic is in src/eval (demo.ts, accumulation.ts); this file holds the options and
 * the rendering, shared with `accrete bench families`. The demo learns into the same library that
 * `run`, `mine` and `library` use (--library, $ACCRETE_LIBRARY_DIR, ./.accrete/library).
 */
import { type Command, Option } from 'commander';
import { openDatabase } from '../../db/connection.js';
import { accumulate, type AccumulationReport, renderAccumulation } from '../../eval/accumulation.js';
import { chooseDemoModels, parseSizes, DEMO_DEFAULTS, type DemoOptions, type DemoPhase, type DemoReport, runDemo } from '../../eval/demo.js';
import { summaryTable } from '../../eval/scoring.js';
import type { WorkloadProgress } from '../../eval/workload.js';
import { dbLocation, environment, libraryDir, openaiConfig } from '../config.js';
import { isFamilyName } from '../../sim/workloads.js';
import type { FamilyName } from '../../sim/types.js';
import { UsageError } from '../errors.js';
import { ms, num, table } from '../format.js';
import { printJson, withDb, withJson } from '../options.js';
import { onInterrupt } from '../interrupt.js';
import { bar, ProgressLine } from '../progress.js';

/** Options of the demo and of `bench families`, as commander parses them. */
export interface WorkloadCliOptions {
  db?: string;
  json?: boolean;
  seed?: number;
  perFamily?: number;
  sizes?: number[];
  families?: FamilyName[];
  concurrency?: number;
  window?: number;
  errorRate?: number;
  directChars?: number;
  direct: boolean;
  sim?: boolean;
  model?: string;
  subModel?: string;
  baseUrl?: string;
  requestTimeoutMs?: number;
  retries?: number;
  /** The library the loop learns into (demo only). */
  library?: string;
}

function intArg(flag: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number >= ${min} (got "${value}")`);
    return n;
  };
}

function rateArg(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`${flag} must be a number from 0 to 1 (got "${value}")`);
    return n;
  };
}

function sizesArg(value: string): number[] {
  try {
    return parseSizes(value);
  } catch (err) {
    throw new UsageError(`--sizes: ${(err as Error).message}`);
  }
}

function familiesArg(value: string): FamilyName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.filter((n) => !isFamilyName(n));
  if (bad.length > 0 || names.length === 0) {
    throw new UsageError(`--families: unknown ${bad.join(', ') || '(none given)'}; choose from needle, classify-count, pairwise, multi-doc-qa, summary, code-review`);
  }
  return names as FamilyName[];
}

const kb = (n: number): string => (n >= 1_000_000 ? `${+(n / 1_000_000).toFixed(1)} MB` : `${Math.round(n / 1_000)} KB`);

/** Adds the workload, model and output options shared by `demo` and `bench families`. */
export function withWorkloadOptions(cmd: Command, defaults: { db: string }): Command {
  cmd
    .addOption(new Option('--seed <n>', 'seed of the workload and the simulated models').argParser(intArg('--seed', 0)).default(DEMO_DEFAULTS.seed))
    .addOption(new Option('--per-family <n>', 'tasks per family and size').argParser(intArg('--per-family', 1)).default(DEMO_DEFAULTS.perFamily))
    .addOption(
      new Option('--sizes <list>', 'input sizes in bytes, comma-separated, 10k..10m (e.g. 20k,100k,1m)')
        .argParser(sizesArg)
        .default([...DEMO_DEFAULTS.sizes], DEMO_DEFAULTS.sizes.map((n) => (n >= 1_000_000 ? `${n / 1_000_000}m` : `${n / 1_000}k`)).join(',')),
    )
    .addOption(new Option('--families <list>', 'only these families, comma-separated (default: all six)').argParser(familiesArg))
    .addOption(new Option('--concurrency <n>', 'runs in parallel').argParser(intArg('--concurrency', 1)).default(DEMO_DEFAULTS.concurrency))
    .addOption(new Option('--window <chars>', 'the simulated leaf model\'s window (the root sizes its chunks for it)').argParser(intArg('--window', 500)).default(DEMO_DEFAULTS.window))
    .addOption(new Option('--error-rate <p>', 'the simulated leaf model\'s error rate, 0..1 (default 0.02)').argParser(rateArg('--error-rate')))
    .addOption(
      new Option('--direct-chars <n>', 'characters of each input the direct baseline sends (default: the window for the simulated models, 100000 for real ones)').argParser(
        intArg('--direct-chars', 1),
      ),
    )
    .option('--no-direct', 'skip the direct baseline')
    .option('--sim', 'use the simulated models even when OPENAI_API_KEY / OPENAI_BASE_URL is set')
    .option('--model <name>', 'root model on the OpenAI-compatible endpoint (default: $ACCRETE_MODEL or gpt-5-mini); sim:root for the simulated one')
    .option('--sub-model <name>', 'model for llm() sub-calls and the direct baseline (default: $ACCRETE_SUB_MODEL or gpt-5-nano)')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL or OpenAI); e.g. the URL of `accrete sim-server`')
    .addOption(new Option('--request-timeout-ms <n>', 'timeout of one model request').argParser(intArg('--request-timeout-ms', 1)))
    .addOption(new Option('--retries <n>', 'retries of a model request on 429, 5xx and timeouts').argParser(intArg('--retries', 0)));
  cmd.option('--db <path|url>', `database: a directory for the embedded database, memory://, or postgres://... (default: ${defaults.db})`);
  return cmd;
}

/** DemoOptions from the parsed command line and the environment (without callbacks). */
export function demoOptionsFrom(opts: WorkloadCliOptions, defaultDb?: string): DemoOptions {
  const env = environment();
  return {
    db: opts.db ?? defaultDb ?? dbLocation(),
    seed: opts.seed,
    perFamily: opts.perFamily,
    sizes: opts.sizes,
    families: opts.families,
    concurrency: opts.concurrency,
    window: opts.window,
    errorRate: opts.errorRate,
    directChars: opts.directChars,
    skipDirect: opts.direct === false,
    simulated: opts.sim,
    model: opts.model ?? env.model,
    subModel: opts.subModel ?? env.subModel,
    openai: openaiConfig(opts, env),
  };
}

/** Progress on stderr: a bar per phase on a terminal, one line per phase otherwise. */
export function demoProgress(label: string): { onPhase: NonNullable<DemoOptions['onPhase']>; onProgress: NonNullable<DemoOptions['onProgress']>; clear: () => void } {
  const line = new ProgressLine();
  const names: Record<DemoPhase, string> = { open: 'opening the database', rlm: 'RLM runs', direct: 'direct baseline' };
  let phaseStart = performance.now();
  let current: DemoPhase = 'open';
  let timer: NodeJS.Timeout | undefined;
  let last: WorkloadProgress = { done: 0, total: 0 };
  const render = (force = false) => {
    const secs = Math.round((performance.now() - phaseStart) / 1_000);
    line.set(`${label} · ${names[current]} ${bar(last.done, last.total)} · ${secs} s`, force);
  };
  return {
    onPhase(phase, detail, total) {
      line.clear();
      current = phase;
      phaseStart = performance.now();
      last = { done: 0, total: total ?? 0 };
      if (!line.enabled) process.stderr.write(`${label}: ${names[phase]}${detail ? ` (${detail})` : ''}...\n`);
      else if (phase === 'open') line.set(`${label} · ${names[phase]} ${detail}...`, true);
      else render(true);
      if (line.enabled && !timer) timer = setInterval(() => current !== 'open' && render(true), 1_000).unref();
    },
    onProgress(phase, p) {
      current = phase;
      last = p;
      render(p.done === p.total);
    },
    clear() {
      if (timer) clearInterval(timer);
      timer = undefined;
      line.clear();
    },
  };
}

/** Which models, on screen. */
export function describeModels(report: Pick<DemoReport, 'models'>): string {
  const m = report.models;
  if (m.simulated) return `simulated models (no OPENAI_API_KEY, OPENAI_BASE_URL or --base-url; a test double): root ${m.root} (${m.rootSpec}), sub-calls ${m.sub} (${m.subSpec})`;
  return `root ${m.root}, sub-calls and direct baseline ${m.sub}, at ${m.baseURL ?? 'the OpenAI API'}`;
}

/** The human-readable report: setup, per-family table, totals. */
export function renderReport(report: DemoReport): string {
  const w = report.workload;
  const phase = (name: DemoPhase) => report.phases.find((p) => p.name === name)?.ms;
  const sizes = [...new Set(w.sizes)].sort((a, b) => a - b);
  const t = summaryTable(report);
  const o = report.overall;
  const lines = [
    `models:   ${describeModels(report)}`,
    `database: ${report.database}`,
    `workload: ${w.tasks} tasks = ${Object.keys(report.families).length} families x ${sizes.length} sizes (${sizes.map(kb).join(', ')}) x ${w.perFamily}, ${kb(w.totalBytes)} of input, seed ${w.seed}`,
    `RLM:      ${o.runs} logged runs in ${ms(phase('rlm') ?? 0)}${report.direct.length > 0 ? `; direct baseline: one call per task with the first ${num(w.directChars)} characters of its input, ${ms(phase('direct') ?? 0)}` : ''}`,
    '',
    table(t.rows, t.header),
    '',
    `accuracy: RLM ${Math.round(o.accuracy * 100)}%${o.directAccuracy !== null ? ` vs direct ${Math.round(o.directAccuracy * 100)}%` : ''} (mean family score per task, 0..1)` +
      (o.failedRuns > 0 ? `; ${o.failedRuns} runs did not succeed` : '') +
      (report.costUsd > 0 ? `; cost $${report.costUsd.toFixed(4)}` : ''),
    `time:     ${ms(report.totalMs)} in all (database open included) on ${report.machine.cpus} CPUs, ${report.machine.cpuModel}; time/run is the mean wall clock of one run, ${w.concurrency} runs at a time`,
    `tokens:   means per run over the whole run tree (root turns + llm() sub-calls); "root" counts only the root model's calls`,
  ];
  if (report.interrupted) {
    const cancelled = report.results.filter((r) => r.status === 'cancelled').length;
    lines.push(`interrupted: the figures cover the ${o.runs} runs that finished${cancelled ? `; ${cancelled} cancelled runs are logged but not counted` : ''}`);
  }
  lines.push('', `Every run is logged: \`accrete runs\` lists them, \`accrete show <run-id>\` shows the programs the root model wrote.`);
  return `${lines.join('\n')}\n`;
}

/** The figures for scripts: the report without per-task answers. */
export function reportJson(report: DemoReport): Record<string, unknown> {
  const direct = new Map(report.direct.map((d) => [d.taskId, d]));
  const { results: _results, direct: _direct, ...rest } = report;
  return {
    ...rest,
    tasks: report.results.map((r) => ({
      taskId: r.taskId,
      family: r.family,
      bytes: r.bytes,
      runId: r.runId,
      status: r.status,
      score: r.score,
      directScore: direct.get(r.taskId)?.score ?? null,
      iterations: r.iterations,
      llmCalls: r.llmCalls,
      inputTokens: r.inputTokens,
      outputTokens: r.outputTokens,
      rootInputTokens: r.rootInputTokens,
      rootOutputTokens: r.rootOutputTokens,
      wallMs: Math.round(r.wallMs),
      error: r.error,
    })),
  };
}

/** Runs the demo with Ctrl-C handling: the first cancels the runs (they are logged), the second quits. */
export async function runDemoInteractive(options: DemoOptions, label: string): Promise<DemoReport> {
  const models = chooseDemoModels(options);
  const where = typeof options.db === 'object' ? options.db.location : options.db;
  process.stderr.write(
    `${label}: ${models.simulated ? `simulated models ${models.rootSpec} / ${models.subSpec}` : `real models: root ${models.rootSpec}, sub-calls ${models.subSpec} at ${models.baseURL ?? 'the OpenAI API'} (this sends real, billed requests; --sim for the simulated models)`}; database ${where}\n`,
  );
  const progress = demoProgress(label);
  const interrupt = onInterrupt(`${label}: interrupted; cancelling the runs in flight and reporting what finished`, () => progress.clear());
  try {
    return await runDemo({ ...options, signal: interrupt.signal, onPhase: progress.onPhase, onProgress: progress.onProgress });
  } finally {
    interrupt.dispose();
    progress.clear();
  }
}

/**
 * The rest of the loop: the nightly pass over the demo's runs (promotions on branches of the
 * library repository every command uses), the merge (the demo does it, and says so: accrete never
 * merges by itself), and a rerun of held-out tasks with the library.
 */
async function runLoop(report: DemoReport, options: DemoOptions, library: string): Promise<AccumulationReport> {
  const location = typeof options.db === 'string' ? options.db : dbLocation();
  const say = (t: string) => process.stderr.write(`accrete demo: ${t}\n`);
  const database = await openDatabase(location);
  try {
    say(`the nightly pass: mining the logged runs into the library ${library}`);
    return await accumulate(database, {
      phase1: report.results,
      libraryDir: library,
      model: report.models.rootSpec,
      subModel: report.models.subSpec,
      openai: options.openai,
      workload: { seed: report.workload.seed, perFamily: report.workload.perFamily, sizes: report.workload.sizes, families: [...new Set(report.results.map((r) => r.family))] },
      concurrency: report.workload.concurrency,
      onProgress: (t) => (t.startsWith('merged') ? say(`${t} — the demo merges them itself; in real use a reviewer merges the pull request and accrete never does`) : t.startsWith('phase 2') || t.startsWith('control') ? undefined : say(t)),
      // the held-out tasks without the library too: what the library changed, on the same tasks
      control: true,
      onProposal: (p) => say(`proposed ${p.name} ${p.version} on branch ${p.branch} (pull-request description: ${p.bodyFile})`),
    });
  } finally {
    await database.close();
  }
}

export function registerDemo(program: Command): void {
  const cmd = program
    .command('demo')
    .description('run a mixed workload (six task families with ground truth) through the logged RLM runtime and a direct baseline; print accuracy, calls, tokens and time per family');
  withJson(withWorkloadOptions(cmd, { db: '$ACCRETE_DB, $DATABASE_URL, ./.accrete/db' }), 'print the figures as JSON {models, workload, families, overall, phases, machine, tasks}');
  cmd.addHelpText(
    'after',
    `
With no OPENAI_API_KEY, OPENAI_BASE_URL or --base-url, the demo uses the simulated models
(sim-root writes RLM code, sim-leaf answers llm() sub-calls and sees only --window characters):
no key, no server, no network. With one of them set it uses real models (--model, --sub-model);
--sim forces the simulated ones. The direct baseline asks the sub-model once per task with the
input cut to --direct-chars characters. Accuracy is the mean family score (0..1) per task.
Runs are logged to the database like any other: see them with \`accrete runs\`.

Examples:
  npm run demo
  accrete demo --db /tmp/demo-db --per-family 1 --sizes 20k,100k
  accrete demo --json > demo.json
  OPENAI_API_KEY=... accrete demo --per-family 1 --sizes 50k --model gpt-5-mini --sub-model gpt-5-nano`,
  );
  cmd.option('--no-loop', 'stop after the runs (no mining, promotion and rerun with the library)');
  cmd.option('--library <dir>', 'the library repository the loop mines into and reruns with (default: $ACCRETE_LIBRARY_DIR or ./.accrete/library, the one `accrete run` uses)');
  cmd.action(async (opts: WorkloadCliOptions & { loop: boolean }) => {
    const options = demoOptionsFrom(opts);
    const report = await runDemoInteractive(options, 'accrete demo');
    if (!opts.json) process.stdout.write(renderReport(report));
    if (report.interrupted) {
      if (opts.json) printJson(reportJson(report));
      process.exitCode = 130;
      return;
    }
    const loop = opts.loop ? await runLoop(report, options, libraryDir(opts.library)) : undefined;
    if (opts.json) printJson({ ...reportJson(report), ...(loop ? { loop } : {}) });
    else if (loop) process.stdout.write(`\n${renderAccumulation(loop)}\n`);
  });
}
