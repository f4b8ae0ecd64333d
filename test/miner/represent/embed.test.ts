import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES, NO_VARIATION, generateProgram } from '../../data/corpus/corpus.js';
import { STRUCT_DIM, coarseOps, cosine, embedStructure } from '../../../miner/represent/embed.js';
import { analyzeProgram } from '../../../miner/front/parse.js';
import type { ProgramAnalysis } from '../../../miner/front/types.js';

function analyzed(family: (typeof FAMILY_NAMES)[number], seed: number, vary = {}): ProgramAnalysis {
  const a = analyzeProgram(generateProgram(family, seed, vary));
  if (!a.ok) throw new Error(a.reason);
  return a;
}

describe('structural embedding', () => {
  it('has STRUCT_DIM ≤ 2000 finite components and unit length', () => {
    const a = analyzed('chunk-count', 1);
    expect(STRUCT_DIM).toBeLessThanOrEqual(2000);
    expect(a.embedding).toHaveLength(STRUCT_DIM);
    expect(a.embedding.every(Number.isFinite)).toBe(true);
    expect(Math.hypot(...a.embedding)).toBeCloseTo(1, 9);
  });

  it('is deterministic and identical for programs with the same normalized form', () => {
    const a = analyzed('summarize-combine', 4, { ...NO_VARIATION, names: true, literals: true, loopForms: true });
    const b = analyzed('summarize-combine', 5, { ...NO_VARIATION, names: true, literals: true, loopForms: true });
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(cosine(a.embedding, b.embedding)).toBeCloseTo(1, 9);
    expect(embedStructure(a.tree, a.skeleton)).toEqual(a.embedding);
  });

  it('puts style variants of one family closer than programs of other families', () => {
    const same = [analyzed('needle-search', 1), analyzed('needle-search', 2), analyzed('needle-search', 3)];
    const other = FAMILY_NAMES.filter((f) => f !== 'needle-search').map((f) => analyzed(f, 1));
    const within = Math.min(cosine(same[0].embedding, same[1].embedding), cosine(same[0].embedding, same[2].embedding));
    const across = Math.max(...other.map((o) => cosine(same[0].embedding, o.embedding)));
    expect(within).toBeGreaterThan(across);
  });

  it('coarse skeleton drops code-only reshaping steps', () => {
    expect(coarseOps(['split(sections)', 'count', 'loop(code)', 'map(llm)', 'filter(match)', 'count', 'FINAL'])).toEqual(['split(sections)', 'map(llm)', 'filter(match)', 'count', 'FINAL']);
  });
});
