/**
 * Runtime benchmarks (`accrete bench runtime`, `npx tsx bench/runtime.ts [--json]`; with a
 * Postgres server URL, BENCH_DATABASE_URL for the CLI, the server too). Figures measured side by side:
 * - overhead per REPL step and per run start, with a zero-latency in-process model;
 * - makespan of N sub-calls at concurrency c with latency L per call, against ceil(N/c)·L;
 * - logging throughput (model-call records per second) into PGlite and into the server.
 */
import { randomUUID } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { openDatabase } from '../db/connection.js';
import type { CompletionRequest, CompletionResult, ModelClient } from '../models/types.js';
import { createRuntime } from '../runtime/runtime.js';
import type { TraceRecord } from '../trace/records.js';
import { TraceWriter } from '../trace/writer.js';

/** Replies instantly, in a cycle, with usage; the zero-latency model. */
class InstantModel implements ModelClient {
  readonly provider = 'bench';
  private i = 0;
  constructor(
    readonly model: string,
    private readonly reply: (i: number, req: CompletionRequest) => string,
    private readonly latencyMs = 0,
  ) {}
  async complete(req: CompletionRequest): Promise<CompletionResult> {
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    return { text: this.reply(this.i++, req), finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 5 } };
  }
}

const fence = (code: string) => '```js\n' + code + '\n```';

async function stepOverhead(steps: number): Promise<{ perStepMs: number; runStartMs: number }> {
  // A run of `steps` trivial steps, then FINAL; per-step overhead = (run time - start) / steps.
  const turn = (req: CompletionRequest) => req.messages.filter((m) => m.role === 'assistant').length;
  const root = new InstantModel('bench-root', (_i, req) => (turn(req) >= steps ? fence('FINAL(String(x))') : fence(`const x = ${turn(req)}; print(x)`)));
  const runtime = await createRuntime({ db: 'memory://', model: root, subModel: root, budgets: { maxIterations: steps + 5 }, spoolDir: '/tmp/accrete-bench-spool' });
  try {
    // warm up: first run pays for process forks and compilation
    await runtime.run({ query: 'warm up', context: 'x' });
    const t0 = performance.now();
    const r = await runtime.run({ query: 'steps', context: 'x'.repeat(1_000) });
    const total = performance.now() - t0;
    if (r.status !== 'succeeded') throw new Error(`bench run ${r.status}: ${r.error}`);
    // run start: runs of a single FINAL step, minus one step's cost
    const oneStep = new InstantModel('bench-root', () => fence('FINAL("done")'));
    const rt2 = await createRuntime({ db: runtime.database, model: oneStep, subModel: oneStep, spoolDir: '/tmp/accrete-bench-spool' });
    await rt2.run({ query: 'warm', context: 'y' });
    const n = 20;
    const t1 = performance.now();
    for (let i = 0; i < n; i++) await rt2.run({ query: `start ${i}`, context: 'y' });
    const perRun = (performance.now() - t1) / n;
    await rt2.close();
    const perStepMs = (total - perRun) / steps;
    return { perStepMs, runStartMs: perRun - perStepMs };
  } finally {
    await runtime.close();
  }
}

async function makespan(db: string, n: number, c: number, latencyMs: number): Promise<{ ms: number; idealMs: number; ratio: number }> {
  const root = new InstantModel('bench-root', (_i, req) => (req.messages.length <= 2 ? fence(`const r = await llmBatch(Array.from({ length: ${n} }, (_, i) => ({ query: "q" + i })));\nFINAL(String(r.length))`) : fence('FINAL("x")')));
  const sub = new InstantModel('bench-sub', () => 'ok', latencyMs);
  const runtime = await createRuntime({ db, model: root, subModel: sub, budgets: { concurrency: c, maxLlmCalls: n + 10 }, spoolDir: '/tmp/accrete-bench-spool' });
  try {
    await runtime.run({ query: 'warm up', context: 'x' });
    const t0 = performance.now();
    const r = await runtime.run({ query: 'fan out', context: 'x' });
    const ms = performance.now() - t0;
    if (r.answer !== String(n)) throw new Error(`makespan run ${r.status}: ${r.error}`);
    const idealMs = Math.ceil(n / c) * latencyMs;
    return { ms, idealMs, ratio: ms / idealMs };
  } finally {
    await runtime.close();
  }
}

async function loggingThroughput(location: string, n: number): Promise<number> {
  const database = await openDatabase(location);
  try {
    const writer = new TraceWriter(database, { spoolDir: '/tmp/accrete-bench-spool' });
    const runId = randomUUID();
    writer.write({ table: 'runs', row: { id: runId, rootRunId: runId, query: 'bench', status: 'running', startedAt: new Date() } });
    await writer.flush();
    const messages = [
      { role: 'system', content: 'Answer the request using only the text given.' },
      { role: 'user', content: 'Does this ticket ask for a refund? yes or no.\n\n<context>\nI ordered a blue kettle and it arrived broken; please refund.\n</context>' },
    ];
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const rec: TraceRecord = {
        table: 'llm_calls',
        row: { id: randomUUID(), runId, seq: i, kind: 'sub', provider: 'bench', requestModel: 'm', requestMessages: messages, requestHash: `h${i}`, response: 'yes', inputTokens: 40, outputTokens: 1, status: 'ok', latencyMs: 50 },
      };
      writer.write(rec);
    }
    await writer.flush();
    const secs = (performance.now() - t0) / 1_000;
    if (writer.isSpooling) throw new Error('the writer fell back to the spool during the benchmark');
    return n / secs;
  } finally {
    await database.close();
  }
}

export interface RuntimeBenchResult {
  machine: { cpus: number; model: string; memGiB: number; node: string };
  perStepMs: number;
  runStartMs: number;
  makespan: { n: number; c: number; latencyMs: number; pglite: { ms: number; idealMs: number; ratio: number }; postgres?: { ms: number; idealMs: number; ratio: number } };
  loggingPerSecond: { pglite: number; postgres?: number };
}

export interface RuntimeBenchOptions {
  /** A Postgres server to measure as well (postgres://...); PGlite only without one. */
  serverUrl?: string;
}

export async function benchRuntime(options: RuntimeBenchOptions = {}): Promise<RuntimeBenchResult> {
  const { perStepMs, runStartMs } = await stepOverhead(50);
  const server = options.serverUrl;
  const msPglite = await makespan('memory://', 1000, 32, 50);
  const msServer = server ? await makespan(server, 1000, 32, 50) : undefined;
  const pglite = await loggingThroughput('memory://', 20_000);
  const postgres = server ? await loggingThroughput(server, 50_000) : undefined;
  return {
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    perStepMs,
    runStartMs,
    makespan: { n: 1000, c: 32, latencyMs: 50, pglite: msPglite, postgres: msServer },
    loggingPerSecond: { pglite, postgres },
  };
}

export function renderRuntimeBench(r: RuntimeBenchResult): string {
  const lines = [
    `machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memGiB} GiB, node ${r.machine.node}`,
    `overhead per REPL step: ${r.perStepMs.toFixed(2)} ms (target ≤ 5 ms)`,
    `overhead per run start (warm process): ${r.runStartMs.toFixed(1)} ms (target ≤ 50 ms)`,
  ];
  for (const [name, m] of [['PGlite', r.makespan.pglite], ['Postgres', r.makespan.postgres]] as const) {
    if (m) lines.push(`makespan N=${r.makespan.n} c=${r.makespan.c} L=${r.makespan.latencyMs} ms, logging into ${name}: ${m.ms.toFixed(0)} ms vs ideal ${m.idealMs} ms → ${((m.ratio - 1) * 100).toFixed(1)}% over (target ≤ 10%)`);
  }
  lines.push(`logging into PGlite: ${r.loggingPerSecond.pglite.toFixed(0)} model calls/s`);
  lines.push(`logging into Postgres: ${r.loggingPerSecond.postgres ? `${r.loggingPerSecond.postgres.toFixed(0)} model calls/s (target ≥ 5,000)` : 'skipped (set BENCH_DATABASE_URL)'}`);
  return `${lines.join('\n')}\n`;
}
