import { describe, expect, it } from 'vitest';
import type { ClassifyExpected } from '../../src/sim/families/classify-count.js';
import type { CodeReviewExpected } from '../../src/sim/families/code-review.js';
import type { QaExpected } from '../../src/sim/families/multi-doc-qa.js';
import type { NeedleExpected } from '../../src/sim/families/needle.js';
import type { PairwiseExpected } from '../../src/sim/families/pairwise.js';
import type { SummaryExpected } from '../../src/sim/families/summary.js';
import type { FamilyName, Task } from '../../src/sim/types.js';
import { FAMILY_NAMES } from '../../src/sim/types.js';
import { buildWorkload, FAMILIES, scoreTask } from '../../src/sim/workloads.js';

/** The first task of a family (over seeds) that satisfies a predicate. */
function findTask(family: FamilyName, size: number, accept: (t: Task) => boolean): Task {
  for (let seed = 1; seed < 500; seed++) {
    const t = FAMILIES[family].generate({ seed, sizeBytes: size });
    if (accept(t)) return t;
  }
  throw new Error(`no ${family} task found`);
}

describe('workload families: generation', () => {
  for (const name of FAMILY_NAMES) {
    it(`${name}: same seed gives the same task, another seed another`, () => {
      const a = FAMILIES[name].generate({ seed: 11, sizeBytes: 40_000 });
      const b = FAMILIES[name].generate({ seed: 11, sizeBytes: 40_000 });
      const c = FAMILIES[name].generate({ seed: 12, sizeBytes: 40_000 });
      expect(b).toEqual(a);
      expect(c.context).not.toBe(a.context);
      expect(a.family).toBe(name);
      expect(a.id).toContain(name);
      expect(a.query.length).toBeGreaterThan(10);
    });

    it(`${name}: sizes from 10 KB to 10 MB, ASCII, within 10%`, () => {
      for (const size of [10_000, 200_000, 10_000_000]) {
        const t = FAMILIES[name].generate({ seed: 3, sizeBytes: size });
        expect(t.context.length).toBeGreaterThan(size * 0.9);
        expect(t.context.length).toBeLessThan(size * 1.1);
        expect(Buffer.byteLength(t.context.slice(0, 100_000))).toBe(Math.min(100_000, t.context.length));
      }
    });

    it(`${name}: query wording varies with the seed`, () => {
      const queries = new Set(Array.from({ length: 30 }, (_, i) => FAMILIES[name].generate({ seed: i, sizeBytes: 10_000 }).query.replace(/[A-Z][a-z]+(?: [A-Z][a-z]+)*/g, 'X')));
      expect(queries.size).toBeGreaterThanOrEqual(2);
    });
  }

  it('buildWorkload mixes all families deterministically', () => {
    const w1 = buildWorkload({ seed: 5, perFamily: 2, sizes: [10_000, 20_000] });
    const w2 = buildWorkload({ seed: 5, perFamily: 2, sizes: [10_000, 20_000] });
    expect(w1.map((t) => t.id)).toEqual(w2.map((t) => t.id));
    expect(w1).toHaveLength(6 * 2 * 2);
    expect(new Set(w1.map((t) => t.family)).size).toBe(6);
    expect(new Set(w1.map((t) => t.id)).size).toBe(w1.length);
    // Shuffled: not grouped by family.
    expect(w1.slice(0, 4).every((t) => t.family === w1[0].family)).toBe(false);
    const only = buildWorkload({ seed: 5, perFamily: 3, sizes: [10_000], families: ['needle'] });
    expect(only.map((t) => t.family)).toEqual(['needle', 'needle', 'needle']);
  });
});

describe('workload families: scorers', () => {
  it('needle: exact codes, partial for two asked, penalty for guessing others', () => {
    const task: Task = {
      id: 't',
      family: 'needle',
      query: 'What are the secret codes for project Xylo and project Brim?',
      context: '',
      expected: { asked: [{ project: 'Xylo', code: '4829-KQ' }, { project: 'Brim', code: 'amber-1234' }], distractorCodes: ['9999-ZZ'] } satisfies NeedleExpected,
    };
    expect(scoreTask(task, 'Xylo: 4829-KQ\nBrim: amber-1234')).toBe(1);
    expect(scoreTask(task, '4829-kq, AMBER-1234.')).toBe(1);
    expect(scoreTask(task, '4829-KQ')).toBe(0.5);
    expect(scoreTask(task, '4829-KQ amber-1234 9999-ZZ')).toBe(0.5);
    expect(scoreTask(task, 'NOT FOUND')).toBe(0);
    expect(scoreTask(task, '4829-KQX')).toBe(0);
    const real = FAMILIES.needle.generate({ seed: 2, sizeBytes: 20_000 });
    const e = real.expected as NeedleExpected;
    expect(scoreTask(real, e.asked.map((a) => a.code).join('\n'))).toBe(1);
    expect(real.context).toContain(e.asked[0].code);
  });

  it('classify-count: counts scored per label, top label exact', () => {
    const counts = findTask('classify-count', 30_000, (t) => (t.expected as ClassifyExpected).mode === 'counts');
    const e = counts.expected as ClassifyExpected;
    expect(Object.values(e.counts).reduce((a, b) => a + b, 0)).toBe(counts.context.split('\n').length - 1);
    expect(scoreTask(counts, JSON.stringify(e.counts))).toBe(1);
    expect(scoreTask(counts, Object.entries(e.counts).map(([k, v]) => `${k}: ${v}`).join('\n'))).toBe(1);
    const half = Object.fromEntries(Object.entries(e.counts).map(([k, v]) => [k, Math.round(v / 2)]));
    const s = scoreTask(counts, JSON.stringify(half));
    expect(s).toBeGreaterThan(0.4);
    expect(s).toBeLessThan(0.6);
    expect(scoreTask(counts, 'I do not know')).toBe(0);
    expect(scoreTask(counts, JSON.stringify({ refund: 100000 }))).toBe(0);

    const top = findTask('classify-count', 30_000, (t) => (t.expected as ClassifyExpected).mode === 'top');
    const te = top.expected as ClassifyExpected;
    expect(scoreTask(top, te.top)).toBe(1);
    expect(scoreTask(top, `The most frequent is ${te.top}.`)).toBe(1);
    expect(scoreTask(top, te.top === 'refund' ? 'billing' : 'refund')).toBe(0);
  });

  it('pairwise: F1 over unordered pairs, lines or JSON', () => {
    const t = findTask('pairwise', 60_000, (x) => (x.expected as PairwiseExpected).pairs.length >= 6);
    const pairs = (t.expected as PairwiseExpected).pairs;
    expect(scoreTask(t, pairs.join('\n'))).toBe(1);
    const flipped = pairs.map((p) => p.split(' - ').reverse().join(' - '));
    expect(scoreTask(t, flipped.join('\n'))).toBe(1);
    expect(scoreTask(t, JSON.stringify(pairs.map((p) => p.split(' - '))))).toBe(1);
    expect(scoreTask(t, JSON.stringify(pairs))).toBe(1);
    const half = scoreTask(t, pairs.slice(0, Math.floor(pairs.length / 2)).join('\n'));
    expect(half).toBeGreaterThan(0.5);
    expect(half).toBeLessThan(0.8);
    expect(scoreTask(t, 'No pairs found.')).toBe(0);
    expect(scoreTask(t, 'Nobody Here - Someone Else')).toBe(0);
  });

  it('multi-doc-qa: normalized exact or short containing answer', () => {
    const t = FAMILIES['multi-doc-qa'].generate({ seed: 4, sizeBytes: 50_000 });
    const e = t.expected as QaExpected;
    expect(scoreTask(t, e.answer)).toBe(1);
    expect(scoreTask(t, `  ${e.answer.toUpperCase()}. `)).toBe(1);
    expect(scoreTask(t, `The answer is ${e.answer}.`)).toBe(1);
    expect(scoreTask(t, 'NONE')).toBe(0);
    expect(scoreTask(t, `${e.answer} ${'and a very long rambling answer '.repeat(10)}`)).toBe(0);
    expect(e.evidence.length).toBeGreaterThanOrEqual(1);
    for (const doc of e.evidence) expect(t.context).toContain(`### Document ${doc}:`);
  });

  it('summary: coverage of the key figures', () => {
    const t = FAMILIES.summary.generate({ seed: 6, sizeBytes: 80_000 });
    const e = t.expected as SummaryExpected;
    expect(e.tokens.length).toBeGreaterThanOrEqual(5);
    for (const f of e.facts) expect(t.context).toContain(f);
    expect(scoreTask(t, e.facts.join(' '))).toBe(1);
    expect(scoreTask(t, e.tokens.map((x) => x.replace(',', '')).join(', '))).toBe(1);
    const half = Math.floor(e.tokens.length / 2);
    expect(scoreTask(t, e.facts.slice(0, half).join(' '))).toBeCloseTo(half / e.tokens.length, 5);
    expect(scoreTask(t, 'The report discusses operations.')).toBe(0);
  });

  it('code-review: F1 over file: kind findings', () => {
    const t = FAMILIES['code-review'].generate({ seed: 8, sizeBytes: 40_000 });
    const e = t.expected as CodeReviewExpected;
    expect(e.findings.length).toBeGreaterThan(4);
    expect(scoreTask(t, e.findings.join('\n'))).toBe(1);
    expect(scoreTask(t, e.findings.map((f) => `- ${f.replace(': ', ' - ')}`).join('\n'))).toBe(1);
    const half = scoreTask(t, e.findings.slice(0, Math.ceil(e.findings.length / 2)).join('\n'));
    expect(half).toBeGreaterThan(0.5);
    expect(half).toBeLessThan(0.8);
    const wrongKinds = e.findings.map((f) => f.replace(/: .*/, ': empty-catch')).filter((f) => !e.findings.includes(f));
    expect(scoreTask(t, wrongKinds.join('\n'))).toBeLessThan(0.3);
    expect(scoreTask(t, 'NONE')).toBe(0);
  });
});
