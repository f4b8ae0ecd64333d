#!/usr/bin/env node
/** The `accrete` command. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { isServerUrl } from '../db/location.js';
import { DatabaseLockedError } from '../db/lock.js';
import { InputError } from '../runtime/errors.js';
import { packageRoot } from '../util/package-root.js';
import { dbLocation, environment } from './config.js';
import { UsageError } from './errors.js';
import { ignoreClosedStdout } from './stdout.js';

type Register = (program: Command) => unknown;

/** A command as `accrete --help` lists it, and how to load it when it runs. */
export interface LazyCommand {
  /** Name and arguments, as commander takes them: 'run <query>'. */
  usage: string;
  /** The listing's one line (the same text as the command's own .description(); a test keeps them equal). */
  description: string;
  /** Imports the command's module and returns its register function. */
  load: () => Promise<Register>;
  /** It resolves model specs, so the simulated models (sim:root, sim:leaf) are registered first. */
  models?: boolean;
}

/*
 * Commands load lazily. `accrete --help`, `--version` and each command import only what they use:
 * every command is listed from the stub below (name, arguments, description), and only the command
 * being run (or asked for with `accrete <cmd> --help` / `accrete help <cmd>`) has its module imported
 * and registered with its full options. To add a command, add one line here (its register function
 * stays in src/cli/commands/) — never import a command module statically from this file, or every
 * command pays for its imports (the runtime, typescript, PGlite, pg-boss, Octokit, isolated-vm, the
 * simulator). test/cli/lazy.test.ts checks that the stubs match the commands and that --help loads none of those.
 */
export const COMMANDS: LazyCommand[] = [
  { usage: 'run <query>', description: 'answer a query about a long input with the logged RLM loop; prints the answer', load: async () => (await import('./commands/run.js')).registerRun, models: true },
  { usage: 'chat', description: 'ask one query after another about an input (a session): variables and history carry over; each query is a logged run', load: async () => (await import('./commands/chat.js')).registerChat, models: true },
  { usage: 'runs', description: 'recent runs, one line each (newest first)', load: async () => (await import('./commands/runs.js')).registerRuns },
  { usage: 'show <run-id>', description: "a run's trajectory as a tree: steps, code, output, sub-calls and sub-runs", load: async () => (await import('./commands/show.js')).registerShow },
  { usage: 'export [run-ids...]', description: 'write runs as JSONL to standard output: one root run a line, with steps, programs, model calls and sub-runs; with --otlp, send them as OpenTelemetry traces', load: async () => (await import('./commands/interchange.js')).registerExport },
  { usage: 'import <files...>', description: "read runs from JSONL: accrete export, minimal records {id, query, status, answer, steps: [{code: [...]}]}, or the official RLM logger's logs", load: async () => (await import('./commands/interchange.js')).registerImport },
  { usage: 'doctor', description: 'check the database, the spool of records written while it was unreachable, and the model configuration; replays the spool', load: async () => (await import('./commands/doctor.js')).registerDoctor },
  { usage: 'mine', description: "one mining pass over the programs logged since the last one: analyze and profile each program's decomposition, cluster, then generalize, verify and propose library functions", load: async () => (await import('./commands/mine.js')).registerMine, models: true },
  { usage: 'clusters', description: 'clusters of similar decompositions found by `accrete mine`', load: async () => (await import('./commands/clusters.js')).registerClusters },
  { usage: 'worker', description: 'run pg-boss workers until Ctrl-C: batches of queries (`accrete submit`) and the scheduled mining pass; needs a Postgres server', load: async () => (await import('./commands/jobs.js')).registerJobs, models: true },
  { usage: 'submit <file>', description: 'enqueue a batch of queries from a JSONL file (one {query, context|contextFile|contextUrl, model?, subModel?, budgets?, metadata?} a line) for `accrete worker`; prints the batch id; needs a Postgres server', load: async () => (await import('./commands/batch.js')).registerBatch, models: true },
  { usage: 'batch', description: 'the batches submitted with `accrete submit`: status, results, cancel, list (Postgres server)', load: async () => (await import('./commands/batch.js')).registerBatch },
  { usage: 'schedule', description: 'register, list or remove the scheduled mining pass (pg-boss; needs a Postgres server)', load: async () => (await import('./commands/jobs.js')).registerJobs },
  { usage: 'demo', description: 'run a mixed workload (six task families with ground truth) through the logged RLM runtime and a direct baseline; print accuracy, calls, tokens and time per family', load: async () => (await import('./commands/demo.js')).registerDemo, models: true },
  { usage: 'bench', description: 'benchmarks, measured side by side in one run; see bench/RESULTS.md', load: async () => (await import('./commands/bench.js')).registerBench, models: true },
  { usage: 'sim-server', description: 'serve the simulated models (sim-root writes RLM code, sim-leaf answers sub-calls) over an OpenAI-compatible HTTP API; runs until Ctrl-C', load: async () => (await import('./commands/sim-server.js')).registerSimServer },
  { usage: 'library', description: 'functions promoted from recurring programs into the library repository', load: async () => (await import('./commands/library.js')).registerLibrary },
  { usage: 'mcp', description: 'serve the Model Context Protocol over stdio (tools: run, runs, show, library_list, library_show) for agents; runs until its client closes standard input', load: async () => (await import('./commands/mcp.js')).registerMcp, models: true },
  { usage: 'ui', description: 'a read-only web viewer over the database (runs, run trees, clusters, library) on 127.0.0.1; runs until Ctrl-C', load: async () => (await import('./commands/ui.js')).registerUi },
];

const AFTER_ERROR = '(run with --help for usage)';

const nameOf = (c: LazyCommand): string => c.usage.split(' ')[0];

/** The command argv names (after node and the script): the first word, or the one after `help`. */
export function invokedCommand(args: string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/** Commands whose models come only from their flags and the environment. */
const MODELS_FROM_FLAGS = new Set(['run', 'chat', 'mcp']);

/**
 * Whether the command may resolve a simulated model (`sim:root`, `sim:leaf`): always, except for the
 * commands above when neither argv nor ACCRETE_MODEL / ACCRETE_SUB_MODEL names one — then the
 * simulator (some 30 modules) is not loaded before the first model request.
 */
function namesSimModel(command: string, args: string[]): boolean {
  if (!MODELS_FROM_FLAGS.has(command)) return true;
  const env = environment();
  return [...args, env.model ?? '', env.subModel ?? ''].some((a) => a.includes('sim:'));
}

/**
 * The program with every command listed and `invoked` (a command name, if any) loaded in full.
 * Without `invoked`, only stubs: enough for `accrete --help` and `--version`.
 */
export async function buildProgram(invoked?: string, args?: string[]): Promise<Command> {
  const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const program = new Command('accrete')
    .description('A Recursive Language Model runtime that logs every orchestrator it writes and mines the recurring ones into a library.')
    .version(version)
    .showHelpAfterError(AFTER_ERROR)
    .exitOverride();
  // The invoked command's module registers onto a scratch program (a module may register more than
  // one command: jobs.ts has worker and schedule); its commands take their places in the listing.
  const full = new Map<string, Command>();
  const entry = COMMANDS.find((c) => nameOf(c) === invoked);
  if (entry) {
    // `sim:root` / `sim:leaf`: the simulated models (a test double) are the CLI's to offer, not the runtime's.
    if (entry.models && (args === undefined || namesSimModel(nameOf(entry), args))) (await import('../sim/spec.js')).registerSimProvider();
    // Settings set here are inherited by the subcommands the module creates (bench runtime, ...).
    const scratch = new Command().exitOverride().showHelpAfterError(AFTER_ERROR);
    (await entry.load())(scratch);
    for (const cmd of scratch.commands) full.set(cmd.name(), cmd);
  }
  for (const c of COMMANDS) {
    const cmd = full.get(nameOf(c));
    if (cmd) program.addCommand(cmd);
    else program.command(c.usage).description(c.description);
  }
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError(AFTER_ERROR);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = await buildProgram(invokedCommand(argv.slice(2)), argv.slice(2));
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return 2; // commander already printed the problem
    }
    if (err instanceof UsageError || err instanceof InputError || err instanceof DatabaseLockedError) {
      process.stderr.write(`accrete: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`accrete: ${(err as Error).message ?? String(err)}\n`);
    if (environment().debug) process.stderr.write(`${(err as Error).stack}\n`);
    return 1;
  }
}

/** Commands that open the database at once: on the embedded one, its open starts before they load. */
const OPENS_DB_FIRST = new Set(['run', 'chat', 'runs', 'show']);

/** The `--db` flag's value in argv (before any `--`), if given. */
function dbFlag(args: string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--') return undefined;
    if (args[i] === '--db') return args[i + 1];
    if (args[i].startsWith('--db=')) return args[i].slice('--db='.length);
  }
  return undefined;
}

/**
 * PGlite's open takes most of a command's start: for the commands above, on the embedded database,
 * it starts now in its worker thread while this one loads the command (src/db/embedded/early.ts;
 * the command's own open adopts it, or reports what went wrong).
 */
async function openDatabaseEarly(args: string[]): Promise<void> {
  const command = invokedCommand(args);
  if (!command || !OPENS_DB_FIRST.has(command) || args.includes('--help') || args.includes('-h') || args[0] === 'help') return;
  const location = dbLocation(dbFlag(args));
  if (isServerUrl(location)) return;
  (await import('../db/embedded/early.js')).openEmbeddedEarly(location);
}

const invokedDirectly = process.argv[1] && /cli[\\/]main\.(js|ts)$/.test(process.argv[1].replace(/\\/g, '/'));
const isBin = process.argv[1] && /[\\/]accrete$/.test(process.argv[1]);
if (invokedDirectly || isBin) {
  ignoreClosedStdout();
  void openDatabaseEarly(process.argv.slice(2)).catch(() => {});
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`accrete: ${(err as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
