/**
 * `accrete bench <benchmark>`: benchmarks that print ratios measured side by side in one run (the
 * harness is src/eval; bench/ holds the same as scripts and RESULTS.md). Each benchmark is a
 * subcommand.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { benchAccumulation, renderAccumulation } from '../../eval/accumulation.js';
import { parseSizes } from '../../eval/demo.js';
import { FAMILIES_BENCH_DEFAULT_DB, familiesReport } from '../../eval/families.js';
import { benchRuntime, renderRuntimeBench } from '../../eval/runtime-bench.js';
import { benchE2e, type Driver, renderE2e } from '../../eval/e2e-bench.js';
import { environment, openaiConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { ProgressLine } from '../progress.js';
import { printJson } from '../options.js';
import { demoOptionsFrom, renderReport, runDemoInteractive, withWorkloadOptions, type WorkloadCliOptions } from './demo.js';

function registerFamilies(bench: Command): void {
  const cmd = bench
    .command('families')
    .description('the six task families through the logged RLM runtime and the direct baseline: accuracy, model calls, tokens and time per family');
  withWorkloadOptions(cmd, { db: `${FAMILIES_BENCH_DEFAULT_DB} (nothing kept)` }).option('--json', 'print {families: {<family>: M}, overall: M, machine, workload, models, phases, totalMs}');
  cmd.addHelpText(
    'after',
    `
The same workload and figures as \`accrete demo\`, on an in-memory database by default. M holds
runs, accuracy, directAccuracy (mean family scores 0..1), and means per run of llmCalls,
iterations, inputTokens, outputTokens (the whole run tree), rootInputTokens, rootOutputTokens (the
root model's own calls) and wallMs.

Examples:
  accrete bench families --json > families.json
  accrete bench families --per-family 1 --sizes 50k,200k --concurrency 2`,
  );
  cmd.action(async (opts: WorkloadCliOptions) => {
    const demo = await runDemoInteractive(demoOptionsFrom(opts, FAMILIES_BENCH_DEFAULT_DB), 'accrete bench families');
    if (opts.json) printJson(familiesReport(demo));
    else process.stdout.write(renderReport(demo));
    if (demo.interrupted) process.exitCode = 130;
  });
}

function registerRuntime(bench: Command): void {
  bench
    .command('runtime')
    .description('runtime overhead per REPL step and per run start, makespan of 1,000 sub-calls at concurrency 32 against the ideal, logging throughput (PGlite, and the server when BENCH_DATABASE_URL is set)')
    .option('--json', 'print the figures as JSON')
    .action(async (opts: { json?: boolean }) => {
      const r = await benchRuntime({ serverUrl: environment().benchDatabaseUrl });
      if (opts.json) printJson(r);
      else process.stdout.write(renderRuntimeBench(r));
    });
}

function registerAccumulation(bench: Command): void {
  bench
    .command('accumulation')
    .description('phase 1 with a fresh library, one mining pass whose proposals are merged (benchmark only), phase 2 on held-out instances with the library, and the same held-out instances without it (the control): accuracy, root tokens, iterations, sub-calls, time and library use per family')
    .option('--seed <n>', 'workload seed (phase 2 uses seed + 1000)', '1')
    .option('--per-family <n>', 'tasks per family and size', '4')
    .option('--sizes <list>', 'context sizes, e.g. 20k,50k', '20k,50k')
    .option('--concurrency <n>', 'runs at once', '4')
    .option('--model <spec>', 'root model (default sim:root; a real model name uses the OpenAI-compatible endpoint)')
    .option('--sub-model <spec>', 'sub-call model (default sim:leaf with sim:root)')
    .option('--no-control', 'skip the control: the held-out tasks run again without the library, to measure what the library changed on the same tasks')
    .option('--json', 'print {phase1: M, phase2: M, control: M, perFamily: {<family>: {phase1: M, phase2: M, control: M}}, mining, workload, models, library: the functions phase 2 loaded, as listed to its runs}')
    .action(async (opts: { seed: string; perFamily: string; sizes: string; concurrency: string; model?: string; subModel?: string; json?: boolean; control: boolean }) => {
      const progress = new ProgressLine();
      const r = await benchAccumulation({
        seed: Number(opts.seed) || 1,
        perFamily: Number(opts.perFamily) || 4,
        sizes: parseSizes(opts.sizes),
        concurrency: Number(opts.concurrency) || 4,
        model: opts.model,
        subModel: opts.subModel,
        openai: openaiConfig(),
        control: opts.control,
        onProgress: (t) => progress.set(`accrete bench accumulation · ${t}`),
      });
      progress.clear();
      if (opts.json) printJson(r);
      else process.stdout.write(`${renderAccumulation(r)}\n`);
    });
}

function registerE2e(bench: Command): void {
  bench
    .command('e2e')
    .description('what a user pays, over HTTP against a scripted OpenAI-compatible server: start → first model request, steady step, fan-out N=1000 at c=16 and 32, sequential calls, CPU per sub-call, peak RSS, through the CLI and the library API, on PGlite (and a scratch server database), and the step against the database size; beside the official RLM')
    .option('--cli <main.js>', 'the built CLI to measure (default: dist/src/cli/main.js; the library is the index.js beside it)')
    .option('--server-db <url>', 'a scratch Postgres database (postgres://...) to measure as well: its runs are copied to fill it')
    .option('--compare <main.js>', 'another build of accrete to measure side by side (each measure taken in turn for both)')
    .option('--compare-server-db <url>', 'the compared build\'s own scratch Postgres database')
    .option('--sizes <mb>', 'database sizes in MB at which the step is measured again, comma-separated', '100')
    .option('--starts <n>', 'processes started per start-up measure', '5')
    .option('--drivers <list>', 'cli, library or both', 'cli,library')
    .option('--json', 'print the figures as JSON')
    .action(async (opts: { cli?: string; serverDb?: string; compare?: string; compareServerDb?: string; sizes: string; starts: string; drivers: string; json?: boolean }) => {
      const drivers = opts.drivers.split(',').map((d) => d.trim());
      if (!drivers.every((d): d is Driver => d === 'cli' || d === 'library')) throw new UsageError('--drivers takes cli, library or cli,library');
      const progress = new ProgressLine();
      const r = await benchE2e({
        targets: [
          ...(opts.compare ? [{ label: 'compared', cli: opts.compare, serverUrl: opts.compareServerDb }] : []),
          { label: 'accrete', cli: opts.cli, serverUrl: opts.serverDb },
        ],
        workDir: join(tmpdir(), `accrete-bench-e2e-${process.pid}`),
        starts: Number(opts.starts) || 5,
        sizesMb: opts.sizes.split(',').map(Number).filter((n) => n > 0),
        drivers,
        onProgress: (t) => progress.set(`accrete bench e2e · ${t}`),
      });
      progress.clear();
      if (opts.json) printJson(r);
      else process.stdout.write(renderE2e(r));
    });
}

/** `bench` and its subcommands. Add a benchmark with another `bench.command(...)`. */
export function registerBench(program: Command): Command {
  const bench = program
    .command('bench')
    .description('benchmarks, measured side by side in one run; see bench/RESULTS.md')
    .addHelpCommand(false);
  registerFamilies(bench);
  registerRuntime(bench);
  registerAccumulation(bench);
  registerE2e(bench);
  return bench;
}
