/** Profile vectors: TF-IDF views weighted into one sparse vector whose inner product is the weighted mean of view cosines. */
import { describe, expect, it } from 'vitest';
import { profileProgram } from '../../../miner/represent/profile.js';
import { dot } from '../../../miner/represent/sparse.js';
import { TermStatistics, VIEW_WEIGHTS, vectorize } from '../../../miner/represent/vectorize.js';

const mapReduce = (instruction: string) => `const parts = context.split('\\n\\n');
const answers = await llmBatch(parts.map((p) => ({ query: ${JSON.stringify(instruction)}, context: p })));
FINAL(answers.join('\\n'));`;

describe('vectorize', () => {
  const a = profileProgram(mapReduce('Summarize this section in two sentences.'), 'summarize the report');
  const b = profileProgram(mapReduce('Summarize this section, keep every figure.'), 'give me a summary of the report');
  const c = profileProgram(`const n = context.split('\\n').filter((l) => /ERROR/.test(l)).length; FINAL(String(n));`, 'how many errors are logged');
  const stats = TermStatistics.of([a, b, c, a, b, c]);

  it('a program is most similar to itself, then to the same decomposition, then to another', () => {
    const [va, vb, vc] = [a, b, c].map((p) => vectorize(p, stats));
    expect(dot(va, va)).toBeGreaterThan(dot(va, vb));
    expect(dot(va, vb)).toBeGreaterThan(dot(va, vc));
    // the inner product is a weighted mean of cosines: never above 1
    expect(dot(va, va)).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('takes the semantic embedding as one more view when there is one', () => {
    const near = [1, 0.9, 0, 0.1];
    const far = [0, 0.1, 1, 0.9];
    const same = dot(vectorize(a, stats, undefined, VIEW_WEIGHTS, near), vectorize(b, stats, undefined, VIEW_WEIGHTS, near));
    const different = dot(vectorize(a, stats, undefined, VIEW_WEIGHTS, near), vectorize(b, stats, undefined, VIEW_WEIGHTS, far));
    expect(same).toBeGreaterThan(different);
    // without one, the other views keep their relative weights
    expect(dot(vectorize(a, stats), vectorize(b, stats))).toBeGreaterThan(0);
  });

  it('ignores views weighted 0', () => {
    const onlyQuery = Object.fromEntries(Object.keys(VIEW_WEIGHTS).map((k) => [k, k === 'query' ? 1 : 0])) as typeof VIEW_WEIGHTS;
    const v = vectorize(a, stats, undefined, onlyQuery);
    expect(dot(v, v)).toBeCloseTo(1, 9);
  });
});
