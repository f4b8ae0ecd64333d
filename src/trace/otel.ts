/**
 * Runs as OpenTelemetry traces, sent over OTLP/HTTP with the official SDK and exporters.
 *
 * A root run is a trace (its trace id is the run id's 32 hex digits); the run, each step, each
 * program (code block), each model call (a GenAI `chat` span with the `gen_ai.*` attributes),
 * library and tool call are spans; a sub-run is nested under the program that started it. Spans
 * are built from trace records — those the trace writer saw during a run (redacted, as persisted)
 * or those stored in the database (`accrete export --otlp`) — with the recorded times: a step's
 * start and duration, a run's start and end, and for programs and calls the time their record was
 * made (when they ended) less their duration. Span ids derive from row ids, so sending a run twice
 * sends the same spans.
 *
 * Configuration: the exporter reads the standard variables itself (OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT, ...),
 * the resource OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES; OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or
 * OTEL_EXPORTER_OTLP_PROTOCOL picks http/protobuf (the default) or http/json. Export failures never
 * fail a run: they are reported once, through `onError`.
 */
import { ROOT_CONTEXT, type Attributes, type Context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type IdGenerator, type ReadableSpan, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
  GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
} from '@opentelemetry/semantic-conventions/incubating';
import { asc, eq, inArray } from 'drizzle-orm';
import { sha256 } from '../contracts/hash.js';
import type { Database } from '../db/connection.js';
import { libCalls, llmCalls, programs, runs, steps, toolCalls } from '../db/schema.js';
import type { LibCallRow, LlmCallRow, ProgramRow, RunRow, StepRow, ToolCallRow, TraceRecord } from './records.js';

export interface OtelOptions {
  /**
   * The OTLP/HTTP endpoint's base URL (like OTEL_EXPORTER_OTLP_ENDPOINT: `/v1/traces` is added
   * unless the URL ends with it). Default: what the OTEL_* variables say, else http://localhost:4318.
   */
  endpoint?: string;
  /** Extra request headers (added to OTEL_EXPORTER_OTLP_HEADERS). */
  headers?: Record<string, string>;
  /** Default: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL / OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf. */
  protocol?: 'http/protobuf' | 'http/json';
  /**
   * How long one export may take, its retries included (default: OTEL_EXPORTER_OTLP_TRACES_TIMEOUT
   * or OTEL_EXPORTER_OTLP_TIMEOUT, else 10 s; 3 s for the export at the end of a run).
   */
  timeoutMs?: number;
  /** service.name when OTEL_SERVICE_NAME does not set one (default 'accrete'). */
  serviceName?: string;
  serviceVersion?: string;
  /** Called once, at the first export that fails (default: one line on standard error). */
  onError?: (message: string) => void;
}

/** The default report of a failed export: one line on standard error. */
function reportOnStderr(message: string): void {
  process.stderr.write(`accrete: OpenTelemetry export failed (${message}); runs are still logged, and \`accrete export --otlp\` can send them later\n`);
}

/** The protocol the options or the standard variables ask for; grpc is not one accrete speaks. */
export function otlpProtocol(options: OtelOptions = {}, env: NodeJS.ProcessEnv = process.env): 'http/protobuf' | 'http/json' {
  const asked = options.protocol ?? env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (asked === 'http/protobuf' || asked === 'http/json') return asked;
  throw new Error(`OTLP protocol "${asked}" is not supported: accrete sends OTLP over HTTP (set OTEL_EXPORTER_OTLP_PROTOCOL to http/protobuf or http/json, and the endpoint to the collector's HTTP port, usually 4318)`);
}

/** The traces URL for an endpoint's base URL. */
export function tracesUrl(endpoint: string): string {
  return /\/v1\/traces\/?$/.test(endpoint) ? endpoint : `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** The ids of the next span: the SDK asks its id generator, and each span here has its id decided. */
class PresetIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** Passes spans to the OTLP exporter and counts what was sent; the first failure is reported. */
class CountingExporter implements SpanExporter {
  sent = 0;
  failed = 0;
  firstError?: string;
  constructor(
    private readonly inner: SpanExporter,
    private readonly onFailure: (message: string) => void,
  ) {}
  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.sent += spans.length;
      else {
        this.failed += spans.length;
        if (this.firstError === undefined) {
          this.firstError = result.error?.message ?? 'the export failed';
          this.onFailure(this.firstError);
        }
      }
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

const hexOf = (uuid: string): string => uuid.replace(/-/g, '').toLowerCase();
const spanIdOf = (what: string): string => sha256(what).slice(0, 16);
const at = (d: Date | string | null | undefined): Date | undefined => (d === null || d === undefined ? undefined : d instanceof Date ? d : new Date(d));
const plus = (d: Date, ms: number | null | undefined): Date => new Date(d.getTime() + Math.max(0, ms ?? 0));
const minus = (d: Date, ms: number | null | undefined): Date => new Date(d.getTime() - Math.max(0, ms ?? 0));

/** One root run's rows, the latest version of each run row. */
interface RunTreeRows {
  runs: RunRow[];
  steps: StepRow[];
  programs: ProgramRow[];
  calls: LlmCallRow[];
  libCalls: LibCallRow[];
  toolCalls: ToolCallRow[];
}

function treeOf(records: readonly TraceRecord[]): RunTreeRows {
  const runsById = new Map<string, RunRow>();
  const tree: RunTreeRows = { runs: [], steps: [], programs: [], calls: [], libCalls: [], toolCalls: [] };
  for (const r of records) {
    if (r.table === 'runs') runsById.set(r.row.id, r.row);
    else if (r.table === 'steps') tree.steps.push(r.row);
    else if (r.table === 'programs') tree.programs.push(r.row);
    else if (r.table === 'llm_calls') tree.calls.push(r.row);
    else if (r.table === 'lib_calls') tree.libCalls.push(r.row);
    else if (r.table === 'tool_calls') tree.toolCalls.push(r.row);
  }
  tree.runs = [...runsById.values()];
  return tree;
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string | null | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    if (k === null || k === undefined) continue;
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

const messagesJson = (messages: readonly { role: string; content: string }[]): string =>
  JSON.stringify(messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })));

/** The SDK's tracer over an OTLP/HTTP exporter; spans are emitted run tree by run tree. */
export class OtlpTraceSender {
  private readonly ids = new PresetIds();
  private readonly provider: TracerProvider;
  private readonly exporter: CountingExporter;
  readonly url: string | undefined;
  readonly protocol: 'http/protobuf' | 'http/json';

  constructor(options: OtelOptions = {}) {
    this.protocol = otlpProtocol(options);
    this.url = options.endpoint ? tracesUrl(options.endpoint) : undefined;
    const config = {
      ...(this.url ? { url: this.url } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMillis: options.timeoutMs } : {}),
    };
    const inner = this.protocol === 'http/json' ? new JsonExporter(config) : new ProtobufExporter(config);
    let reported = false;
    const onError = options.onError ?? reportOnStderr;
    this.exporter = new CountingExporter(inner, (message) => {
      if (reported) return;
      reported = true;
      onError(message);
    });
    const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? 'accrete', ...(options.serviceVersion ? { [ATTR_SERVICE_VERSION]: options.serviceVersion } : {}) }).merge(
      detectResources({ detectors: [envDetector] }),
    );
    this.provider = new TracerProvider({
      resource,
      idGenerator: this.ids,
      spanProcessors: [new BatchSpanProcessor({ exporter: this.exporter, maxQueueSize: 65_536, maxExportBatchSize: 512, scheduledDelayMillis: 500 })],
    });
  }

  /** Spans sent and spans whose export failed, so far. */
  get counts(): { sent: number; failed: number; firstError?: string } {
    return { sent: this.exporter.sent, failed: this.exporter.failed, firstError: this.exporter.firstError };
  }

  /** Emits the spans of one root run's records (queued for export); returns how many. */
  emit(records: readonly TraceRecord[]): number {
    const tree = treeOf(records);
    const root = tree.runs.find((r) => (r.depth ?? 0) === 0 || !r.parentRunId) ?? tree.runs[0];
    if (!root) return 0;
    const tracer = this.provider.getTracer('accrete');
    // rows by what they hang off, so a run of thousands of calls is emitted in linear time
    const stepsByRun = groupBy(tree.steps, (s) => s.runId);
    const callsByRun = groupBy(tree.calls, (c) => c.runId);
    const programsByStep = groupBy(tree.programs, (p) => p.stepId);
    const callsByProgram = groupBy(tree.calls, (c) => (c.kind === 'sub' ? c.programId : null));
    const libsByProgram = groupBy(tree.libCalls, (l) => l.programId);
    const libsByRun = groupBy(tree.libCalls, (l) => l.runId);
    const toolsByProgram = groupBy(tree.toolCalls, (t) => t.programId);
    const subRunsByProgram = groupBy(tree.runs, (r) => (r.metadata as { parentProgramId?: string } | null)?.parentProgramId);
    const programIds = new Set(tree.programs.map((p) => p.id));
    let count = 0;
    const span = (name: string, id: string, kind: SpanKind, parent: Context, start: Date, attributes: Attributes): Span => {
      if (parent === ROOT_CONTEXT) this.ids.traceId = hexOf(root.rootRunId ?? root.id);
      this.ids.spanId = spanIdOf(id);
      count++;
      return tracer.startSpan(name, { kind, startTime: start, attributes }, parent);
    };
    const end = (s: Span, when: Date, error?: string | null) => {
      if (error) s.setStatus({ code: SpanStatusCode.ERROR, message: error.slice(0, 1_000) });
      s.end(when);
    };

    const emitRun = (run: RunRow, parent: Context): void => {
      const started = at(run.startedAt) ?? new Date();
      const runSteps = [...(stepsByRun.get(run.id) ?? [])].sort((a, b) => a.idx - b.idx);
      const lastStepEnd = runSteps.length ? plus(at(runSteps[runSteps.length - 1].startedAt) ?? started, runSteps[runSteps.length - 1].durationMs) : started;
      const ended = at(run.endedAt) ?? lastStepEnd;
      const runSpan = span(`invoke_agent accrete`, `run:${run.id}`, SpanKind.INTERNAL, parent, started, {
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_INVOKE_AGENT,
        [ATTR_GEN_AI_AGENT_NAME]: 'accrete',
        ...(run.rootModel ? { [ATTR_GEN_AI_REQUEST_MODEL]: run.rootModel } : {}),
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: run.inputTokens ?? 0,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: run.outputTokens ?? 0,
        'accrete.run.id': run.id,
        'accrete.run.depth': run.depth ?? 0,
        'accrete.run.source': run.source ?? 'runtime',
        'accrete.run.status': run.status,
        'accrete.run.query': run.query,
        'accrete.run.iterations': run.iterations ?? 0,
        'accrete.run.llm_calls': run.llmCalls ?? 0,
        'accrete.cost_usd': run.costUsd ?? 0,
        ...(run.answer !== null && run.answer !== undefined ? { 'accrete.run.answer': run.answer } : {}),
        ...(typeof run.metadata?.language === 'string' ? { 'accrete.run.language': run.metadata.language } : {}),
        ...(run.libraryCommit ? { 'accrete.library.commit': run.libraryCommit } : {}),
      });
      const runCtx = trace.setSpan(ROOT_CONTEXT, runSpan);
      const runCalls = callsByRun.get(run.id) ?? [];
      const claimed = new Set<string>();
      for (const step of runSteps) {
        const stepStart = at(step.startedAt) ?? started;
        const stepEnd = plus(stepStart, step.durationMs);
        const stepSpan = span(`step ${step.idx + 1}`, `step:${step.id}`, SpanKind.INTERNAL, runCtx, stepStart, {
          'accrete.step.index': step.idx,
          'accrete.step.code_blocks': step.codeBlocks?.length ?? 0,
          'accrete.step.output_chars': step.outputChars ?? 0,
        });
        const stepCtx = trace.setSpan(ROOT_CONTEXT, stepSpan);
        // the root model's reply that this step ran: the same text, else the call that ended inside the step
        const rootCall =
          runCalls.find((c) => c.kind !== 'sub' && !claimed.has(c.id!) && c.response === step.response) ??
          runCalls.find((c) => {
            const t = at(c.createdAt);
            return c.kind !== 'sub' && !claimed.has(c.id!) && t !== undefined && t >= stepStart && t <= stepEnd;
          });
        if (rootCall) {
          claimed.add(rootCall.id!);
          emitCall(rootCall, stepCtx, stepStart);
        }
        for (const program of [...(programsByStep.get(step.id) ?? [])].sort((a, b) => a.blockIdx - b.blockIdx)) emitProgram(program, stepCtx, stepEnd);
        end(stepSpan, stepEnd, step.error);
      }
      // calls no step claimed (the answer-now call, calls of a run that ended early) hang off the run
      for (const call of runCalls.filter((c) => !claimed.has(c.id!) && (c.kind !== 'sub' || !c.programId || !programIds.has(c.programId)))) emitCall(call, runCtx, started);
      for (const lib of (libsByRun.get(run.id) ?? []).filter((l) => !l.programId || !programIds.has(l.programId))) emitLib(lib, runCtx, ended);
      end(runSpan, ended, run.status === 'succeeded' ? null : (run.error ?? run.status));
    };

    const emitProgram = (program: ProgramRow, parent: Context, fallbackEnd: Date): void => {
      const ended = at(program.createdAt) ?? fallbackEnd;
      const programSpan = span(`program ${program.stepIdx + 1}.${program.blockIdx + 1}`, `program:${program.id}`, SpanKind.INTERNAL, parent, minus(ended, program.durationMs), {
        'accrete.program.id': program.id,
        'accrete.program.status': program.status,
        'accrete.program.code': program.code,
        'accrete.program.output_chars': program.outputChars ?? 0,
        'accrete.program.llm_calls': program.llmCallCount ?? 0,
        ...(program.result !== null && program.result !== undefined ? { 'accrete.program.result': program.result } : {}),
      });
      const ctx = trace.setSpan(ROOT_CONTEXT, programSpan);
      for (const call of callsByProgram.get(program.id) ?? []) emitCall(call, ctx, ended);
      for (const lib of libsByProgram.get(program.id) ?? []) emitLib(lib, ctx, ended);
      for (const tool of toolsByProgram.get(program.id) ?? []) emitTool(tool, ctx, ended);
      for (const sub of (subRunsByProgram.get(program.id) ?? []).filter((r) => r.parentRunId === program.runId)) emitRun(sub, ctx);
      end(programSpan, ended, program.status === 'error' || program.status === 'timeout' ? (program.error ?? program.status) : null);
    };

    const emitCall = (call: LlmCallRow, parent: Context, fallbackEnd: Date): void => {
      const ended = at(call.createdAt) ?? fallbackEnd;
      const operation = call.operation ?? GEN_AI_OPERATION_NAME_VALUE_CHAT;
      const callSpan = span(`${operation} ${call.requestModel}`, `llm_call:${call.id}`, SpanKind.CLIENT, parent, minus(ended, call.latencyMs), {
        [ATTR_GEN_AI_OPERATION_NAME]: operation,
        [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
        // the attribute's name before gen_ai.provider.name, still what some backends read
        'gen_ai.system': call.provider,
        [ATTR_GEN_AI_REQUEST_MODEL]: call.requestModel,
        ...(call.responseModel ? { [ATTR_GEN_AI_RESPONSE_MODEL]: call.responseModel } : {}),
        ...(call.providerRequestId ? { [ATTR_GEN_AI_RESPONSE_ID]: call.providerRequestId } : {}),
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: call.inputTokens ?? 0,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: call.outputTokens ?? 0,
        ...(call.cachedTokens ? { [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: call.cachedTokens } : {}),
        ...(call.reasoningTokens ? { [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: call.reasoningTokens } : {}),
        ...(call.finishReason ? { [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: [call.finishReason] } : {}),
        [ATTR_GEN_AI_INPUT_MESSAGES]: messagesJson(call.requestMessages),
        ...(call.response !== null && call.response !== undefined ? { [ATTR_GEN_AI_OUTPUT_MESSAGES]: messagesJson([{ role: 'assistant', content: call.response }]) } : {}),
        'accrete.call.kind': call.kind,
        'accrete.call.status': call.status,
        'accrete.cost_usd': call.costUsd ?? 0,
      });
      end(callSpan, ended, call.status === 'error' || call.status === 'rejected' ? (call.error ?? call.status) : null);
    };

    const emitLib = (lib: LibCallRow, parent: Context, fallbackEnd: Date): void => {
      const ended = at(lib.createdAt) ?? fallbackEnd;
      const s = span(`lib.${lib.name}`, `lib_call:${lib.id}`, SpanKind.INTERNAL, parent, minus(ended, lib.durationMs), {
        'accrete.lib.name': lib.name,
        'accrete.lib.version': lib.version,
        'accrete.lib.llm_calls': lib.llmCalls ?? 0,
        'accrete.lib.status': lib.status,
      });
      end(s, ended, lib.status === 'error' ? (lib.error ?? 'error') : null);
    };

    const emitTool = (tool: ToolCallRow, parent: Context, fallbackEnd: Date): void => {
      const ended = at(tool.createdAt) ?? fallbackEnd;
      const s = span(`${GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL} ${tool.name}`, `tool_call:${tool.id}`, SpanKind.INTERNAL, parent, minus(ended, tool.durationMs), {
        [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
        'gen_ai.tool.name': tool.name,
        'accrete.tool.status': tool.status,
      });
      end(s, ended, tool.status === 'ok' ? null : (tool.error ?? tool.status));
    };

    emitRun(root, ROOT_CONTEXT);
    return count;
  }

  /**
   * Sends what is queued; resolves when the exporter answered (or gave up after its timeout).
   * A failed export does not throw: it is counted (`counts`) and reported once (`onError`).
   */
  async flush(): Promise<void> {
    await this.provider.forceFlush().catch(() => {});
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown().catch(() => {});
  }
}

/** The stored records of one root run (as the writer wrote them, redacted), for spans. */
export async function storedRunRecords(database: Database, rootRunId: string): Promise<TraceRecord[]> {
  const db = database.db;
  const tree = await db.select().from(runs).where(eq(runs.rootRunId, rootRunId));
  const ids = tree.map((r) => r.id);
  if (ids.length === 0) return [];
  const [stepRows, programRows, callRows, libRows, toolRows] = await Promise.all([
    db.select().from(steps).where(inArray(steps.runId, ids)).orderBy(asc(steps.idx)),
    db.select().from(programs).where(inArray(programs.runId, ids)).orderBy(asc(programs.seq)),
    db.select().from(llmCalls).where(inArray(llmCalls.runId, ids)).orderBy(asc(llmCalls.seq)),
    db.select().from(libCalls).where(inArray(libCalls.runId, ids)),
    db.select().from(toolCalls).where(inArray(toolCalls.runId, ids)),
  ]);
  return [
    ...tree.map((row): TraceRecord => ({ table: 'runs', row })),
    ...stepRows.map((row): TraceRecord => ({ table: 'steps', row })),
    ...programRows.map(({ seq: _seq, ...row }): TraceRecord => ({ table: 'programs', row })),
    ...callRows.map((row): TraceRecord => ({ table: 'llm_calls', row })),
    ...libRows.map((row): TraceRecord => ({ table: 'lib_calls', row })),
    ...toolRows.map((row): TraceRecord => ({ table: 'tool_calls', row })),
  ];
}

/** Ids of stored root runs, oldest first: those started since a time, at most a number of them. */
export async function storedRootRunIds(database: Database, options: { since?: Date; limit?: number } = {}): Promise<string[]> {
  const params = options.since ? [options.since.toISOString()] : [];
  const rows = await database.query<{ id: string }>(
    `select id from runs where depth = 0 ${options.since ? 'and started_at >= $1' : ''} order by started_at asc, id asc ${options.limit ? `limit ${Math.floor(options.limit)}` : ''}`,
    params,
  );
  return rows.map((r) => r.id);
}

/**
 * Sends stored root runs (`accrete export --otlp`), one run tree at a time; `onRun` after each.
 * Returns the spans emitted; the sender's counts say how many were sent and how many failed.
 */
export async function sendStoredRuns(database: Database, rootRunIds: readonly string[], sender: OtlpTraceSender, onRun?: (done: number) => void): Promise<number> {
  let spans = 0;
  for (let i = 0; i < rootRunIds.length; i++) {
    spans += sender.emit(await storedRunRecords(database, rootRunIds[i]));
    await sender.flush();
    onRun?.(i + 1);
  }
  return spans;
}

/**
 * Live export: collects the records the trace writer sees, and when a root run ends sends its
 * spans. Never throws into the run; a failure is reported once.
 */
export class LiveTraceExport {
  private readonly byRoot = new Map<string, TraceRecord[]>();
  private readonly rootOf = new Map<string, string>();
  private readonly sender: OtlpTraceSender;
  private readonly onError: (message: string) => void;

  constructor(options: OtelOptions = {}) {
    let reported = false;
    const report = options.onError ?? reportOnStderr;
    this.onError = (m) => {
      if (reported) return;
      reported = true;
      report(m);
    };
    const envTimeout = process.env.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? process.env.OTEL_EXPORTER_OTLP_TIMEOUT;
    // the run is over and its answer given: the exit waits for the export, briefly
    this.sender = new OtlpTraceSender({ timeoutMs: envTimeout ? undefined : 3_000, ...options, onError: this.onError });
  }

  get counts(): { sent: number; failed: number } {
    return this.sender.counts;
  }

  /** A record as the writer persists it (redacted, with its times). */
  collect(record: TraceRecord): void {
    let root: string | undefined;
    if (record.table === 'runs') {
      root = record.row.rootRunId;
      this.rootOf.set(record.row.id, root);
    } else if (record.table !== 'contexts') root = this.rootOf.get(record.row.runId);
    if (!root) return;
    const list = this.byRoot.get(root) ?? [];
    list.push(record);
    this.byRoot.set(root, list);
  }

  /** The root run ended: its spans are queued for export (sent in the background). */
  runEnded(rootRunId: string): void {
    const records = this.byRoot.get(rootRunId);
    this.byRoot.delete(rootRunId);
    if (!records) return;
    for (const r of records) if (r.table === 'runs') this.rootOf.delete(r.row.id);
    try {
      this.sender.emit(records);
    } catch (err) {
      this.onError((err as Error).message);
    }
  }

  /** Sends what is queued and stops (bounded by the exporter's timeout). */
  async shutdown(): Promise<void> {
    try {
      await this.sender.shutdown();
    } catch (err) {
      this.onError((err as Error).message);
    }
  }
}
