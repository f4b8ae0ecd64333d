/**
 * The Model Context Protocol server of `accrete mcp`: the runtime and its logged data as MCP tools
 * (run, runs, show, library_list, library_show), each with an input schema and a structured result.
 * The tools call what the CLI commands call — the runtime's library API, the read models of
 * src/db/queries.ts through the commands' helpers — so the two never differ.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { RUN_STATUSES } from '../../db/schema.js';
import { listRuns } from '../../db/queries.js';
import type { Budgets } from '../../runtime/budget.js';
import type { RunEvent } from '../../runtime/events.js';
import type { Runtime } from '../../runtime/runtime.js';
import { listLibrary, libraryFunction } from '../commands/library.js';
import { readContext } from '../commands/run.js';
import { runListItem } from '../commands/runs.js';
import { exportedRun, findRun } from '../commands/show.js';
import { UsageError } from '../errors.js';
import { emptyAnswerWarning } from '../run-checks.js';
import { BUDGET_FLAGS } from '../options.js';

export interface McpServerOptions {
  runtime: Runtime;
  /** The library repository library_list and library_show read. */
  libraryDir: string;
  version: string;
}

/** Per-run budgets a caller may lower or raise: the same fields as the budget flags of `accrete run`. */
const budgetsShape = Object.fromEntries(BUDGET_FLAGS.map(([flag, key, help]) => [key, z.number().nonnegative().optional().describe(`${help} (${flag})`)])) as Record<keyof Budgets, z.ZodOptional<z.ZodNumber>>;

const runSummary = {
  runId: z.string(),
  status: z.enum(RUN_STATUSES),
  answer: z.string().nullable(),
  error: z.string().nullable(),
  iterations: z.number(),
  llmCalls: z.number(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  costUsd: z.number(),
  durationMs: z.number(),
  warning: z.string().optional().describe('why a run that succeeded is no plain success (an empty answer)'),
};

const runListEntry = z.object({
  runId: z.string(),
  startedAt: z.string(),
  status: z.string(),
  depth: z.number(),
  iterations: z.number(),
  llmCalls: z.number(),
  tokens: z.number(),
  durationMs: z.number().nullable(),
  source: z.string(),
  query: z.string(),
});

const exported = z
  .object({ id: z.string(), query: z.string(), status: z.string(), answer: z.string().nullable(), steps: z.array(z.unknown()), modelCalls: z.array(z.unknown()), subRuns: z.array(z.unknown()) })
  .loose();

const libraryRow = z.object({ name: z.string(), version: z.string(), status: z.string(), support: z.number(), coverage: z.number(), gain: z.number(), branch: z.string() });

/** What a client hears while a run goes on (root-run steps, model calls, batches, sub-runs), or nothing. */
function progressMessage(e: RunEvent): string | undefined {
  const where = e.depth > 0 ? ` (sub-run, depth ${e.depth})` : '';
  switch (e.type) {
    case 'step_start':
      return `step ${e.step + 1}${where}`;
    case 'model_call_end':
      return `${e.kind} model call ${e.status}: ${e.inputTokens} in / ${e.outputTokens} out tokens${where}`;
    case 'batch':
      return `${e.fn} ${e.done}/${e.total}${where}`;
    case 'run_end':
      return e.depth === 0 ? `run ${e.status}` : undefined;
    default:
      return undefined;
  }
}

/** A structured result with its JSON as the text content too (for clients that read only text). */
function result<T extends Record<string, unknown>>(value: T, isError = false): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value, isError };
}

/** What the caller did wrong (or what failed), as a tool error the agent reads; never a crash of the server. */
async function answering(work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { content: [{ type: 'text', text: err instanceof UsageError ? message : `accrete: ${message}` }], isError: true };
  }
}

export function createMcpServer(options: McpServerOptions): McpServer {
  const { runtime, libraryDir } = options;
  const database = runtime.database;
  const server = new McpServer({ name: 'accrete', version: options.version });

  server.registerTool(
    'run',
    {
      title: 'Answer a query about a long input',
      description:
        'Runs the query through the logged RLM loop: the root model writes JavaScript over the input (a variable, never pasted into its prompt) and calls models on pieces of it. Give the input as text (context) or as a file path on this machine (contextFile; .json files are read as JSON). Returns the answer, the status and the usage; the run is logged (see show).',
      inputSchema: {
        query: z.string().min(1).describe('what you want to know about the input'),
        context: z.string().optional().describe('the input as text'),
        contextFile: z.string().optional().describe('the input, read from this file path instead'),
        contextFormat: z.enum(['auto', 'text', 'json']).optional().describe('auto (JSON for .json files), text or json'),
        budgets: z.object(budgetsShape).optional().describe('budgets of this run (default: those the server was started with)'),
      },
      outputSchema: runSummary,
    },
    ({ query, context, contextFile, contextFormat, budgets }, extra) =>
      answering(async () => {
        if (contextFile === '-' || context === '-') throw new UsageError('standard input carries the protocol here: give the input as context (text) or contextFile (a path)');
        if (context === undefined && !contextFile) throw new UsageError('no input: give it as context (text, "" for none) or contextFile (a path on this machine)');
        const input = readContext({ context, contextFile, contextFormat: contextFormat ?? 'auto' });
        const stream = runtime.stream({ query, context: input, budgets, signal: extra.signal });
        // A client that asked for progress (a progressToken) hears of each step, model call and batch:
        // long runs show progress, and a client that resets its timeout on progress keeps waiting.
        const progressToken = extra._meta?.progressToken;
        let progress = 0;
        for await (const event of stream) {
          const message = progressMessage(event);
          if (progressToken === undefined || message === undefined) continue;
          await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress: ++progress, message } }).catch(() => {});
        }
        const summary = await stream.result;
        const warning = emptyAnswerWarning(summary);
        return result(warning ? { ...summary, warning } : { ...summary }, summary.status !== 'succeeded' || warning !== undefined);
      }),
  );

  server.registerTool(
    'runs',
    {
      title: 'Recent runs',
      description: 'The newest logged runs first, one entry each (root runs unless all is true).',
      inputSchema: {
        limit: z.number().int().min(1).max(1000).optional().describe('how many (default 20)'),
        status: z.enum(RUN_STATUSES).optional().describe('only runs with this status'),
        all: z.boolean().optional().describe('include sub-runs (rlm) too'),
      },
      outputSchema: { runs: z.array(runListEntry) },
    },
    ({ limit, status, all }) => answering(async () => result({ runs: (await listRuns(database, { limit: limit ?? 20, status, all })).map(runListItem) })),
  );

  server.registerTool(
    'show',
    {
      title: 'A run as logged',
      description: "A run's trajectory as exported: its steps (code, output, errors), model calls and sub-runs. With full, also the exact system prompt it received and the library functions it listed.",
      inputSchema: {
        runId: z.string().min(4).describe('the run id, or a unique prefix of it'),
        full: z.boolean().optional().describe('add what the run received: system prompt, listed library functions, library commit'),
      },
      outputSchema: { run: exported },
    },
    ({ runId, full }) =>
      answering(async () => {
        const run = await exportedRun(database, await findRun(database, runId), Boolean(full));
        if (!run) throw new UsageError(`run ${runId} has no root run in this database (an orphaned sub-run?)`);
        return result({ run: run as unknown as Record<string, unknown> });
      }),
  );

  server.registerTool(
    'library_list',
    {
      title: 'Library functions',
      description: "Each function mined into the library, its newest version and status (proposed, merged, retired), after reading the library's main branch.",
      inputSchema: {},
      outputSchema: { functions: z.array(libraryRow) },
    },
    () => answering(async () => result({ functions: await listLibrary(database, libraryDir) })),
  );

  server.registerTool(
    'library_show',
    {
      title: 'A library function',
      description: "A function of the library: its manifest entry on main (doc, signature, versions, evidence; null if not merged), every promotion of it, and its source on main.",
      inputSchema: { name: z.string().min(1).describe('the function name, as library_list gives it') },
      outputSchema: { name: z.string(), merged: z.object({ name: z.string(), version: z.string(), versions: z.array(z.unknown()) }).loose().nullable(), promotions: z.array(z.object({}).loose()), source: z.string().nullable() },
    },
    ({ name }) => answering(async () => result({ ...(await libraryFunction(database, libraryDir, name)) })),
  );

  return server;
}
