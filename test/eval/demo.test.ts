/**
 * The demo end to end on a small workload (simulated models, the real runtime and sandbox, an
 * in-memory PGlite database), and the sim-server path: the runtime's own OpenAI client over
 * HTTP. One database and one demo runtime for the whole file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { renderReport, reportJson } from '../../src/cli/commands/demo.js';
import { startSimServer } from '../../src/cli/commands/sim-server.js';
import { createRuntime, type Runtime } from '../../src/runtime/runtime.js';
import { chooseDemoModels, type DemoReport, parseSizes, runDemo } from '../../src/eval/demo.js';
import { summarize, summaryTable } from '../../src/eval/scoring.js';
import type { WorkloadProgress } from '../../src/eval/workload.js';
import { FAMILY_NAMES } from '../../src/sim/types.js';
import { FAMILIES, scoreTask } from '../../src/sim/workloads.js';
import type { Database } from '../../src/db/connection.js';
import { memoryDb } from '../helpers/db.js';
import { useSimModels } from '../helpers/sim.js';

useSimModels();

let database: Database;
let runtime: Runtime;
let report: DemoReport;
const progress: { phase: string; p: WorkloadProgress }[] = [];

beforeAll(async () => {
  database = await memoryDb();
  runtime = await createRuntime({ db: database, model: 'sim:root?seed=1&window=8000', subModel: 'sim:leaf?seed=1&window=8000', warmSandboxes: 2 });
  report = await runDemo({
    runtime,
    seed: 1,
    perFamily: 1,
    sizes: [10_000, 30_000],
    concurrency: 2,
    onProgress: (phase, p) => progress.push({ phase, p: { ...p } }),
  });
}, 360_000);

afterAll(async () => {
  await runtime?.close();
  await database?.close();
});

describe('the demo, end to end on 12 tasks', () => {
  it('logs a run for every task', async () => {
    expect(report.results).toHaveLength(12);
    expect(report.workload.tasks).toBe(12);
    const ids = report.results.map((r) => r.runId);
    const rows = await runtime.database.query<{ id: string; status: string; depth: number }>('select id, status, depth from runs where id = any($1::uuid[])', [ids]);
    expect(rows).toHaveLength(12);
    expect(rows.every((r) => r.depth === 0)).toBe(true);
    const byId = new Map(rows.map((r) => [r.id, r.status]));
    for (const r of report.results) expect(byId.get(r.runId)).toBe(r.status);
    expect(report.results.filter((r) => r.status === 'succeeded').length).toBeGreaterThanOrEqual(11);
    // Root-model tokens come from the logged llm_calls and are part of the run tree's total.
    for (const r of report.results) {
      expect(r.rootInputTokens).toBeGreaterThan(0);
      expect(r.rootInputTokens).toBeLessThanOrEqual(r.inputTokens);
      expect(r.rootOutputTokens).toBeLessThanOrEqual(r.outputTokens);
    }
  });

  it('is accurate, and more accurate than the direct baseline', () => {
    expect(report.models.simulated).toBe(true);
    expect(report.direct).toHaveLength(12);
    expect(report.overall.accuracy).toBeGreaterThanOrEqual(0.8);
    expect(report.overall.directAccuracy).not.toBeNull();
    expect(report.overall.accuracy).toBeGreaterThan(report.overall.directAccuracy ?? 1);
    expect(report.overall.llmCalls).toBeGreaterThan(1);
    expect(report.overall.iterations).toBeGreaterThanOrEqual(1);
  });

  it('summarizes per family: a table row for each family plus the total', () => {
    expect(Object.keys(report.families).sort()).toEqual([...FAMILY_NAMES].sort());
    for (const name of FAMILY_NAMES) expect(report.families[name]?.runs).toBe(2);
    const t = summaryTable(report);
    expect(t.rows.map((r) => r[0])).toEqual([...FAMILY_NAMES, 'all']);
    expect(t.rows.every((r) => r.length === t.header.length)).toBe(true);
    const text = renderReport(report);
    for (const name of FAMILY_NAMES) expect(text).toMatch(new RegExp(`^${name}\\s+2\\s+\\d+%`, 'm'));
    expect(text).toContain('sim-root');
    const json = reportJson(report);
    expect(JSON.parse(JSON.stringify(json))).toMatchObject({ overall: { runs: 12 }, workload: { tasks: 12 } });
    // Progress went up to the total in both phases.
    expect(progress.filter((e) => e.phase === 'rlm').at(-1)?.p).toEqual({ done: 12, total: 12 });
    expect(progress.filter((e) => e.phase === 'direct').at(-1)?.p).toEqual({ done: 12, total: 12 });
  });

  it('summarize works without the direct baseline (directAccuracy null)', () => {
    const s = summarize(report.results);
    expect(s.overall.directAccuracy).toBeNull();
    expect(s.overall.accuracy).toBeCloseTo(report.overall.accuracy);
  });
});

describe('the sim-server path', () => {
  it('serves sim-root / sim-leaf to the runtime\'s OpenAI client over HTTP', async () => {
    const server = await startSimServer({ port: 0, seed: 1, errorRate: 0 });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(server.models).toEqual(['sim-root', 'sim-leaf']);
      const http = await createRuntime({ db: runtime.database, model: 'sim-root', subModel: 'sim-leaf', openai: { baseURL: server.url, apiKey: 'test', maxRetries: 0 } });
      try {
        const task = FAMILIES['multi-doc-qa'].generate({ seed: 3, sizeBytes: 20_000 });
        const summary = await http.run({ query: task.query, context: task.context });
        expect(summary.status, summary.error ?? '').toBe('succeeded');
        expect(scoreTask(task, summary.answer ?? '')).toBe(1);
        expect(server.server.requests).toBe(summary.llmCalls);
        const [row] = await runtime.database.query<{ root: string; sub: string }>('select gen_ai_request_model as root, sub_model as sub from runs where id = $1', [summary.runId]);
        expect(row).toEqual({ root: 'sim-root', sub: 'sim-leaf' });
      } finally {
        await http.close();
      }
    } finally {
      await server.close();
    }
  });
});

describe('demo options', () => {
  it('uses the simulated models without an endpoint, real ones with a key, --sim to force', () => {
    expect(chooseDemoModels({ seed: 2, window: 6000 })).toEqual({ simulated: true, rootSpec: 'sim:root?seed=2&window=6000', subSpec: 'sim:leaf?seed=2&window=6000' });
    expect(chooseDemoModels({ openai: { apiKey: 'k' } })).toMatchObject({ simulated: false, rootSpec: 'gpt-5-mini', subSpec: 'gpt-5-nano' });
    expect(chooseDemoModels({ openai: { baseURL: 'http://h/v1' }, model: 'sim-root', subModel: 'sim-leaf' })).toMatchObject({ simulated: false, rootSpec: 'sim-root', baseURL: 'http://h/v1' });
    expect(chooseDemoModels({ simulated: true, openai: { apiKey: 'k' } }).simulated).toBe(true);
  });

  it('parses sizes and rejects bad options with exit status 2', async () => {
    expect(parseSizes('20k, 1.5m,30000')).toEqual([20_000, 1_500_000, 30_000]);
    expect(() => parseSizes('5k')).toThrow(/10k to 10m/);
    expect(() => parseSizes('big')).toThrow(/not a size/);
    const write = process.stderr.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      expect(await main(['node', 'accrete', 'demo', '--sizes', '5k'])).toBe(2);
      expect(await main(['node', 'accrete', 'bench', 'families', '--families', 'nope'])).toBe(2);
      expect(await main(['node', 'accrete', 'sim-server', '--port', '99999'])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
  });
});
