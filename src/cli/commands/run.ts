/** `accrete run`: one query through the logged RLM runtime; the input from a file, text or standard input. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { type Command, Option } from 'commander';
import type { LibraryConfig } from '../../library/load.js';
import type { ContextInput } from '../../runtime/context.js';
import { createRuntime } from '../../runtime/runtime.js';
import { dbLocation, environment, libraryDir, openaiConfig, otelSetting } from '../config.js';
import { UsageError } from '../errors.js';
import { budgetsFromOptions, printJson, withBudgets, withDb, withJson, withModels } from '../options.js';
import { onInterrupt } from '../interrupt.js';
import { ProgressLine, runProgress } from '../progress.js';
import { ToolDefinitionError } from '../../runtime/tools.js';
import { loadToolsFile, readSchemaFile } from '../tools-file.js';
import { asUsageError, checkModelAccess, emptyAnswerWarning, outcomeLine } from '../run-checks.js';

export interface RunOptions {
  otel?: boolean;
  otelEndpoint?: string;
  contextFile?: string;
  context?: string;
  contextFormat?: 'auto' | 'text' | 'json';
  db?: string;
  json?: boolean;
  model?: string;
  subModel?: string;
  baseUrl?: string;
  requestTimeoutMs?: number;
  retries?: number;
  runId?: string;
  /** A directory, or false for --no-library. */
  library?: string | false;
  libraryPin?: string;
  libraryK?: number;
  tools?: string;
  contextSchema?: string;
  [budget: string]: unknown;
}

function readStdin(): Buffer {
  try {
    return readFileSync(0);
  } catch (err) {
    throw new UsageError(`could not read the context from standard input: ${(err as Error).message}`);
  }
}

export function readContext(opts: Pick<RunOptions, 'contextFile' | 'context' | 'contextFormat'>): ContextInput {
  if (opts.contextFile && opts.context !== undefined) throw new UsageError('give the input with --context-file FILE or --context TEXT, not both');
  let bytes: Buffer;
  let name = '';
  if (opts.contextFile) {
    name = opts.contextFile;
    try {
      bytes = opts.contextFile === '-' ? readStdin() : readFileSync(opts.contextFile);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
      throw new UsageError(`cannot read the context file ${opts.contextFile}: ${why}. Check the path, or pass the text with --context TEXT (- reads standard input).`);
    }
  } else if (opts.context === '-') {
    bytes = readStdin();
  } else if (opts.context !== undefined) {
    return opts.contextFormat === 'json' ? parseJsonContext(Buffer.from(opts.context), '--context') : opts.context;
  } else {
    return '';
  }
  const asJson = opts.contextFormat === 'json' || (opts.contextFormat !== 'text' && extname(name).toLowerCase() === '.json');
  return asJson ? parseJsonContext(bytes, name || 'standard input') : new Uint8Array(bytes);
}

function parseJsonContext(bytes: Buffer, where: string): ContextInput {
  try {
    return { json: JSON.parse(bytes.toString('utf8')) };
  } catch (err) {
    throw new UsageError(`${where} is not valid JSON (${(err as Error).message}); pass --context-format text to read it as text.`);
  }
}

/**
 * RuntimeOptions.library from --library (then $ACCRETE_LIBRARY_DIR, then the default),
 * --library-pin, --library-k and --no-library; retrieval by embeddings with
 * $ACCRETE_LIBRARY_EMBEDDING_MODEL.
 */
export function libraryFromOptions(opts: Pick<RunOptions, 'library' | 'libraryPin' | 'libraryK' | 'baseUrl'>, onWarning?: (message: string) => void): LibraryConfig | false {
  if (opts.library === false) {
    if (opts.libraryPin !== undefined || opts.libraryK !== undefined) throw new UsageError('--no-library cannot be combined with --library-pin or --library-k');
    return false;
  }
  const model = environment().libraryEmbeddingModel;
  const { apiKey, baseURL } = openaiConfig(opts);
  return { dir: libraryDir(opts.library), pin: opts.libraryPin, k: opts.libraryK, onWarning, embeddings: model ? { model, apiKey, baseURL } : undefined };
}

export function registerRun(program: Command): void {
  const cmd = program
    .command('run')
    .description('answer a query about a long input with the logged RLM loop; prints the answer')
    .argument('<query>', 'what you want to know about the input')
    .option('--context-file <file>', 'the input, read from a file (- for standard input)')
    .option('--context <text>', 'the input as text (- reads standard input)')
    .option('--context-format <format>', 'auto (JSON for .json files), text or json', 'auto')
    .option('--context-schema <file>', 'a JSON Schema of the input, shown to the model instead of the structure accrete infers from JSON')
    .option('--tools <file>', 'custom tools: an ES module exporting { name: { description, parameters (JSON Schema), handler } } (default export or `tools`); code calls await tools.name(args)')
    .option('--run-id <uuid>', 'use this id for the run')
    .option('--otel', 'send the run as an OpenTelemetry trace over OTLP/HTTP when it ends (on by default when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; the other OTEL_* variables apply)')
    .option('--no-otel', 'do not send the run as an OpenTelemetry trace')
    .option('--otel-endpoint <url>', 'the OTLP/HTTP endpoint for --otel (like OTEL_EXPORTER_OTLP_ENDPOINT, e.g. http://localhost:4318)')
    .option('--library <dir>', 'the library repository whose merged functions runs can call as lib.<name> (default: $ACCRETE_LIBRARY_DIR, then ./.accrete/library)')
    .option('--no-library', 'run without the library')
    .option('--library-pin <pin>', 'load the library as of a commit of its main branch, and/or pin functions to older versions: name@version (comma-separated)')
    .addOption(
      new Option('--library-k <n>', 'library functions listed in the system prompt per query (default 5; all stay callable)').argParser((v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0) throw new UsageError(`--library-k must be a non-negative integer (got "${v}")`);
        return n;
      }),
    );
  withJson(withModels(withBudgets(withDb(cmd))), 'print a summary object {runId, status, answer, iterations, llmCalls, usage, costUsd, durationMs}');
  cmd.addHelpText(
    'after',
    `
Exit status: 0 when the run succeeded with an answer, 1 when it failed, hit a budget or answered nothing (--json adds a warning), 2 for usage errors.
Examples:
  accrete run "How many tickets mention a refund?" --context-file tickets.txt
  cat report.txt | accrete run "Summarize the key risks" --context - --json
  accrete run "Find the code" --context-file big.txt --model script:trajectory.json --sub-model script:answers.json
  accrete run "How many refunds?" --context-file tickets.txt --library ../library --library-pin countRefunds@1.0.0`,
  );
  cmd.action(async (query: string, opts: RunOptions) => {
    if (!query.trim()) throw new UsageError('the query is empty: say what you want to know, e.g. accrete run "How many tickets mention a refund?" --context-file tickets.txt');
    if (!['auto', 'text', 'json'].includes(opts.contextFormat ?? 'auto')) throw new UsageError('--context-format must be auto, text or json');
    if (opts.context === undefined && !opts.contextFile) {
      throw new UsageError('no input: give it with --context-file FILE, --context TEXT, or --context - to read standard input (--context "" for none)');
    }
    const progress = new ProgressLine();
    const library = libraryFromOptions(opts, (message) => {
      progress.clear();
      process.stderr.write(`accrete: ${message}\n`);
    });
    const context = readContext(opts);
    const contextSchema = opts.contextSchema ? readSchemaFile(opts.contextSchema) : undefined;
    const tools = opts.tools ? await loadToolsFile(opts.tools) : undefined;
    // After every other check of the flags and the input: each says what is wrong with itself first.
    const models = { model: opts.model ?? environment().model, subModel: opts.subModel ?? environment().subModel };
    checkModelAccess(models, openaiConfig(opts));
    const otel = otelSetting(opts);
    if (otel.error) throw new UsageError(otel.error);
    if (otel.warning) process.stderr.write(`accrete: ${otel.warning}\n`);
    const runtime = await createRuntime({
      otel: otel.options ?? false,
      db: dbLocation(opts.db),
      ...models,
      openai: openaiConfig(opts),
      budgets: budgetsFromOptions(opts),
      onProgress: runProgress(progress),
      library,
      tools,
    }).catch((err: unknown) => {
      // A pin, a library or tools that cannot be used as configured: say so, like any other bad flag.
      if (err instanceof ToolDefinitionError) throw new UsageError(`--tools ${opts.tools}: ${err.message}`);
      throw asUsageError(err);
    });
    if (typeof opts.library === 'string' && !runtime.library) {
      process.stderr.write(`accrete: --library ${opts.library}: no library there (not a git repository with a main branch and a manifest.json); running without one\n`);
    }
    const interrupt = onInterrupt('accrete: interrupted; saving the run', () => progress.clear());
    try {
      const summary = await runtime.run({ query, context, contextSchema, runId: opts.runId, signal: interrupt.signal });
      progress.clear();
      const warning = emptyAnswerWarning(summary);
      if (opts.json) printJson(warning ? { ...summary, warning } : summary);
      else {
        if (summary.answer !== null) process.stdout.write(`${summary.answer}\n`);
        if (summary.status !== 'succeeded') process.stderr.write(`accrete: ${outcomeLine(summary)}\n`);
        else if (warning) process.stderr.write(`accrete: run ${summary.runId}: ${warning}\n`);
        else if (process.stderr.isTTY) process.stderr.write(`accrete: run ${summary.runId} · ${summary.iterations} iterations · ${summary.llmCalls} model calls · ${summary.usage.inputTokens + summary.usage.outputTokens} tokens · ${summary.durationMs} ms\n`);
      }
      process.exitCode = summary.status === 'succeeded' && !warning ? 0 : 1;
    } finally {
      interrupt.dispose();
      progress.clear();
      await runtime.close();
    }
  });
}
