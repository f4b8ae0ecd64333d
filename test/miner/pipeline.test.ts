/** A mining pass over the database: imported and runtime-logged runs, incremental, stable, on both backends. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { importLines } from '../../src/trace/interchange.js';
import type { TraceRecord } from '../../src/trace/records.js';
import { writeRecords } from '../../src/trace/writer.js';
import { generateCorpus, type LabelledProgram } from '../data/corpus/corpus.js';
import { clusterQuality } from '../../miner/cluster/metrics.js';
import { minePass } from '../../miner/cluster/pass.js';
import { OpenAIEmbedder } from '../../src/models/embeddings.js';
import { startModelServer } from '../../src/sim/server.js';
import { BACKENDS, freshDb, memoryDb } from '../helpers/db.js';

/** Labelled programs as minimal import records (logs from elsewhere). */
function asRecords(programs: LabelledProgram[], ids: Map<string, string>): string[] {
  return programs.map((p) => {
    const id = randomUUID();
    ids.set(id, p.label);
    const steps: { code: string[] }[] = [];
    for (const b of p.blocks) {
      while (steps.length <= b.stepIdx) steps.push({ code: [] });
      steps[b.stepIdx].code.push(b.code);
    }
    return JSON.stringify({ id, query: `task for ${p.label}`, status: 'succeeded', answer: 'x', steps: steps.filter((s) => s.code.length) });
  });
}

/** Labelled programs as the runtime logs them: runs and programs with each block's status. */
function asLogged(programs: LabelledProgram[], ids: Map<string, string>): TraceRecord[] {
  const records: TraceRecord[] = [];
  for (const p of programs) {
    const id = randomUUID();
    ids.set(id, p.label);
    records.push({ table: 'runs', row: { id, rootRunId: id, query: `task for ${p.label}`, status: 'succeeded', startedAt: new Date(), endedAt: new Date() } });
    for (const b of p.blocks) {
      records.push({
        table: 'programs',
        row: { id: randomUUID(), runId: id, stepIdx: b.stepIdx, blockIdx: b.blockIdx, code: b.code, codeSha256: 'x', query: 'q', status: b.status === 'ok' ? 'ok' : 'error' },
      });
    }
  }
  return records;
}

describe.each(BACKENDS)('accrete mine on %s', (backend) => {
  let db: Database;
  const labels = new Map<string, string>();
  beforeAll(async () => {
    db = await freshDb(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('clusters logged runs by decomposition (ARI ≥ 0.9, purity ≥ 0.95), noise stays unclustered', async () => {
    const corpus = generateCorpus({ perFamily: 12, noise: 12, seed: 11 });
    await writeRecords(db.db, asLogged(corpus, labels));
    const report = await minePass(db);
    expect(report.runsRead).toBe(corpus.length);
    expect(report.parsed + report.unparseable).toBe(corpus.length);
    expect(report.clustersNew).toBeGreaterThanOrEqual(6);
    const rows = await db.query<{ run_id: string; cluster_id: string | null }>('select run_id, cluster_id from mined_programs');
    const truth = rows.map((r) => (labels.get(r.run_id) === 'noise' ? null : labels.get(r.run_id)!));
    const predicted = rows.map((r) => r.cluster_id);
    const q = clusterQuality(truth, predicted);
    expect(q.ari).toBeGreaterThanOrEqual(0.9);
    expect(q.purity).toBeGreaterThanOrEqual(0.95);
    const noiseClustered = rows.filter((r) => labels.get(r.run_id) === 'noise' && r.cluster_id !== null).length;
    expect(noiseClustered).toBeLessThanOrEqual(2);
    const cl = await db.query<{ id: string; size: number; support: number; success_rate: number; skeleton: string }>('select id, size, support, success_rate, skeleton from clusters');
    for (const c of cl) {
      expect(c.size).toBeGreaterThanOrEqual(3);
      expect(c.support).toBe(c.size);
      expect(c.skeleton).toMatch(/FINAL/);
    }
  });

  it('a second pass reads only what is new — imported runs too; they join existing clusters; ids are stable', async () => {
    const before = new Map((await db.query<{ run_id: string; cluster_id: string }>('select run_id, cluster_id from mined_programs where cluster_id is not null')).map((r) => [r.run_id, r.cluster_id]));
    const nothing = await minePass(db);
    expect(nothing.runsRead).toBe(0);
    const more = generateCorpus({ perFamily: 3, noise: 2, seed: 99 });
    await importLines(db, asRecords(more, labels));
    const report = await minePass(db);
    expect(report.runsRead).toBe(more.length);
    expect(report.clustersGrown).toBeGreaterThanOrEqual(4);
    expect(report.stability.ratio).toBe(1);
    expect(report.stability.previouslyClustered).toBe(before.size);
    const after = new Map((await db.query<{ run_id: string; cluster_id: string }>('select run_id, cluster_id from mined_programs where cluster_id is not null')).map((r) => [r.run_id, r.cluster_id]));
    for (const [run, c] of before) expect(after.get(run)).toBe(c);
    // the new members of a family went where that family already was
    const familyCluster = new Map<string, string>();
    for (const [run, c] of before) familyCluster.set(labels.get(run)!, c);
    let joined = 0;
    for (const [run, c] of after) if (!before.has(run) && familyCluster.get(labels.get(run)!) === c) joined++;
    // a new member joins when its mean similarity reaches 0.7 of the cluster's cohesion; the few
    // at the edge of a family may wait in the noise pool for more of their kind
    expect(joined).toBeGreaterThanOrEqual(Math.floor(0.8 * more.filter((p) => p.label !== 'noise').length));
  });

  it('records unparseable programs with a reason and goes on', async () => {
    const id = randomUUID();
    const junk = JSON.stringify({ id, query: 'junk', status: 'failed', steps: [{ code: ['const = = ;;; {{{'] }, { code: ['\u0001\u0002 binary ' + 'x'.repeat(10)] }] });
    await importLines(db, [junk]);
    const report = await minePass(db);
    expect(report.unparseable).toBe(1);
    const [row] = await db.query<{ status: string; reason: string }>('select status, reason from mined_programs where run_id = $1', [id]);
    expect(row.status).toBe('unparseable');
    expect(row.reason.length).toBeGreaterThan(5);
  });
});

describe('programs that already call the library', () => {
  it('are not mined again as new clusters; compositions of library calls are', async () => {
    const db = await memoryDb();
    try {
      const records: TraceRecord[] = [];
      const add = (code: string) => {
        const id = randomUUID();
        records.push({ table: 'runs', row: { id, rootRunId: id, query: 'q', status: 'succeeded', startedAt: new Date(), endedAt: new Date() } });
        records.push({ table: 'programs', row: { id: randomUUID(), runId: id, stepIdx: 0, blockIdx: 0, code, codeSha256: '-', query: 'q', status: 'final' } });
      };
      for (let i = 0; i < 5; i++) add(`const n${i} = await lib.countRefunds(context);\nFINAL(n${i})`);
      for (let i = 0; i < 5; i++) add(`const a = await lib.countRefunds(context, ${i});\nconst b = await lib.topLabel(context);\nFINAL(a + " / " + b)`);
      await writeRecords(db.db, records);
      const report = await minePass(db);
      expect(report.libraryOnly).toBe(5);
      const rows = await db.query<{ lib_calls: string[]; cluster_id: string | null }>('select lib_calls, cluster_id from mined_programs');
      expect(rows.filter((r) => r.lib_calls.length === 1).every((r) => r.cluster_id === null)).toBe(true);
      expect(rows.filter((r) => r.lib_calls.length === 2).every((r) => r.cluster_id !== null)).toBe(true);
    } finally {
      await db.close();
    }
  });
});

describe('semantic embeddings', () => {
  it('are computed through an OpenAI-compatible embeddings endpoint when one is configured', async () => {
    const server = await startModelServer({ models: {} });
    const db = await memoryDb();
    try {
      const labels = new Map<string, string>();
      await writeRecords(db.db, asLogged(generateCorpus({ perFamily: 2, noise: 1, seed: 3, families: ['chunk-count', 'needle-search'] }), labels));
      const report = await minePass(db, { embedder: new OpenAIEmbedder('sim-embed', { baseURL: server.url, apiKey: 'test' }) });
      expect(report.parsed).toBe(5);
      const rows = await db.query<{ dims: number }>("select vector_dims(semantic_embedding::vector) as dims from mined_programs where status = 'parsed'");
      expect(rows).toHaveLength(5);
      expect(rows.every((r) => r.dims === 256)).toBe(true);
    } finally {
      await db.close();
      await server.close();
    }
  });
});
