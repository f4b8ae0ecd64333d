/**
 * Members imported from elsewhere carry no recorded sub-calls and no input: replay cannot check
 * them, so they count as unverifiable (not reproduced), and a cluster made half of them falls
 * below the coverage threshold and is rejected.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generalizeCluster, isRejected } from '../../../miner/generalize/generalize.js';
import { minePass } from '../../../miner/cluster/pass.js';
import { buildCandidates, verifyCandidate } from '../../../miner/verify/candidates.js';
import type { BuildResult } from '../../../miner/verify/types.js';
import type { Database } from '../../../src/db/connection.js';
import { createRuntime } from '../../../src/runtime/runtime.js';
import { SandboxPool } from '../../../src/sandbox/repl.js';
import { runWorkload } from '../../../src/eval/workload.js';
import { buildWorkload } from '../../../src/sim/workloads.js';
import { importLines } from '../../../src/trace/interchange.js';
import { memoryDb } from '../../helpers/db.js';
import { useSimModels } from '../../helpers/sim.js';

useSimModels();

let db: Database;
let result: BuildResult;
const logged: string[] = [];
const imported: string[] = [];

beforeAll(async () => {
  db = await memoryDb();
  const runtime = await createRuntime({ db, model: 'sim:root?bugRate=0&sloppyRate=0&seed=3', subModel: 'sim:leaf?seed=3', warmSandboxes: 1, library: false });
  try {
    const tasks = buildWorkload({ seed: 5, perFamily: 4, sizes: [20_000], families: ['code-review'] });
    for (const r of await runWorkload(runtime, tasks, { concurrency: 2 })) {
      expect(r.status).toBe('succeeded');
      logged.push(r.runId);
    }
  } finally {
    await runtime.close();
  }
  // The same programs again, as minimal records from another system: code, query, status and answer only.
  const lines: string[] = [];
  for (const runId of logged) {
    const [run] = await db.query<{ query: string; answer: string }>('select query, answer from runs where id = $1', [runId]);
    const blocks = await db.query<{ step_idx: number; code: string }>('select step_idx, code from programs where run_id = $1 order by step_idx, block_idx', [runId]);
    const steps: { code: string[] }[] = [];
    for (const b of blocks) (steps[b.step_idx] ??= { code: [] }).code.push(b.code);
    const id = randomUUID();
    imported.push(id);
    lines.push(JSON.stringify({ id, query: run.query, status: 'succeeded', answer: run.answer, steps: steps.filter(Boolean) }));
  }
  expect((await importLines(db, lines)).imported).toBe(logged.length);
  await minePass(db);
  result = await buildCandidates(db);
}, 360_000);

afterAll(async () => {
  await db?.close();
});

describe('members imported without sub-calls', () => {
  it('are unverifiable: the cluster they halve is rejected for coverage', async () => {
    expect(result.candidates).toEqual([]);
    const [row] = await db.query<{ cluster_id: string }>('select cluster_id from mined_programs where run_id = $1', [imported[0]]);
    const rejection = result.rejected.find((r) => r.clusterId === row.cluster_id);
    expect(rejection?.reason).toMatch(new RegExp(`^coverage sub-group 50% \\(${logged.length}/${2 * logged.length}\\), cluster 50% \\(${logged.length}/${2 * logged.length}\\) < 80% over the sub-group the function was generalized from; run [0-9a-f]{8}: unverifiable: `));
    // every member that was not reproduced is named, with why
    for (const id of imported) expect(rejection?.reason).toContain(`run ${id.slice(0, 8)}: unverifiable: the run's input is not stored (imported log)`);
    // and the outcome is kept for `accrete clusters show`
    const [kept] = await db.query<{ verification: { status: string; coverage: number; members: { runId: string; unverifiable?: boolean }[] } }>('select verification from clusters where id = $1', [row.cluster_id]);
    expect(kept.verification).toMatchObject({ status: 'rejected', coverage: 0.5 });
    expect(kept.verification.members.filter((m) => m.unverifiable).map((m) => m.runId).sort()).toEqual([...imported].sort());
  });

  it('are marked unverifiable in the replay evidence; the logged ones are reproduced, with fixtures', async () => {
    const [row] = await db.query<{ cluster_id: string }>('select cluster_id from mined_programs where run_id = $1', [imported[0]]);
    const g = await generalizeCluster(db, row.cluster_id);
    if (isRejected(g)) throw new Error(g.rejected);
    const pool = new SandboxPool(1);
    try {
      const v = await verifyCandidate(g, { database: db, pool, options: { minCoverage: 0 }, progress: () => {} });
      if ('rejected' in v) throw new Error(v.rejected);
      expect(v.coverage).toBe(0.5);
      for (const id of imported) {
        expect(v.replay.find((r) => r.runId === id)).toEqual({ runId: id, reproduced: false, unverifiable: true, reason: "unverifiable: the run's input is not stored (imported log)" });
      }
      for (const id of logged) expect(v.replay.find((r) => r.runId === id)).toMatchObject({ runId: id, reproduced: true, match: { whitespace: 0, varyingParts: 0, live: 0 } });
      expect(v.fixtures.map((f) => f.runId).sort()).toEqual([...logged].sort());
    } finally {
      await pool.close();
    }
  });
});
