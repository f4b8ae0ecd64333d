/** Options shared by commands: the database, models, budgets, output format. */
import { type Command, Option } from 'commander';
import type { Database } from '../db/connection.js';
import { budgetValueProblem, type Budgets } from '../runtime/budget.js';
import { dbLocation } from './config.js';
import { UsageError } from './errors.js';

export function withDb(cmd: Command): Command {
  return cmd.option('--db <path|url>', 'database: a directory for the embedded database, or postgres://... (default: $ACCRETE_DB, $DATABASE_URL, ./.accrete/db)');
}

export function withJson(cmd: Command, what = 'print JSON for scripts'): Command {
  return cmd.option('--json', what);
}

export async function openDbFromOptions(opts: { db?: string }): Promise<Database> {
  const { openDatabase } = await import('../db/connection.js'); // the drivers load with the first command that opens a database
  return openDatabase(dbLocation(opts.db));
}

function positiveNumber(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be a non-negative number (got "${value}")`);
    return n;
  };
}

/** A budget flag's value: what the runtime accepts for that budget (positive; --max-depth may be 0), else a usage error. */
function budgetValue(flag: string, key: keyof Budgets) {
  return (value: string): number => {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    const problem = budgetValueProblem(key, n);
    if (problem) throw new UsageError(`${flag} ${problem} (got "${value}")`);
    return n;
  };
}

/** A count flag such as -n/--limit: a whole number from 1 up. */
export function positiveInteger(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number of at least 1 (got "${value}")`);
    return n;
  };
}

/** Budget flags, each mapped to a field of Budgets. */
export const BUDGET_FLAGS: [flag: string, key: keyof Budgets, help: string][] = [
  ['--max-iterations', 'maxIterations', 'root-model turns per run'],
  ['--step-timeout-ms', 'stepTimeoutMs', 'wall clock of one code block'],
  ['--run-timeout-ms', 'runTimeoutMs', 'wall clock of the whole run, sub-runs included'],
  ['--cpu-time-ms', 'cpuTimeMs', 'CPU time of one run\'s sandbox'],
  ['--memory-mb', 'memoryMb', 'heap limit of the sandbox, MB'],
  ['--max-output-chars', 'maxOutputChars', 'characters of a step\'s output shown to the model'],
  ['--max-llm-calls', 'maxLlmCalls', 'model calls of the run tree'],
  ['--max-tokens', 'maxTokens', 'tokens of the run tree'],
  ['--max-cost-usd', 'maxCostUsd', 'cost of the run tree, USD'],
  ['--max-depth', 'maxDepth', 'depth of rlm() sub-runs (at the limit rlm degrades to llm)'],
  ['--concurrency', 'concurrency', 'model calls in flight at once'],
  ['--max-sub-prompt-chars', 'maxSubPromptChars', 'characters of one sub-call\'s prompt'],
  ['--max-answer-chars', 'maxAnswerChars', 'characters of the answer FINAL may give'],
  ['--max-tool-calls', 'maxToolCalls', 'calls of custom tools (--tools) over the run tree'],
];

const camel = (flag: string) => flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

export function withBudgets(cmd: Command): Command {
  for (const [flag, key, help] of BUDGET_FLAGS) cmd.addOption(new Option(`${flag} <n>`, help).argParser(budgetValue(flag, key)));
  return cmd;
}

export function budgetsFromOptions(opts: Record<string, unknown>): Partial<Budgets> {
  const out: Partial<Budgets> = {};
  for (const [flag, key] of BUDGET_FLAGS) {
    const v = opts[camel(flag)];
    if (typeof v === 'number') out[key] = v;
  }
  return out;
}

export function withModels(cmd: Command): Command {
  return cmd
    .option('--model <spec>', 'root model: a model name on the OpenAI-compatible endpoint, script:FILE, or sim:root (default: $ACCRETE_MODEL or gpt-5-mini)')
    .option('--sub-model <spec>', 'model for llm() sub-calls: a model name, script:FILE, or sim:leaf (default: $ACCRETE_SUB_MODEL or gpt-5-nano)')
    .option('--base-url <url>', 'OpenAI-compatible endpoint (default: $OPENAI_BASE_URL or OpenAI)')
    .addOption(new Option('--request-timeout-ms <n>', 'timeout of one model request').argParser(positiveNumber('--request-timeout-ms')))
    .addOption(new Option('--retries <n>', 'retries of a model request on 429, 5xx and timeouts').argParser(positiveNumber('--retries')));
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
