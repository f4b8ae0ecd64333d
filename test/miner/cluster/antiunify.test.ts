import { describe, expect, it } from 'vitest';
import { antiUnificationCost, antiUnify } from '../../../miner/cluster/antiunify.js';
import { lowerCode, normalizeStatements } from '../../../miner/front/normalize.js';
import type { NNode } from '../../../miner/front/tree.js';

function tree(code: string): NNode {
  return normalizeStatements(lowerCode(code)).tree;
}

describe('anti-unification', () => {
  it('costs 0 for programs equal up to names and literals', () => {
    const a = tree('const xs = context.split("\\n"); FINAL(xs.filter((x) => /a/.test(x)).length);');
    const b = tree('const lines = context.split("\\n\\n"); FINAL(lines.filter((l) => /b+/.test(l)).length);');
    expect(antiUnificationCost(a, b)).toBe(0);
  });

  it('a wrapper costs little; a different decomposition costs a lot', () => {
    const a = tree('FINAL(context.split("\\n").filter((x) => /a/.test(x)).length);');
    const wrapped = tree('FINAL(String(context.split("\\n").filter((x) => /a/.test(x)).length));');
    const other = tree('const d = JSON.parse(context); FINAL(Object.keys(d).sort().join(","));');
    expect(antiUnificationCost(a, wrapped)).toBeLessThan(0.15);
    expect(antiUnificationCost(a, other)).toBeGreaterThan(0.4);
  });

  it('is symmetric and in [0, 1]', () => {
    const a = tree('const r = await llm("q", context); FINAL(r);');
    const b = tree('const parts = context.split("\\n"); const r = await llm("q", parts.join(" ")); print(r); FINAL(r.trim());');
    const ab = antiUnificationCost(a, b);
    expect(ab).toBeCloseTo(antiUnificationCost(b, a), 12);
    expect(ab).toBeGreaterThanOrEqual(0);
    expect(ab).toBeLessThanOrEqual(1);
  });

  it('builds the common generalization with holes where programs differ', () => {
    const a = tree('FINAL(llm("q", context.slice(0, 100)));');
    const b = tree('FINAL(llm("q", context.split("\\n")));');
    const au = antiUnify(a, b);
    expect(au.holes).toBeGreaterThan(0);
    expect(au.matched).toBeGreaterThan(3);
    expect(JSON.stringify(au.tree)).toContain('"k":"?"');
  });
});
