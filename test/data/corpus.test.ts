import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES, NOISE_LABEL, generateCorpus, generateProgram } from './corpus/corpus.js';
import { analyzeProgram } from '../../miner/front/parse.js';

describe('labelled corpus generator', () => {
  it('is seeded and deterministic', () => {
    expect(generateCorpus({ seed: 5, perFamily: 3, noise: 4 })).toEqual(generateCorpus({ seed: 5, perFamily: 3, noise: 4 }));
    expect(generateCorpus({ seed: 5, perFamily: 3, noise: 4 })).not.toEqual(generateCorpus({ seed: 6, perFamily: 3, noise: 4 }));
  });

  it('labels every program with its family or noise, and every program parses', () => {
    const corpus = generateCorpus({ seed: 8, perFamily: 10, noise: 20 });
    expect(corpus).toHaveLength(FAMILY_NAMES.length * 10 + 20);
    const labels = new Map<string, number>();
    for (const p of corpus) labels.set(p.label, (labels.get(p.label) ?? 0) + 1);
    for (const f of FAMILY_NAMES) expect(labels.get(f)).toBe(10);
    expect(labels.get(NOISE_LABEL)).toBe(20);
    for (const p of corpus) expect(analyzeProgram(p)).toMatchObject({ ok: true, runId: p.runId });
    expect(new Set(corpus.map((p) => p.runId)).size).toBe(corpus.length);
  });

  it('varies the surface heavily: names, blocks, failed blocks, type annotations', () => {
    const programs = Array.from({ length: 40 }, (_, i) => generateProgram('chunk-count', 100 + i));
    const codes = programs.map((p) => p.blocks.map((b) => b.code).join('\n'));
    expect(new Set(codes).size).toBe(40);
    expect(programs.some((p) => p.blocks.length > 1)).toBe(true);
    expect(programs.some((p) => p.blocks.some((b) => b.status === 'error'))).toBe(true);
    expect(codes.some((c) => /: string\[\]/.test(c))).toBe(true);
    expect(codes.some((c) => c.includes('llmBatch'))).toBe(true);
    expect(codes.some((c) => c.includes('Promise.all'))).toBe(true);
  });
});
