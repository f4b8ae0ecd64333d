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

/** A build of accrete to measure: its CLI's main.js, the library entry beside it, its own scratch server database. */
export interface E2eTarget {
  label: string;
  /** The CLI's main.js (default: dist/src/cli/main.js of this package; build first). */
  cli?: string;
  /** The library's entry (default: dist/src/index.js beside the CLI). */
  entry?: string;
  /** A scratch Postgres database (postgres://...) to measure as well; PGlite only without one. Its runs are copied to fill it. */
  serverUrl?: string;
}

export interface E2eOptions {
  /** The builds to measure side by side, each measure taken in turn for each (default: this package's dist). */
  targets?: E2eTarget[];
  /** Where the embedded databases and spools go (emptied first, removed at the end). */
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
  /** The target's label. */
  target: string;
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
  target: string;
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

function commandFor(driver: Driver, spec: RunSpec, o: { cli: string; entry: string; workDir: string }, url: string): string[] {
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

interface Combo {
  target: Required<Pick<E2eTarget, 'label' | 'cli' | 'entry'>> & { index: number };
  driver: Driver;
  location: string;
  startMs: number[];
  oneStep: number[];
  freshStartMs?: number;
  stepMs?: Stat;
  fanOut: FanOut[];
  sequential?: DriverResult['sequential'];
  peakProcess: number;
  peakTree: number;
}

export async function benchE2e(options: E2eOptions): Promise<E2eResult> {
  const root = packageRoot();
  const targets = (options.targets ?? [{ label: 'accrete' }]).map((t, index) => {
    const cli = resolve(t.cli ?? join(root, 'dist', 'src', 'cli', 'main.js'));
    const entry = resolve(t.entry ?? join(cli, '..', '..', 'index.js'));
    for (const f of [cli, entry]) {
      try {
        readFileSync(f);
      } catch {
        throw new Error(`${f} is missing: build first (npm run build), or pass the CLI's main.js`);
      }
    }
    return { label: t.label, cli, entry, serverUrl: t.serverUrl, index };
  });
  const workDir = options.workDir;
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const starts = options.starts ?? 5;
  const steps = options.steps ?? 60;
  const drivers = options.drivers ?? ['cli', 'library'];
  const progress = options.onProgress ?? (() => {});
  const server = await ScriptedServer.start();
  const results: DriverResult[] = [];
  const sizes: SizePoint[] = [];
  const runIn = (c: Combo, spec: Omit<RunSpec, 'db'>, db = c.location) => measure(server, commandFor(c.driver, { ...spec, db }, { cli: c.target.cli, entry: c.target.entry, workDir }, server.url), workDir);
  const label = (c: Combo, kind: string) => `${targets.length > 1 ? `${c.target.label} · ` : ''}${c.driver} · ${kind}`;
  try {
    for (const kind of ['pglite', 'postgres'] as const) {
      // Every measure is taken for each build and driver in turn, so a change of the machine's load falls on all alike.
      const combos: Combo[] = [];
      for (const t of targets) {
        const location = kind === 'pglite' ? join(workDir, `db-${t.index}`) : t.serverUrl;
        if (!location) continue;
        for (const driver of drivers) combos.push({ target: t, driver, location, startMs: [], oneStep: [], fanOut: [], peakProcess: 0, peakTree: 0 });
      }
      if (combos.length === 0) continue;
      const peak = (c: Combo, m: Measured): void => {
        c.peakProcess = Math.max(c.peakProcess, m.peakProcessMb);
        c.peakTree = Math.max(c.peakTree, m.peakTreeMb);
      };
      for (const c of combos) {
        if (kind === 'pglite') {
          progress(`${label(c, kind)}: start on a fresh database`);
          const fresh = await runIn(c, { query: 'steps 0', latencyMs: 0, concurrency: 16, maxIterations: 5 }, join(workDir, `fresh-${c.target.index}-${c.driver}`));
          c.freshStartMs = fresh.events[0].arrivedMs - fresh.spawnedMs;
        }
        await runIn(c, { query: 'steps 0', latencyMs: 0, concurrency: 16, maxIterations: 5 }); // created and migrated before the measures
      }
      for (let i = 0; i < starts; i++) {
        for (const c of combos) {
          progress(`${label(c, kind)}: start ${i + 1}/${starts}`);
          const m = await runIn(c, { query: 'steps 0', latencyMs: 0, concurrency: 16, maxIterations: 5 });
          c.startMs.push(m.events[0].arrivedMs - m.spawnedMs);
          c.oneStep.push(m.exitedMs - m.spawnedMs);
          peak(c, m);
        }
      }
      for (const c of combos) {
        progress(`${label(c, kind)}: ${steps} steps`);
        const m = await runIn(c, { query: `steps ${steps}`, latencyMs: 0, concurrency: 16, maxIterations: steps + 5 });
        c.stepMs = stat(stepGaps(m));
        peak(c, m);
      }
      for (const conc of [16, 32]) {
        for (const c of combos) {
          progress(`${label(c, kind)}: fan-out N=1000 at c=${conc}`);
          const m = await runIn(c, { query: 'fanout 1000', latencyMs: 50, concurrency: conc, maxIterations: 5 });
          const ms = m.events[1].arrivedMs - m.events[0].repliedMs;
          const idealMs = Math.ceil(1000 / conc) * 50;
          c.fanOut.push({ n: 1000, c: conc, latencyMs: 50, ms, idealMs, ratio: ms / idealMs, cpuMsPerCall: (m.cpuAtEvent[1] - m.cpuAtEvent[0]) / 1000 });
          peak(c, m);
        }
      }
      for (const c of combos) {
        progress(`${label(c, kind)}: 100 sequential calls`);
        const m = await runIn(c, { query: 'seq 100', latencyMs: 20, concurrency: 16, maxIterations: 5 });
        const ms = m.events[1].arrivedMs - m.events[0].repliedMs;
        c.sequential = { n: 100, latencyMs: 20, ms, overheadMsPerCall: (ms - 100 * 20) / 100 };
        peak(c, m);
      }
      for (const c of combos) {
        results.push({
          target: c.target.label,
          driver: c.driver,
          db: kind,
          startMs: stat(c.startMs),
          freshStartMs: c.freshStartMs,
          oneStepRunMs: stat(c.oneStep),
          stepMs: c.stepMs as Stat,
          fanOut: c.fanOut,
          sequential: c.sequential as DriverResult['sequential'],
          peakRssMb: { process: c.peakProcess, tree: c.peakTree },
        });
      }
      // Step cost against the database's size: each build's first driver, as measured, then again after filling.
      const sized = combos.filter((c) => c.driver === drivers[0]);
      for (const c of sized) {
        const database = await openDatabase(c.location);
        const [{ b, runs }] = await database.query<{ b: string; runs: number }>('select pg_database_size(current_database()) as b, (select count(*)::int from runs) as runs');
        await database.close();
        sizes.push({ target: c.target.label, db: kind, sizeMb: Number(b) / 2 ** 20, runs: Number(runs), stepMs: c.stepMs as Stat });
      }
      for (const targetMb of options.sizesMb ?? [100]) {
        const filled = new Map<Combo, { sizeMb: number; runs: number }>();
        for (const c of sized) {
          progress(`${label(c, kind)}: filling to ${targetMb} MB`);
          filled.set(c, await fillDatabase(c.location, targetMb, progress));
        }
        for (const c of sized) {
          const f = filled.get(c) as { sizeMb: number; runs: number };
          progress(`${label(c, kind)}: ${steps} steps at ${f.sizeMb.toFixed(0)} MB`);
          const m = await runIn(c, { query: `steps ${steps}`, latencyMs: 0, concurrency: 16, maxIterations: steps + 5 });
          sizes.push({ target: c.target.label, db: kind, sizeMb: f.sizeMb, runs: f.runs, stepMs: stat(stepGaps(m)) });
        }
      }
    }
  } finally {
    server.close();
    rmSync(workDir, { recursive: true, force: true });
  }
  return {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadavg: loadavg().map((x) => Math.round(x * 100) / 100) },
    results,
    sizes,
    notes: [
      "steady step: from the server sending a root reply to receiving the next root request (the server's own parse/serialize included, ~0.1 ms); steps 3.. of the run",
      "CPU per sub-call: utime+stime of accrete's process tree (sandbox children included) over the fan-out window, 10 ms ticks, divided by N",
      'start: from spawning the process to the first model request, on a database that exists (the fresh row: one the run creates)',
    ],
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
  const many = new Set(cols.map((c) => c.target)).size > 1;
  const head = ['measure (min / median)', 'official RLM', ...cols.map((c) => `${many ? `${c.target} · ` : ''}${c.driver} · ${c.db}`), 'target'];
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
  const sizeRows = r.sizes.map((s) => `| ${many ? `${s.target} · ` : ''}${s.db} | ${f0(s.sizeMb)} MB | ${s.runs} | ${mm(s.stepMs, f2)} |`);
  const sizeTable = sizeRows.length ? `\n\nSteady step against the database's size (${cols[0]?.driver ?? 'cli'}):\n\n| database | size | runs | step, ms (min / median) |\n|---|---|---|---|\n${sizeRows.join('\n')}` : '';
  const m = r.machine;
  return `machine: ${m.cpus} × ${m.model}, ${m.memGiB} GiB, node ${m.node}; load average ${m.loadavg.join(' ')}\n\n${table}${sizeTable}\n\n${r.notes.map((n) => `- ${n}`).join('\n')}\n`;
}
