/**
 * Mining at scale: a full pass over N logged programs and an incremental pass over 1,000 new ones,
 * on the Postgres server (BENCH_DATABASE_URL; a fresh database is created and dropped) or on
 * embedded PGlite. Run: `npx tsx bench/miner/scale.ts [N] [--json]` (default N = 100000).
 */
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/connection.js';
import type { TraceRecord } from '../../src/trace/records.js';
import { writeRecords } from '../../src/trace/writer.js';
import { generateCorpus } from '../../test/data/corpus/corpus.js';
import { minePass, type MineReport } from '../../miner/cluster/pass.js';
import { scoreAgainstLabels } from '../../miner/cluster/metrics.js';

/** Run id → family label (or noise), for scoring the clusters. */
const labels = new Map<string, string>();

async function logCorpus(database: Database, runs: number, seed: number): Promise<number> {
  const perFamily = Math.max(1, Math.floor((runs * 0.95) / 8));
  const corpus = generateCorpus({ perFamily, noise: Math.max(0, runs - perFamily * 8), seed });
  let blocks = 0;
  for (let i = 0; i < corpus.length; i += 1_000) {
    const records: TraceRecord[] = [];
    for (const p of corpus.slice(i, i + 1_000)) {
      const id = randomUUID();
      labels.set(id, p.label);
      records.push({ table: 'runs', row: { id, rootRunId: id, query: `task ${p.label}`, status: 'succeeded', startedAt: new Date(), endedAt: new Date() } });
      for (const b of p.blocks) {
        blocks++;
        records.push({ table: 'programs', row: { id: randomUUID(), runId: id, stepIdx: b.stepIdx, blockIdx: b.blockIdx, code: b.code, codeSha256: '-', query: 'q', status: b.status === 'ok' ? 'ok' : 'error' } });
      }
    }
    await writeRecords(database.db, records);
  }
  return blocks;
}

export interface Quality {
  ari: number;
  purity: number;
  /** Share of the one-off (noise) runs left out of clusters. */
  noiseOut: number;
}

/** ARI, purity and one-offs kept out against the corpus labels (miner/cluster/metrics.ts). */
async function quality(database: Database): Promise<Quality> {
  const rows = await database.query<{ run_id: string; cluster_id: string | null }>('select run_id, cluster_id from mined_programs');
  const q = scoreAgainstLabels(Object.fromEntries(rows.filter((r) => labels.has(r.run_id)).map((r) => [r.run_id, labels.get(r.run_id) as string])), new Map(rows.map((r) => [r.run_id, r.cluster_id])));
  return { ari: q.ari, purity: q.purity, noiseOut: q.noiseOut };
}

export interface MinerScaleResult {
  backend: string;
  machine: { cpus: number; model: string };
  full: { runs: number; programs: number; ms: number; report: MineReport; quality: Quality };
  incremental: { runs: number; programs: number; ms: number; report: MineReport; quality: Quality };
}

export async function benchMinerScale(n: number): Promise<MinerScaleResult> {
  const server = process.env.BENCH_DATABASE_URL;
  let location = 'memory://';
  let drop = async () => {};
  if (server) {
    const name = `accrete_bench_${process.pid}`;
    const admin = postgres(server, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const u = new URL(server);
    u.pathname = `/${name}`;
    location = u.toString();
    drop = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  const database = await openDatabase(location);
  try {
    const programs = await logCorpus(database, n, 1);
    let t = performance.now();
    const full = await minePass(database, { onProgress: (p) => process.stderr.write(`\r${p.phase} ${p.done}/${p.total}   `) });
    const fullMs = performance.now() - t;
    const fullQuality = await quality(database);
    const newPrograms = await logCorpus(database, 1_000, 2);
    t = performance.now();
    const inc = await minePass(database);
    const incMs = performance.now() - t;
    const incQuality = await quality(database);
    process.stderr.write('\n');
    return {
      backend: server ? 'postgres' : 'pglite',
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?' },
      full: { runs: full.runsRead, programs, ms: fullMs, report: full, quality: fullQuality },
      incremental: { runs: inc.runsRead, programs: newPrograms, ms: incMs, report: inc, quality: incQuality },
    };
  } finally {
    await database.close();
    await drop();
  }
}

if (process.argv[1] && /bench[\\/]miner[\\/]scale\.(ts|js)$/.test(process.argv[1])) {
  const n = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 100_000);
  const r = await benchMinerScale(n);
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
  else {
    console.log(`backend ${r.backend}, ${r.machine.cpus} × ${r.machine.model}`);
    const q = (x: Quality): string => `ARI ${x.ari.toFixed(3)}, purity ${x.purity.toFixed(3)}, one-offs kept out ${(x.noiseOut * 100).toFixed(0)}%`;
    const t = (m: MineReport): string => (m.timings ? `analyze ${(m.timings.analyzeMs / 1000).toFixed(1)} s, database ${(m.timings.storeMs / 1000).toFixed(1)} s, cluster ${(m.timings.clusterMs / 1000).toFixed(1)} s, write ${(m.timings.writeMs / 1000).toFixed(1)} s` : '');
    console.log(`full pass: ${r.full.runs} runs (${r.full.programs} code blocks) in ${(r.full.ms / 1000).toFixed(1)} s (${t(r.full.report)}) — ${r.full.report.clustersNew} clusters, ${r.full.report.noise} noise; ${q(r.full.quality)} (target < 300 s for 100,000)`);
    console.log(`incremental pass: ${r.incremental.runs} runs (${r.incremental.programs} code blocks) in ${(r.incremental.ms / 1000).toFixed(1)} s (${t(r.incremental.report)}) — ${r.incremental.report.clustersNew} new and ${r.incremental.report.clustersGrown} grown clusters; ${q(r.incremental.quality)} (target < 10 s)`);
  }
  process.exit(0);
}
