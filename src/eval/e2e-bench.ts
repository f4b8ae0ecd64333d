/**
 * The end-to-end benchmark (`accrete bench e2e`, `npx tsx bench/e2e.ts`): what a user pays, measured
 * from outside. A scripted OpenAI-compatible server (src/eval/e2e-server.ts, its own process) plays
 * the root and sub-call models over HTTP; accrete runs in processes of its own, through the CLI
 * (`accrete run`) and through the library API (src/eval/e2e-driver.ts), on PGlite and on a Postgres
 * server. Measured, per driver and database:
 * - start → first model request: from spawning the process to the server receiving its first request;
 * - steady step: between a root reply and the next root request, trivial code;
 * - fan-out N=1000, L=50 ms at c=16 and c=32: from the root reply holding the llmBatch to the next root
 *   request, against ceil(N/c)·L; the CPU the process tree spends per sub-call in that window;
 * - sequential N=100, L=20 ms: the time each llm() adds beyond L;
 * - peak RSS: of accrete's process, and of its tree (sandbox children included), polled;
 * - the steady step again once the database has been filled to each given size with copies of its runs.
 * Processes are read through /proc (Linux).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openDatabase } from '../db/connection.js';
import { packageRoot } from '../util/package-root.js';
import type { LibraryDriverOptions } from './e2e-driver.js';
import { leafModel, monotonicMs, ROOT_MODEL, type RootEvent } from './e2e-server.js';

export type Driver = 'cli' | 'library';

export interface E2eOptions {
  /** The CLI's main.js (default: dist/src/cli/main.js of this package; build first). */
  cli?: string;
  /** The library's entry (default: dist/src/index.js beside the CLI). */
  entry?: string;
  /** A scratch Postgres database (postgres://...) to measure as well; PGlite only without one. Its runs are copied to fill it. */
  serverUrl?: string;
  /** Where the embedded databases and spools go (emptied first). */
  workDir: string;
  /** Processes started per start-up measure (default 5). */
  starts?: number;
  /** Steps of the steady-step run (default 60). */
  steps?: number;
  /** Database sizes (MB) at which the steady step is measured again (default [100]). */
  sizesMb?: number[];
  drivers?: Driver[];
  onProgress?: (text: string) => void;
}

/** min and median. */
export interface Stat {
  min: number;
  median: number;
  n: number;
}

export interface FanOut {
  n: number;
  c: number;
  latencyMs: number;
  ms: number;
  idealMs: number;
  ratio: number;
  /** CPU of accrete's process tree in the fan-out window, per sub-call. */
  cpuMsPerCall: number;
}

export interface DriverResult {
  driver: Driver;
  db: 'pglite' | 'postgres';
  /** Spawn → first model request, on a database that exists (migrated). */
  startMs: Stat;
  /** The same on a database created by that run (PGlite only). */
  freshStartMs?: number;
  /** Spawn → exit of a one-step run. */
  oneStepRunMs: Stat;
  stepMs: Stat;
  fanOut: FanOut[];
  /** Sequential llm() calls: ms each adds beyond its latency. */
  sequential: { n: number; latencyMs: number; ms: number; overheadMsPerCall: number };
  /** Peak resident memory, MB: accrete's process, and its whole tree (sandbox children). */
  peakRssMb: { process: number; tree: number };
}

export interface SizePoint {
  db: 'pglite' | 'postgres';
  sizeMb: number;
  runs: number;
  stepMs: Stat;
}

export interface E2eResult {
  date: string;
  machine: { cpus: number; model: string; memGiB: number; node: string; loadavg: number[] };
  results: DriverResult[];
  sizes: SizePoint[];
  notes: string[];
}

/** The official RLM (alexzhang13/rlm 0.1.3, Python, local REPL) on this machine, from issue 13: min / median. */
export const OFFICIAL_RLM = {
  stepMs: '1.5 / 2.8',
  startMs: '252 / 357',
  fanOutC16: '1.15×',
  fanOutC32: '1.42×',
  sequentialOverheadMs: '+5',
  peakRssMb: '32–38',
} as const;

const stat = (xs: number[]): Stat => {
  const s = [...xs].sort((a, b) => a - b);
  return { min: s[0] ?? NaN, median: s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN, n: s.length };
};

// ---- processes, read through /proc ----

const TICK_MS = 10; // USER_HZ = 100 on Linux

function procStat(pid: number): { ppid: number; cpuMs: number; childCpuMs: number; rssMb: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields after the name, 0-based from field 3 (state): ppid 1, utime 11, stime 12, cutime 13, cstime 14, rss 21 (pages)
    return { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS, childCpuMs: (Number(f[13]) + Number(f[14])) * TICK_MS, rssMb: (Number(f[21]) * 4096) / 2 ** 20 };
  } catch {
    return undefined;
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = procStat(pid);
    if (!s) continue;
    const list = children.get(s.ppid) ?? [];
    list.push(pid);
    children.set(s.ppid, list);
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

/** CPU ms of the tree (the live processes, plus the children the root has reaped) and its resident MB. */
function treeUsage(root: number): { cpuMs: number; rssMb: number } {
  let cpuMs = 0;
  let rssMb = 0;
  for (const pid of descendants(root)) {
    const s = procStat(pid);
    if (!s) continue;
    cpuMs += s.cpuMs + (pid === root ? s.childCpuMs : 0);
    rssMb += s.rssMb;
  }
  return { cpuMs, rssMb };
}

function peakRssOf(pid: number): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

interface Measured {
  spawnedMs: number;
  exitedMs: number;
  events: RootEvent[];
  /** CPU ms of the tree when each event reached the harness. */
  cpuAtEvent: number[];
  peakProcessMb: number;
  peakTreeMb: number;
  stdout: string;
}

// ---- the server ----

const sourceExt = (): string => (import.meta.url.endsWith('.ts') ? '.ts' : '.js');
const tsxArgs = (): string[] => (sourceExt() === '.ts' ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : []);

class ScriptedServer {
  private listener?: (e: RootEvent) => void;
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (m: RootEvent | { type: string }) => {
      if (m.type === 'root') this.listener?.(m as RootEvent);
    });
  }

  static async start(): Promise<ScriptedServer> {
    const child = fork(fileURLToPath(new URL(`./e2e-server${sourceExt()}`, import.meta.url)), [], { execArgv: tsxArgs(), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (m: { type: string; url?: string }) => (m.type === 'ready' && m.url ? resolve(m.url) : reject(new Error('the bench server did not start'))));
      child.once('exit', (code) => reject(new Error(`the bench server exited (${code})`)));
    });
    return new ScriptedServer(child, url);
  }

  onRoot(listener: ((e: RootEvent) => void) | undefined): void {
    this.listener = listener;
  }

  close(): void {
    this.child.disconnect();
  }
}

// ---- one run in a process of its own ----

interface RunSpec {
  query: string;
  db: string;
  latencyMs: number;
  concurrency: number;
  maxIterations: number;
}

function commandFor(driver: Driver, spec: RunSpec, o: Required<Pick<E2eOptions, 'cli' | 'entry' | 'workDir'>>, url: string): string[] {
  const budgets = { maxIterations: spec.maxIterations, concurrency: spec.concurrency, maxLlmCalls: 5_000, runTimeoutMs: 600_000 };
  if (driver === 'cli') {
    return [o.cli, 'run', spec.query, '--context', '', '--model', ROOT_MODEL, '--sub-model', leafModel(spec.latencyMs), '--base-url', url, '--db', spec.db, '--no-library', '--json',
      '--max-iterations', String(budgets.maxIterations), '--concurrency', String(budgets.concurrency), '--max-llm-calls', String(budgets.maxLlmCalls), '--run-timeout-ms', String(budgets.runTimeoutMs)];
  }
  const options: LibraryDriverOptions = { query: spec.query, db: spec.db, model: ROOT_MODEL, subModel: leafModel(spec.latencyMs), baseURL: url, budgets, spoolDir: join(o.workDir, 'spool') };
  return [...tsxArgs(), fileURLToPath(new URL(`./e2e-driver${sourceExt()}`, import.meta.url)), pathToFileURL(o.entry).href, JSON.stringify(options)];
}

async function measure(server: ScriptedServer, args: string[], cwd: string): Promise<Measured> {
  const events: RootEvent[] = [];
  const cpuAtEvent: number[] = [];
  let peakTreeMb = 0;
  let peakProcessMb = 0;
  let stdout = '';
  let stderr = '';
  const spawnedMs = monotonicMs();
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, OPENAI_API_KEY: 'bench', ACCRETE_DB: '', DATABASE_URL: '', CI: '1' } });
  const pid = child.pid as number;
  server.onRoot((e) => {
    events.push(e);
    cpuAtEvent.push(treeUsage(pid).cpuMs);
  });
  const sample = (): void => {
    const u = treeUsage(pid);
    peakTreeMb = Math.max(peakTreeMb, u.rssMb);
    peakProcessMb = Math.max(peakProcessMb, peakRssOf(pid));
  };
  const poll = setInterval(sample, 50);
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  // The last look before the process is reaped: its high-water mark is final by then.
  child.stdout.on('end', sample);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (c) => resolve(c ?? -1));
  });
  clearInterval(poll);
  server.onRoot(undefined);
  const exitedMs = monotonicMs();
  if (code !== 0) throw new Error(`${args.slice(0, 3).join(' ')} … exited ${code}: ${stderr.trim().slice(-2000)}`);
  const summary = JSON.parse(stdout.slice(stdout.indexOf('{'))) as { status?: string; error?: string };
  if (summary.status !== 'succeeded') throw new Error(`the bench run ended ${summary.status}: ${summary.error}`);
  return { spawnedMs, exitedMs, events, cpuAtEvent, peakProcessMb, peakTreeMb, stdout };
}

/** Gaps between a root reply and the next root request, from the third step on. */
const stepGaps = (m: Measured): number[] => m.events.slice(3).map((e, i) => e.arrivedMs - m.events[i + 2].repliedMs);

// ---- filling a database with copies of its runs ----

async function columnsOf(query: (sql: string) => Promise<Record<string, unknown>[]>, table: string): Promise<string[]> {
  const rows = await query(`select column_name from information_schema.columns where table_schema = 'public' and table_name = '${table}' order by ordinal_position`);
  return rows.map((r) => String(r.column_name));
}

/** Copies runs (with their steps, programs and model calls) until the database is at least `targetMb`. */
export async function fillDatabase(location: string, targetMb: number, onProgress?: (text: string) => void): Promise<{ sizeMb: number; runs: number }> {
  const database = await openDatabase(location);
  const q = (text: string) => database.query<Record<string, unknown>>(text);
  const size = async () => Number((await q('select pg_database_size(current_database()) as b'))[0].b) / 2 ** 20;
  try {
    const cols: Record<string, string[]> = {};
    for (const t of ['runs', 'steps', 'programs', 'llm_calls']) cols[t] = await columnsOf(q, t);
    const mapped = (table: string, alias: string): { into: string; select: string } => {
      const keep = cols[table].filter((c) => !(table === 'programs' && c === 'seq'));
      const expr = (c: string): string => {
        if (c === 'id') return table === 'runs' ? 'm.new' : 'gen_random_uuid()';
        if (c === 'run_id') return 'm.new';
        if (c === 'root_run_id' || c === 'parent_run_id') return `coalesce((select m2.new from bench_fill m2 where m2.old = ${alias}.${c}), ${alias}.${c})`;
        return `${alias}."${c}"`;
      };
      return { into: keep.map((c) => `"${c}"`).join(', '), select: keep.map(expr).join(', ') };
    };
    let mb = await size();
    while (mb < targetMb) {
      const [{ n }] = await q(`select count(*)::int as n from runs where status <> 'running'`);
      const take = Math.max(1, Math.ceil(Number(n) * Math.min(1, (targetMb - mb) / Math.max(mb, 1))));
      await database.db.transaction(async (tx) => {
        const run = (text: string) => tx.execute(text as never);
        await run(`create temp table bench_fill on commit drop as select id as old, gen_random_uuid() as new from runs where status <> 'running' order by random() limit ${take}`);
        for (const [table, key] of [['runs', 'id'], ['steps', 'run_id'], ['programs', 'run_id'], ['llm_calls', 'run_id']] as const) {
          const { into, select } = mapped(table, 't');
          await run(`insert into ${table} (${into}) select ${select} from ${table} t join bench_fill m on m.old = t.${key}`);
        }
      });
      mb = await size();
      onProgress?.(`filling the database: ${mb.toFixed(0)} / ${targetMb} MB`);
    }
    const [{ runs }] = await q('select count(*)::int as runs from runs');
    return { sizeMb: mb, runs: Number(runs) };
  } finally {
    await database.close();
  }
}

// ---- the benchmark ----

export async function benchE2e(options: E2eOptions): Promise<E2eResult> {
  const root = packageRoot();
  const cli = resolve(options.cli ?? join(root, 'dist', 'src', 'cli', 'main.js'));
  const entry = resolve(options.entry ?? join(cli, '..', '..', 'index.js'));
  for (const f of [cli, entry]) {
    try {
      readFileSync(f);
    } catch {
      throw new Error(`${f} is missing: build first (npm run build), or pass the CLI's main.js`);
    }
  }
  const workDir = options.workDir;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const o = { cli, entry, workDir };
  const starts = options.starts ?? 5;
  const steps = options.steps ?? 60;
  const drivers = options.drivers ?? ['cli', 'library'];
  const progress = options.onProgress ?? (() => {});
  const notes: string[] = [];
  const server = await ScriptedServer.start();
  const results: DriverResult[] = [];
  const sizes: SizePoint[] = [];
  const dbs: ['pglite' | 'postgres', string][] = [['pglite', join(workDir, 'db')]];
  if (options.serverUrl) dbs.push(['postgres', options.serverUrl]);
  try {
    for (const [kind, location] of dbs) {
      for (const driver of drivers) {
        const label = `${driver} · ${kind}`;
        const run = (spec: Omit<RunSpec, 'db'>, db = location) => measure(server, commandFor(driver, { ...spec, db }, o, server.url), workDir);
        let freshStartMs: number | undefined;
        if (kind === 'pglite') {
          progress(`${label}: start on a fresh database`);
          const fresh = await run({ query: 'steps 0', latencyMs: 0, concurrency: 16, maxIterations: 5 }, join(workDir, `fresh-${driver}`));
          freshStartMs = fresh.events[0].arrivedMs - fresh.spawnedMs;
        } else {
          await run({ query: 'steps 0', latencyMs: 0, concurrency: 16, maxIterations: 5 }); // migrated before the measures
        }
        const startMs: number[] = [];
        const oneStep: number[] = [];
        for (let i = 0; i < starts; i++) {
          progress(`${label}: start ${i + 1}/${starts}`);
          const m = await run({ query: 'steps 0', latencyMs: 0, concurrency: 16, maxIterations: 5 });
          startMs.push(m.events[0].arrivedMs - m.spawnedMs);
          oneStep.push(m.exitedMs - m.spawnedMs);
        }
        progress(`${label}: ${steps} steps`);
        const stepRun = await run({ query: `steps ${steps}`, latencyMs: 0, concurrency: 16, maxIterations: steps + 5 });
        let peakProcess = stepRun.peakProcessMb;
        let peakTree = stepRun.peakTreeMb;
        const fanOut: FanOut[] = [];
        for (const c of [16, 32]) {
          progress(`${label}: fan-out N=1000 at c=${c}`);
          const m = await run({ query: 'fanout 1000', latencyMs: 50, concurrency: c, maxIterations: 5 });
          const ms = m.events[1].arrivedMs - m.events[0].repliedMs;
          const idealMs = Math.ceil(1000 / c) * 50;
          fanOut.push({ n: 1000, c, latencyMs: 50, ms, idealMs, ratio: ms / idealMs, cpuMsPerCall: (m.cpuAtEvent[1] - m.cpuAtEvent[0]) / 1000 });
          peakProcess = Math.max(peakProcess, m.peakProcessMb);
          peakTree = Math.max(peakTree, m.peakTreeMb);
        }
        progress(`${label}: 100 sequential calls`);
        const seq = await run({ query: 'seq 100', latencyMs: 20, concurrency: 16, maxIterations: 5 });
        const seqMs = seq.events[1].arrivedMs - seq.events[0].repliedMs;
        results.push({
          driver,
          db: kind,
          startMs: stat(startMs),
          freshStartMs,
          oneStepRunMs: stat(oneStep),
          stepMs: stat(stepGaps(stepRun)),
          fanOut,
          sequential: { n: 100, latencyMs: 20, ms: seqMs, overheadMsPerCall: (seqMs - 100 * 20) / 100 },
          peakRssMb: { process: peakProcess, tree: peakTree },
        });
      }
      // Step cost against the database's size: the CLI's steady step, then again after filling.
      const database = await openDatabase(location);
      const [{ b, runs }] = await database.query<{ b: string; runs: number }>('select pg_database_size(current_database()) as b, (select count(*)::int from runs) as runs');
      await database.close();
      const cliStep = results.find((r) => r.db === kind && r.driver === drivers[0]);
      if (cliStep) sizes.push({ db: kind, sizeMb: Number(b) / 2 ** 20, runs: Number(runs), stepMs: cliStep.stepMs });
      for (const target of options.sizesMb ?? [100]) {
        progress(`${kind}: filling to ${target} MB`);
        const filled = await fillDatabase(location, target, progress);
        progress(`${kind}: ${steps} steps at ${filled.sizeMb.toFixed(0)} MB`);
        const m = await measure(server, commandFor(drivers[0], { query: `steps ${steps}`, db: location, latencyMs: 0, concurrency: 16, maxIterations: steps + 5 }, o, server.url), workDir);
        sizes.push({ db: kind, sizeMb: filled.sizeMb, runs: filled.runs, stepMs: stat(stepGaps(m)) });
      }
    }
  } finally {
    server.close();
  }
  notes.push('steady step: from the server sending a root reply to receiving the next root request (the server\'s own parse/serialize included, ~0.1 ms); steps 3.. of the run');
  notes.push('CPU per sub-call: utime+stime of accrete\'s process tree (sandbox children included) over the fan-out window, 10 ms ticks, divided by N');
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) },
    results,
    sizes,
    notes,
  };
}

// ---- rendering ----

const f0 = (x: number): string => (Number.isFinite(x) ? x.toFixed(0) : '—');
const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '—');
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : '—');
const mm = (s: Stat, f = f1): string => `${f(s.min)} / ${f(s.median)}`;

/** A markdown table: one column per driver and database, the official RLM and the targets beside them. */
export function renderE2e(r: E2eResult): string {
  const cols = r.results;
  const head = ['measure (min / median)', 'official RLM', ...cols.map((c) => `${c.driver} · ${c.db}`), 'target'];
  const fan = (c: DriverResult, conc: number) => c.fanOut.find((x) => x.c === conc);
  const rows: string[][] = [
    ['steady step, ms', OFFICIAL_RLM.stepMs, ...cols.map((c) => mm(c.stepMs, f2)), '≤ 3'],
    ['start → first model request, ms', OFFICIAL_RLM.startMs, ...cols.map((c) => mm(c.startMs, f0)), '≤ 500 (server); PGlite open + 300'],
    ['… on a fresh database, ms', '', ...cols.map((c) => (c.freshStartMs === undefined ? '' : f0(c.freshStartMs))), ''],
    ['one-step run, spawn → exit, ms', '', ...cols.map((c) => mm(c.oneStepRunMs, f0)), ''],
    ...[16, 32].map((conc) => [
      `fan-out N=1000 L=50 c=${conc} (ideal ${Math.ceil(1000 / conc) * 50} ms)`,
      conc === 16 ? OFFICIAL_RLM.fanOutC16 : OFFICIAL_RLM.fanOutC32,
      ...cols.map((c) => {
        const x = fan(c, conc);
        return x ? `${f2(x.ratio)}× (${f0(x.ms)} ms)` : '';
      }),
      '≤ 1.10×',
    ]),
    ['CPU per sub-call, ms (c=16 / c=32)', '', ...cols.map((c) => `${f2(fan(c, 16)?.cpuMsPerCall ?? NaN)} / ${f2(fan(c, 32)?.cpuMsPerCall ?? NaN)}`), ''],
    ['sequential N=100 L=20, ms added per call', OFFICIAL_RLM.sequentialOverheadMs, ...cols.map((c) => `+${f1(c.sequential.overheadMsPerCall)}`), ''],
    ['peak RSS, MB: process (tree)', OFFICIAL_RLM.peakRssMb, ...cols.map((c) => `${f0(c.peakRssMb.process)} (${f0(c.peakRssMb.tree)})`), '≤ 150 (server); PGlite + 100'],
  ];
  const table = [head, head.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
  const sizeRows = r.sizes.map((s) => `| ${s.db} | ${f0(s.sizeMb)} MB | ${s.runs} | ${mm(s.stepMs, f2)} |`);
  const sizeTable = sizeRows.length ? `\n\nSteady step against the database's size (${cols[0]?.driver ?? 'cli'}):\n\n| database | size | runs | step, ms (min / median) |\n|---|---|---|---|\n${sizeRows.join('\n')}` : '';
  const m = r.machine;
  return `machine: ${m.cpus} × ${m.model}, ${m.memGiB} GiB, node ${m.node}; load average ${m.loadavg.join(' ')}\n\n${table}${sizeTable}\n\n${r.notes.map((n) => `- ${n}`).join('\n')}\n`;
}
