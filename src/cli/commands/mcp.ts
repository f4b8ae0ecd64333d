/**
 * `accrete mcp`: serves the Model Context Protocol over standard input and output, for agents (an
 * MCP client starts it as a subprocess). Standard output carries the protocol only: everything else
 * this process says goes to standard error.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { type Command, Option } from 'commander';
import { createRuntime } from '../../runtime/runtime.js';
import { dbLocation, environment, libraryDir, openaiConfig } from '../config.js';
import { createMcpServer } from '../mcp/server.js';
import { budgetsFromOptions, withBudgets, withDb, withModels } from '../options.js';
import { asUsageError, checkModelAccess } from '../run-checks.js';
import { libraryFromOptions } from './run.js';

interface McpOptions {
  db?: string;
  model?: string;
  subModel?: string;
  baseUrl?: string;
  requestTimeoutMs?: number;
  retries?: number;
  library?: string | false;
  libraryPin?: string;
  [budget: string]: unknown;
}

/** console.log and friends write to standard error: a stray log line on stdout would break the protocol. */
function consoleToStderr(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  console.warn = toStderr;
}

export function registerMcp(program: Command): void {
  const cmd = program
    .command('mcp')
    .description('serve the Model Context Protocol over stdio (tools: run, runs, show, library_list, library_show) for agents; runs until its client closes standard input')
    .option('--library <dir>', 'the library repository: runs call its merged functions, library_list and library_show read it (default: $ACCRETE_LIBRARY_DIR, then ./.accrete/library)')
    .option('--no-library', 'runs without the library')
    .addOption(new Option('--library-pin <pin>', 'load the library as of a commit of its main branch, and/or pin functions: name@version (comma-separated)'));
  withModels(withBudgets(withDb(cmd)));
  cmd.addHelpText(
    'after',
    `
An MCP client starts it; for example, in the client's configuration:
  { "mcpServers": { "accrete": { "command": "accrete", "args": ["mcp", "--db", "/path/to/db"] } } }
Standard output carries only the protocol; messages go to standard error.`,
  );
  cmd.action(async (opts: McpOptions) => {
    consoleToStderr();
    const warn = (message: string) => process.stderr.write(`accrete mcp: ${message}\n`);
    const models = { model: opts.model ?? environment().model, subModel: opts.subModel ?? environment().subModel };
    checkModelAccess(models, openaiConfig(opts));
    const runtime = await createRuntime({
      db: dbLocation(opts.db),
      ...models,
      openai: openaiConfig(opts),
      budgets: budgetsFromOptions(opts),
      library: libraryFromOptions(opts, warn),
    }).catch((err: unknown) => {
      throw asUsageError(err);
    });
    const server = createMcpServer({ runtime, libraryDir: libraryDir(typeof opts.library === 'string' ? opts.library : undefined), version: cmd.parent?.version() ?? '0.0.0' });
    const closed = new Promise<void>((resolve) => {
      server.server.onclose = resolve;
    });
    const stop = () => void server.close();
    process.stdin.once('end', stop);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await server.connect(new StdioServerTransport());
      warn(`serving the Model Context Protocol on stdio (database ${runtime.database.kind}); close standard input to stop`);
      await closed;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await runtime.close();
    }
  });
}
