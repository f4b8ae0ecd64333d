/** The whole loop on a small workload: runs, mine, propose, merge (test only), rerun with the library. */
import { describe, expect, it } from 'vitest';
import { listedNames } from '../../src/contracts/listing.js';
import { benchAccumulation, renderAccumulation } from '../../src/eval/accumulation.js';
import { buildSystemPrompt } from '../../src/runtime/prompts.js';
import { useSimModels } from '../helpers/sim.js';

useSimModels();

describe('the accumulation loop', () => {
  it('promotes what phase 1 repeated, and phase 2 calls it with fewer root tokens and no loss of accuracy', async () => {
    const r = await benchAccumulation({ seed: 3, perFamily: 4, sizes: [20_000], families: ['code-review', 'summary'], concurrency: 2 });
    expect(r.mining.proposed.length).toBeGreaterThanOrEqual(1);
    expect(r.mining.merged).toEqual(r.mining.proposed);
    expect(r.phase1.libraryCallShare).toBe(0);
    expect(r.phase2.libraryCallShare).toBeGreaterThanOrEqual(0.5);
    expect(r.phase2.accuracy).toBeGreaterThanOrEqual(r.phase1.accuracy - 0.05);
    expect(r.phase2.rootOutputTokens).toBeLessThan(r.phase1.rootOutputTokens);
    for (const f of ['code-review', 'summary']) expect(r.perFamily[f].phase2.runs).toBe(4);
    // the control: the same held-out tasks without the library
    expect(r.control?.runs).toBe(r.phase2.runs);
    expect(r.control?.libraryCallShare).toBe(0);
    expect(r.phase2.accuracy).toBeGreaterThanOrEqual((r.control?.accuracy ?? 1) - 0.05);
    expect(r.phase2.rootOutputTokens).toBeLessThan(r.control?.rootOutputTokens ?? 0);
    expect(renderAccumulation(r)).toContain('the same held-out tasks, without → with the library');
    // the listing phase 2's runs received: what each function expects and returns, readable names, no any
    expect(r.library.length).toBe(r.mining.merged.length);
    const section = buildSystemPrompt(r.library);
    expect(listedNames(section).sort()).toEqual(r.library.map((f) => f.name).sort());
    for (const f of r.library) {
      expect(f.name).not.toMatch(/\d/);
      expect(f.signature).not.toMatch(/\bany\b|\w\d\b/);
      expect(f.doc).toMatch(/^Input: `context` is /m);
      expect(f.doc).toMatch(/^Returns /m);
      expect(f.doc).toMatch(/^Model calls: /m);
    }
  }, 540_000);
});
