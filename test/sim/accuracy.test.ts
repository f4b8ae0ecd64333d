/**
 * The root model's programs, run by the test harness with the leaf answering llm() calls, solve
 * every family; the direct baseline (one call, input cut to the leaf's window) does not on large
 * inputs. Scores are deterministic (seeded), so the thresholds are not flaky.
 */
import { describe, expect, it } from 'vitest';
import { runDirect } from '../../src/sim/direct.js';
import { createSimModels } from '../../src/sim/models.js';
import { FAMILY_NAMES, type FamilyName } from '../../src/sim/types.js';
import { FAMILIES } from '../../src/sim/workloads.js';
import { runRlm } from './harness.js';

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

async function rlmScore(family: FamilyName, seed: number, size: number, errorRate: number): Promise<number> {
  const task = FAMILIES[family].generate({ seed, sizeBytes: size });
  const { root, leaf } = createSimModels({ seed, errorRate });
  const run = await runRlm(task.query, task.context, { root, leaf });
  return FAMILIES[family].score(task, run.answer ?? '');
}

async function directScore(family: FamilyName, seed: number, size: number): Promise<number> {
  const task = FAMILIES[family].generate({ seed, sizeBytes: size });
  const { leaf } = createSimModels({ seed, errorRate: 0 });
  return FAMILIES[family].score(task, (await runDirect(task, leaf)).answer);
}

describe('accuracy of the simulated RLM (harness) vs direct', () => {
  for (const family of FAMILY_NAMES) {
    it(`${family}: RLM mean score >= 0.8 on 50-200 KB (error rate 0)`, async () => {
      const scores: number[] = [];
      for (const size of [50_000, 200_000]) for (const seed of [1, 2, 3]) scores.push(await rlmScore(family, seed, size, 0));
      expect(mean(scores), scores.join(', ')).toBeGreaterThanOrEqual(0.8);
    });
  }

  it('direct is clearly worse than the RLM on 300 KB inputs for most families', async () => {
    const rows: string[] = [];
    let worse = 0;
    for (const family of FAMILY_NAMES) {
      const rlm: number[] = [];
      const direct: number[] = [];
      for (const seed of [1, 2, 3]) {
        rlm.push(await rlmScore(family, seed, 300_000, 0));
        direct.push(await directScore(family, seed, 300_000));
      }
      rows.push(`${family}: rlm ${mean(rlm).toFixed(2)} direct ${mean(direct).toFixed(2)}`);
      if (mean(direct) <= mean(rlm) - 0.4) worse++;
    }
    expect(worse, rows.join('\n')).toBeGreaterThanOrEqual(5);
  });

  it('degrades gracefully with the default 2% leaf error rate', async () => {
    const scores: number[] = [];
    for (const family of FAMILY_NAMES) for (const seed of [1, 2]) scores.push(await rlmScore(family, seed, 100_000, 0.02));
    expect(mean(scores)).toBeGreaterThanOrEqual(0.8);
  });
});
