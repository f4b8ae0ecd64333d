import { describe, expect, it } from 'vitest';
import { createRng, hashString, Rng, seedOf, unitOf } from '../../src/sim/rng.js';
import { countMessageTokens, countTokens } from '../../src/sim/tokens.js';
import { FAMILIES } from '../../src/sim/workloads.js';

describe('rng', () => {
  it('is reproducible and seed-dependent', () => {
    const a = createRng(42, 'x');
    const b = createRng(42, 'x');
    const c = createRng(43, 'x');
    const sa = Array.from({ length: 20 }, () => a.next());
    expect(Array.from({ length: 20 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 20 }, () => c.next())).not.toEqual(sa);
  });

  it('gives uniform-looking values and in-range integers', () => {
    const r = new Rng(7);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const v = r.next();
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(1);
      sum += v;
    }
    expect(sum / 10_000).toBeGreaterThan(0.48);
    expect(sum / 10_000).toBeLessThan(0.52);
    const ints = new Set(Array.from({ length: 500 }, () => r.int(3, 6)));
    expect([...ints].sort()).toEqual([3, 4, 5, 6]);
    expect(r.sample([1, 2, 3, 4, 5], 3)).toHaveLength(3);
    expect(new Set(r.shuffle([1, 2, 3, 4, 5]))).toEqual(new Set([1, 2, 3, 4, 5]));
  });

  it('hashes strings stably', () => {
    expect(hashString('abc')).toBe(hashString('abc'));
    expect(hashString('abc')).not.toBe(hashString('abd'));
    expect(seedOf(1, 'a')).not.toBe(seedOf('1a'));
    const u = unitOf('x', 1);
    expect(u).toBeGreaterThanOrEqual(0);
    expect(u).toBeLessThan(1);
  });
});

describe('tokens', () => {
  it('counts about 4 characters per token on English prose', () => {
    const text = FAMILIES.needle.generate({ seed: 1, sizeBytes: 50_000 }).context;
    const ratio = text.length / countTokens(text);
    expect(ratio).toBeGreaterThan(3.5);
    expect(ratio).toBeLessThan(5);
  });

  it('counts words, numbers, punctuation and newlines like a tokenizer would', () => {
    expect(countTokens('')).toBe(0);
    expect(countTokens('hello')).toBe(1);
    expect(countTokens('hello world')).toBe(2);
    expect(countTokens('internationalization')).toBe(4);
    expect(countTokens('1234567')).toBe(3);
    expect(countTokens('a, b.')).toBe(4);
    expect(countTokens('a\n\n\nb')).toBe(3);
    expect(countMessageTokens([{ role: 'user', content: 'hello world' }])).toBe(3 + 4 + 2);
  });
});
