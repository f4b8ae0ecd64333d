import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, clusterQuality, purity } from '../../../miner/cluster/metrics.js';

describe('Adjusted Rand Index', () => {
  it('is 1 for identical partitions, whatever the label names', () => {
    expect(adjustedRandIndex(['a', 'a', 'b', 'b', 'c'], ['x', 'x', 'y', 'y', 'z'])).toBeCloseTo(1, 12);
  });

  it('matches a worked example', () => {
    // truth {0,1,2},{3,4,5}; predicted {0,1},{2,3},{4,5}: index 2, expected 6*3/15 = 1.2, max 4.5 → (2-1.2)/(4.5-1.2)
    const ari = adjustedRandIndex(['a', 'a', 'a', 'b', 'b', 'b'], ['x', 'x', 'y', 'y', 'z', 'z']);
    expect(ari).toBeCloseTo((2 - 1.2) / (4.5 - 1.2), 12);
  });

  it('is about 0 for a clustering unrelated to the truth, and negative below chance', () => {
    expect(adjustedRandIndex(['a', 'a', 'b', 'b'], ['x', 'y', 'x', 'y'])).toBeLessThan(0);
  });

  it('counts noise (null) as singleton clusters, in the truth and in the prediction', () => {
    // predicting noise for true noise is perfect
    expect(adjustedRandIndex(['a', 'a', null, null], ['x', 'x', null, null])).toBeCloseTo(1, 12);
    // lumping two noise items together is penalized
    expect(adjustedRandIndex(['a', 'a', null, null], ['x', 'x', 'y', 'y'])).toBeLessThan(1);
    // calling a family noise is penalized
    expect(adjustedRandIndex(['a', 'a', 'a', 'b', 'b'], ['x', 'x', null, 'y', 'y'])).toBeLessThan(1);
  });

  it('rejects labelings of different lengths', () => {
    expect(() => adjustedRandIndex(['a'], ['a', 'b'])).toThrow(/differ in length/);
  });
});

describe('purity', () => {
  it('is the share of clustered items that carry their cluster majority label', () => {
    expect(purity(['a', 'a', 'b', 'b'], ['x', 'x', 'x', 'y'])).toBeCloseTo(3 / 4, 12);
  });

  it('ignores items predicted as noise, and never counts true noise as a majority', () => {
    expect(purity(['a', 'a', 'b'], ['x', 'x', null])).toBe(1);
    expect(purity(['a', null, null], ['x', 'x', 'x'])).toBeCloseTo(1 / 3, 12);
    expect(purity(['a'], [null])).toBe(1);
  });

  it('is reported with ARI, cluster count and noise recall', () => {
    const q = clusterQuality(['a', 'a', null, null], ['x', 'x', null, 'y']);
    expect(q).toMatchObject({ clusters: 2, predictedNoise: 1, noiseRecall: 0.5 });
  });
});
