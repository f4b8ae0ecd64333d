/**
 * The runtime: owns the database, the trace writer, the sandbox pool and the models, and runs
 * queries through the logged RLM loop. `createRuntime(options).run({query, context})`.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { type Database, openDatabase, resolveDbLocation } from '../db/connection.js';
import { recoverInterruptedRuns } from '../db/interrupted.js';
import { type LibraryConfig, openLibrary } from '../library/load.js';
import type { LibrarySnapshot } from '../library/types.js';
import { DEFAULT_ROOT_MODEL, DEFAULT_SUB_MODEL, defaultSubModelFor, type ModelConfig, resolveModel } from '../models/resolve.js';
import type { ModelClient } from '../models/types.js';
import { SandboxPool } from '../sandbox/repl.js';
import { configuredSecrets, Redactor } from '../trace/redact.js';
import type { OtelOptions } from '../trace/otel.js';
import { DEFAULT_SPOOL_DIR, replaySpool, TraceWriter } from '../trace/writer.js';
import { BudgetExceededError, BudgetLedger, type Budgets, resolveBudgets } from './budget.js';
import { type ContextInput, type PreparedContext, prepareContext } from './context.js';
import type { RunEvent } from './events.js';
import { openSession, type Session, type SessionOptions, streamRun, type RunStream } from './handles.js';
import type { SessionState } from './session.js';
import { type JsonSchema, ToolBox, type ToolSet } from './tools.js';
import { type ProgressEvent, type RunEnvironment, type RunSummary, startRun } from './run.js';
import { InputError } from './errors.js';

export interface RuntimeOptions {
  /** A database location (directory, memory://, postgres://...) or an open database. */
  db?: string | Database;
  /**
   * Root model: a spec (`gpt-5-mini`, `script:FILE`, or `<prefix>:...` of a provider the caller
   * registered, e.g. `sim:root` once src/sim's registerSimProvider ran) or a client.
   */
  model?: string | ModelClient;
  /** Model for llm() sub-calls (default: what the root model's provider pairs with it, else gpt-5-nano). */
  subModel?: string | ModelClient;
  /** OpenAI-compatible endpoint settings for model specs. */
  openai?: ModelConfig;
  budgets?: Partial<Budgets>;
  /** Where records go while the database is unreachable (default ./.accrete/spool). */
  spoolDir?: string;
  /**
   * Merged library functions to load into every run: a loaded snapshot, where to load one from
   * (`{ dir, pin, k }`, read once here), or false for none. Default: ./.accrete/library when it is
   * a library repository. (The runtime reads no environment: the CLI resolves its flags and
   * variables in src/cli/config.ts and passes them here.)
   */
  library?: LibrarySnapshot | LibraryConfig | false;
  onProgress?: (event: ProgressEvent) => void;
  /** Ready sandbox processes kept for fast run starts (default 1). */
  warmSandboxes?: number;
  /**
   * Custom tools the root model's code calls as `await tools.<name>(args)`: each
   * `{ description, parameters (JSON Schema), handler(args, { signal, runId }) }`. The handlers run
   * here, on the host; arguments are validated against the schema and results must be JSON.
   */
  tools?: ToolSet;
  /**
   * Send each run as an OpenTelemetry trace over OTLP/HTTP when it ends (src/trace/otel.ts): true
   * for what the standard OTEL_* variables say (default http://localhost:4318), or options (an
   * endpoint, headers, protocol). A failed export never fails a run: it is reported once.
   */
  otel?: boolean | OtelOptions;
}

export interface RunInput {
  query: string;
  context?: ContextInput;
  /** Keep this id for the run (default: a new UUID). */
  runId?: string;
  /** Per-run budget overrides. */
  budgets?: Partial<Budgets>;
  /** Cancels the run (it is logged as cancelled with everything so far). */
  signal?: AbortSignal;
  /** A JSON Schema of the context, shown to the root model instead of the shape accrete infers. */
  contextSchema?: JsonSchema;
}

export { InputError };

export interface Runtime {
  readonly database: Database;
  readonly writer: TraceWriter;
  readonly rootModel: ModelClient;
  readonly subModel: ModelClient;
  /** The library every run of this runtime loads, if any. */
  readonly library?: LibrarySnapshot;
  run(input: RunInput): Promise<RunSummary>;
  /** The same run, as an async iterator of its events (`for await`); `result` is its summary. */
  stream(input: RunInput): RunStream;
  /** Queries over one input that share the REPL's variables and the root model's history. */
  session(options?: SessionOptions): Session;
  /** Writes everything logged so far. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

const isSnapshot = (l: LibrarySnapshot | LibraryConfig): l is LibrarySnapshot => typeof (l as LibrarySnapshot).select === 'function' && typeof (l as LibrarySnapshot).source === 'string';

function asModel(m: string | ModelClient | undefined, fallback: string, role: 'root' | 'sub', cfg?: ModelConfig): ModelClient {
  if (m && typeof m !== 'string') return m;
  return resolveModel(m ?? fallback, role, cfg);
}

export async function createRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const baseBudgets = resolveBudgets(options.budgets);
  const rootModel = asModel(options.model, DEFAULT_ROOT_MODEL, 'root', options.openai);
  const subModel = asModel(options.subModel, (typeof options.model === 'string' ? defaultSubModelFor(options.model) : undefined) ?? DEFAULT_SUB_MODEL, 'sub', options.openai);
  // Before the database opens: a bad library pin fails here, with nothing to clean up.
  const lib = options.library;
  const library = lib === false ? undefined : lib && isSnapshot(lib) ? lib : await openLibrary(lib ?? {});
  // A bad tool (name, schema, handler) fails here too, before anything is opened.
  const tools = options.tools ? new ToolBox(options.tools) : undefined;
  // Before the database opens too (an unsupported OTLP protocol fails here); the SDK loads only when asked for.
  const otel = options.otel ? new (await import('../trace/otel.js')).LiveTraceExport(options.otel === true ? {} : options.otel) : undefined;
  const ownsDb = typeof options.db !== 'object';
  // The warm sandbox child (a process of its own) starts while the database opens, ready for the first step.
  const pool = new SandboxPool(options.warmSandboxes ?? 1);
  pool.prewarm();
  let database: Database;
  try {
    database = typeof options.db === 'object' ? options.db : await openDatabase(resolveDbLocation(options.db));
  } catch (err) {
    await pool.close();
    throw err;
  }
  const spoolDir = options.spoolDir ?? DEFAULT_SPOOL_DIR;
  try {
    await replaySpool(database, spoolDir);
  } catch {
    /* still unreachable: the writer keeps spooling */
  }
  try {
    // Runs a dead process left `running` become `interrupted` with their logged totals. The embedded
    // database is held by one process at a time, so there every other owner is gone.
    await recoverInterruptedRuns(database, { exclusive: database.kind === 'pglite' });
  } catch {
    /* unreachable: `accrete doctor` or the next start does it */
  }
  const redactor = new Redactor([options.openai?.apiKey, ...configuredSecrets()]);
  // PGlite runs in a worker thread over one connection, and builds the inserts there too
  // (Database.insertRows): this thread only hands over the rows. Fewer, larger batches cost the
  // worker less (one transaction each).
  const writer = new TraceWriter(database, { spoolDir, redactor, flushMs: database.kind === 'pglite' ? 250 : 50, onRecord: otel && ((record) => otel.collect(record)) });
  const env: RunEnvironment = {
    rootModel,
    subModel,
    pool,
    writer,
    library,
    onProgress: options.onProgress,
    storedContexts: new Set(),
    tools,
  };
  let closed = false;

  /** One root run (a session's turn when `session` is given); events go to `emit`. */
  async function runOnce(input: RunInput, extra: { emit?: (e: RunEvent) => void; session?: SessionState; ctx?: PreparedContext } = {}): Promise<RunSummary> {
    if (closed) throw new Error('this runtime is closed');
    if (typeof input.query !== 'string' || input.query.trim() === '') {
      throw new InputError('The query is empty: say what you want to know about the input, e.g. accrete run "How many tickets mention a refund?" --context-file tickets.txt');
    }
    const budgets = input.budgets ? resolveBudgets({ ...baseBudgets, ...input.budgets }) : baseBudgets;
    const ctx = extra.ctx ?? prepareContext(input.context ?? '', { schema: input.contextSchema });
    if (!env.storedContexts.has(ctx.sha256)) {
      const rows = await database.query('select 1 from contexts where sha256 = $1', [ctx.sha256]).catch(() => []);
      if (rows.length > 0) env.storedContexts.add(ctx.sha256);
    }
    const rootRunId = input.runId ?? randomUUID();
    const ledger = new BudgetLedger(budgets);
    const timeout = new AbortController();
    const timer = setTimeout(
      () => timeout.abort(new BudgetExceededError('run_time', `the run time budget (${budgets.runTimeoutMs} ms, --run-timeout-ms) is used up`)),
      budgets.runTimeoutMs,
    );
    const signal = input.signal ? AbortSignal.any([input.signal, timeout.signal]) : timeout.signal;
    setMaxListeners(0, signal);
    try {
      return await startRun(env, { rootRunId, budgets, ledger, cache: new Map(), signal, emit: extra.emit }, input.query, ctx, rootRunId, extra.session);
    } finally {
      clearTimeout(timer);
      await writer.flush();
      otel?.runEnded(rootRunId);
    }
  }

  return {
    database,
    writer,
    rootModel,
    subModel,
    library,
    run: (input) => runOnce(input),
    stream: (input) => streamRun((emit) => runOnce(input, { emit })),
    session: (opts = {}) => {
      if (closed) throw new Error('this runtime is closed');
      return openSession(opts, (input, extra) => runOnce(input, extra));
    },
    flush: () => writer.flush(),
    async close() {
      if (closed) return;
      closed = true;
      await writer.close();
      await otel?.shutdown();
      await pool.close();
      if (ownsDb) await database.close();
    },
  };
}
