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

async function logCorpus(database: Database, runs: number, seed: number): Promise<number> {
  const perFamily = Math.max(1, Math.floor((runs * 0.95) / 8));
  const corpus = generateCorpus({ perFamily, noise: Math.max(0, runs - perFamily * 8), seed });
  let blocks = 0;
  for (let i = 0; i < corpus.length; i += 1_000) {
    const records: TraceRecord[] = [];
    for (const p of corpus.slice(i, i + 1_000)) {
      const id = randomUUID();
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

export interface MinerScaleResult {
  backend: string;
  machine: { cpus: number; model: string };
  full: { runs: number; programs: number; ms: number; report: MineReport };
  incremental: { runs: number; programs: number; ms: number; report: MineReport };
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
    const newPrograms = await logCorpus(database, 1_000, 2);
    t = performance.now();
    const inc = await minePass(database);
    const incMs = performance.now() - t;
    process.stderr.write('\n');
    return {
      backend: server ? 'postgres' : 'pglite',
      machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '?' },
      full: { runs: full.runsRead, programs, ms: fullMs, report: full },
      incremental: { runs: inc.runsRead, programs: newPrograms, ms: incMs, report: inc },
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
    console.log(`full pass: ${r.full.runs} runs (${r.full.programs} code blocks) in ${(r.full.ms / 1000).toFixed(1)} s — ${r.full.report.clustersNew} clusters, ${r.full.report.noise} noise (target < 300 s for 100,000)`);
    console.log(`incremental pass: ${r.incremental.runs} runs (${r.incremental.programs} code blocks) in ${(r.incremental.ms / 1000).toFixed(1)} s — ${r.incremental.report.clustersGrown} clusters grown (target < 10 s)`);
  }
  process.exit(0);
}
