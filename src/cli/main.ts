#!/usr/bin/env node
/** The `accrete` command. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { DatabaseLockedError } from '../db/lock.js';
import { InputError } from '../runtime/runtime.js';
import { packageRoot } from '../util/package-root.js';
import { registerBench } from './commands/bench.js';
import { registerDemo } from './commands/demo.js';
import { registerClusters } from './commands/clusters.js';
import { registerDoctor } from './commands/doctor.js';
import { registerExport, registerImport } from './commands/interchange.js';
import { registerJobs } from './commands/jobs.js';
import { registerLibrary } from './commands/library.js';
import { registerMine } from './commands/mine.js';
import { registerRun } from './commands/run.js';
import { registerRuns } from './commands/runs.js';
import { registerShow } from './commands/show.js';
import { registerSimServer } from './commands/sim-server.js';
import { registerSimProvider } from '../sim/spec.js';
import { environment } from './config.js';
import { UsageError } from './errors.js';

export function buildProgram(): Command {
  // `sim:root` / `sim:leaf`: the simulated models (a test double) are the CLI's to offer, not the runtime's.
  registerSimProvider();
  const version = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  const program = new Command('accrete')
    .description('A Recursive Language Model runtime that logs every orchestrator it writes and mines the recurring ones into a library.')
    .version(version)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRun(program);
  registerRuns(program);
  registerShow(program);
  registerExport(program);
  registerImport(program);
  registerDoctor(program);
  registerMine(program);
  registerClusters(program);
  registerJobs(program);
  registerDemo(program);
  registerBench(program);
  registerSimServer(program);
  registerLibrary(program);
  for (const cmd of program.commands) cmd.exitOverride().showHelpAfterError('(run with --help for usage)');
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
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

const invokedDirectly = process.argv[1] && /cli[\\/]main\.(js|ts)$/.test(process.argv[1].replace(/\\/g, '/'));
const isBin = process.argv[1] && /[\\/]accrete$/.test(process.argv[1]);
if (invokedDirectly || isBin) {
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
