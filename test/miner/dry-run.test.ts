/** `accrete mine --dry-run` computes the whole pass and changes nothing: the next real pass reads the same programs. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { importLines } from '../../src/trace/interchange.js';
import { runMining } from '../../miner/pipeline.js';
import { generateCorpus } from '../data/corpus/corpus.js';
import { BACKENDS, freshDb } from '../helpers/db.js';

function records(): string[] {
  return generateCorpus({ perFamily: 5, noise: 3, seed: 21 }).map((p) => {
    const steps: { code: string[] }[] = [];
    for (const b of p.blocks) {
      while (steps.length <= b.stepIdx) steps.push({ code: [] });
      steps[b.stepIdx].code.push(b.code);
    }
    return JSON.stringify({ id: randomUUID(), query: `task for ${p.label}`, status: 'succeeded', answer: 'x', steps: steps.filter((s) => s.code.length) });
  });
}

const counts = async (db: Database): Promise<Record<string, number>> => {
  const out: Record<string, number> = {};
  for (const table of ['mined_programs', 'clusters', 'mining_passes', 'mining_terms', 'promotions']) {
    const [row] = await db.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    out[table] = row.n;
  }
  return out;
};

describe.each(BACKENDS)('mine --dry-run on %s', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await freshDb(backend);
    await importLines(db, records());
  });
  afterAll(async () => {
    await db?.close();
  });

  it('reports what a pass would do and leaves the database as it was', async () => {
    const before = await counts(db);
    const dry = await runMining(db, { dryRun: true, clusterOnly: true, libraryDir: '/nonexistent/accrete-dry-run-library' });
    expect(dry.dryRun).toBe(true);
    expect(dry.pass.runsRead).toBeGreaterThan(0);
    expect(dry.pass.clustersNew).toBeGreaterThan(0);
    expect(await counts(db)).toEqual(before);
    const real = await runMining(db, { clusterOnly: true, libraryDir: '/nonexistent/accrete-dry-run-library' });
    expect(real.pass.runsRead).toBe(dry.pass.runsRead);
    expect(real.pass.clustersNew).toBe(dry.pass.clustersNew);
    expect((await counts(db)).clusters).toBe(real.pass.clustersNew);
  });
});
