/**
 * A database mined before decomposition profiles existed: the next pass gives the old programs a
 * profile, summarizes the old clusters, and new runs join them (nothing re-mined, ids stable).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { importLines } from '../../src/trace/interchange.js';
import { minePass } from '../../miner/cluster/pass.js';
import { generateCorpus } from '../data/corpus/corpus.js';
import { memoryDb } from '../helpers/db.js';

function records(seed: number, perFamily: number): string[] {
  return generateCorpus({ perFamily, noise: 0, seed }).map((p) => {
    const steps: { code: string[] }[] = [];
    for (const b of p.blocks) {
      while (steps.length <= b.stepIdx) steps.push({ code: [] });
      steps[b.stepIdx].code.push(b.code);
    }
    return JSON.stringify({ id: randomUUID(), query: `task for ${p.label}`, status: 'succeeded', answer: 'x', steps: steps.filter((s) => s.code.length) });
  });
}

describe('mining a database mined before profiles', () => {
  let db: Database;
  beforeAll(async () => {
    db = await memoryDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('profiles the old programs, summarizes the old clusters, and lets new runs join them', async () => {
    await importLines(db, records(5, 6));
    const first = await minePass(db);
    expect(first.clustersNew).toBeGreaterThan(0);
    // what an older version left behind: no profiles, no vectors, no profile centroids, no terms
    await db.query('update mined_programs set profile = null, profile_vector = null');
    await db.query('update clusters set profile_centroid = null, cohesion = null');
    await db.query('delete from mining_terms');
    const before = new Map((await db.query<{ run_id: string; cluster_id: string }>('select run_id, cluster_id from mined_programs where cluster_id is not null')).map((r) => [r.run_id, r.cluster_id]));

    await importLines(db, records(6, 2));
    const next = await minePass(db);
    expect(next.runsRead).toBe(16);
    const [{ n }] = await db.query<{ n: number }>("select count(*)::int as n from mined_programs where status = 'parsed' and profile is null");
    expect(n).toBe(0);
    const [{ terms }] = await db.query<{ terms: number }>('select count(*)::int as terms from mining_terms');
    expect(terms).toBeGreaterThan(0);
    const after = new Map((await db.query<{ run_id: string; cluster_id: string }>('select run_id, cluster_id from mined_programs where cluster_id is not null')).map((r) => [r.run_id, r.cluster_id]));
    for (const [run, c] of before) expect(after.get(run)).toBe(c);
    expect(next.clustersGrown).toBeGreaterThan(0);
    const [{ missing }] = await db.query<{ missing: number }>('select count(*)::int as missing from clusters where profile_centroid is null or cohesion is null');
    expect(missing).toBe(0);
  });
});
