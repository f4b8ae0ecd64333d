/**
 * `accrete chat`: a session over one input, one query a line. The REPL's variables and the root
 * model's history carry over between queries; each query is a logged run linked to the session.
 */
import { createInterface } from 'node:readline';
import { type Command, Option } from 'commander';
import { LibraryError } from '../../library/load.js';
import { createRuntime } from '../../runtime/runtime.js';
import { ToolDefinitionError } from '../../runtime/tools.js';
import { dbLocation, environment, openaiConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { budgetsFromOptions, withBudgets, withDb, withJson, withModels } from '../options.js';
import { ProgressLine, runProgress } from '../progress.js';
import { loadToolsFile, readSchemaFile } from '../tools-file.js';
import { libraryFromOptions, readContext, type RunOptions } from './run.js';

/** The options of run (its input, models, library, budgets, tools) and the session's compaction point. */
type ChatOptions = RunOptions & { compactAtTokens?: number };

const EXIT_WORDS = new Set(['/exit', '/quit', 'exit', 'quit']);

export function registerChat(program: Command): void {
  const cmd = program
    .command('chat')
    .description('ask one query after another about an input (a session): variables and history carry over; each query is a logged run')
    .option('--context-file <file>', 'the input, read from a file')
    .option('--context <text>', 'the input as text')
    .option('--context-format <format>', 'auto (JSON for .json files), text or json', 'auto')
    .option('--context-schema <file>', 'a JSON Schema of the input, shown to the model instead of the structure accrete infers from JSON')
    .option('--tools <file>', 'custom tools: an ES module exporting { name: { description, parameters, handler } }')
    .addOption(
      new Option('--compact-at-tokens <n>', "summarize older turns with the root model when the history is over this many (estimated) tokens; default: never").argParser((v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new UsageError(`--compact-at-tokens must be a positive integer (got "${v}")`);
        return n;
      }),
    )
    .option('--library <dir>', 'the library repository (default: $ACCRETE_LIBRARY_DIR, then ./.accrete/library)')
    .option('--no-library', 'chat without the library')
    .option('--library-pin <pin>', 'load the library as of a commit, and/or pin functions: name@version (comma-separated)')
    .addOption(new Option('--library-k <n>', 'library functions listed per query (default 5)').argParser((v: string) => Number(v)));
  withJson(withModels(withBudgets(withDb(cmd))), 'print one JSON object a turn {sessionId, turn, runId, status, answer, ...}');
  cmd.addHelpText(
    'after',
    `
Type a query and press Enter; the answer is printed when the run ends. Ctrl-C stops the running
query (logged as cancelled); Ctrl-C at the prompt, Ctrl-D or /exit ends the session. Queries can
also be piped, one a line. Exit status: 0, or 1 when a query failed or hit a budget.
Examples:
  accrete chat --context-file tickets.txt
  accrete chat --context-file orders.json --compact-at-tokens 50000 --tools tools.mjs`,
  );
  cmd.action(async (opts: ChatOptions) => {
    if (opts.contextFile === '-' || opts.context === '-') throw new UsageError('chat reads its queries from standard input: give the input with --context-file FILE or --context TEXT, not -');
    if (!['auto', 'text', 'json'].includes(opts.contextFormat ?? 'auto')) throw new UsageError('--context-format must be auto, text or json');
    const progress = new ProgressLine();
    const context = readContext(opts);
    const contextSchema = opts.contextSchema ? readSchemaFile(opts.contextSchema) : undefined;
    const tools = opts.tools ? await loadToolsFile(opts.tools) : undefined;
    const runtime = await createRuntime({
      db: dbLocation(opts.db),
      model: opts.model ?? environment().model,
      subModel: opts.subModel ?? environment().subModel,
      openai: openaiConfig(opts),
      budgets: budgetsFromOptions(opts),
      onProgress: runProgress(progress),
      library: libraryFromOptions(opts, (message) => process.stderr.write(`accrete: ${message}\n`)),
      tools,
    }).catch((err: unknown) => {
      if (err instanceof ToolDefinitionError) throw new UsageError(`--tools ${opts.tools}: ${err.message}`);
      throw err instanceof LibraryError ? new UsageError(err.message) : err;
    });
    const session = runtime.session({ context, contextSchema, compactAtTokens: opts.compactAtTokens });
    const interactive = Boolean(process.stdin.isTTY);
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: interactive, prompt: 'accrete> ' });
    let turn: AbortController | undefined;
    const onInterrupt = () => {
      if (turn) {
        progress.clear();
        process.stderr.write('accrete: stopping this query (logged as cancelled)\n');
        turn.abort(new Error('interrupted (SIGINT)'));
      } else rl.close();
    };
    rl.on('SIGINT', onInterrupt);
    process.on('SIGINT', onInterrupt);
    let failed = false;
    if (interactive) process.stderr.write(`accrete: session ${session.id}. One query a line; Ctrl-D or /exit ends it.\n`);
    try {
      const prompt = () => {
        if (interactive) rl.prompt();
      };
      prompt();
      for await (const raw of rl) {
        const query = raw.trim();
        if (EXIT_WORDS.has(query)) break;
        if (query) {
          turn = new AbortController();
          try {
            const summary = await session.run({ query, signal: turn.signal });
            progress.clear();
            if (opts.json) process.stdout.write(`${JSON.stringify({ sessionId: session.id, turn: session.turns, ...summary })}\n`);
            else {
              if (summary.answer !== null) process.stdout.write(`${summary.answer}\n`);
              if (summary.status !== 'succeeded') process.stderr.write(`accrete: run ${summary.runId} ${summary.status}: ${summary.error ?? ''}\n`);
            }
            if (summary.status !== 'succeeded') failed = true;
          } finally {
            turn = undefined;
          }
        }
        prompt();
      }
    } finally {
      rl.close();
      process.off('SIGINT', onInterrupt);
      progress.clear();
      if (interactive) process.stderr.write(`\naccrete: session ${session.id} ended after ${session.turns} queries\n`);
      await session.close();
      await runtime.close();
    }
    process.exitCode = failed ? 1 : 0;
  });
}
