/** Description-length gain: tokens of the members before, against the calls plus the function after. */
import { describe, expect, it } from 'vitest';
import { callText, countTokens, descriptionLengthGain, withoutDoc } from '../../../miner/generalize/gain.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { cluster, members } from './helpers.js';

const SOURCE = `/**
 * A long doc comment that is not counted, however many words it has: one two three four five six.
 */
export async function f(context: string, n: number): Promise<string> {
  return String(context.length + n);
}
`;

describe('the tokenizer and the call text', () => {
  it('counts words, up to three digits, and punctuation; long words by four characters', () => {
    // f ( context[7 chars: 2] , 520 0 )
    expect(countTokens('f(context, 5200)')).toBe(8);
    expect(countTokens('')).toBe(0);
    expect(countTokens('summarizeSectionsWithLlm')).toBe(6);
  });

  it('a call is the name, context and the argument literals', () => {
    expect(callText('f', [5200, 'Sum it.', { k: 1 }])).toBe('f(context, 5200, "Sum it.", {"k":1})');
    expect(callText('f', [])).toBe('f(context)');
  });

  it('withoutDoc drops only the leading doc comment', () => {
    expect(withoutDoc(SOURCE)).toMatch(/^export async function f/);
    expect(withoutDoc('export function g() {}')).toBe('export function g() {}');
  });
});

describe('descriptionLengthGain', () => {
  const member = (n: number) => ({ code: `const chunks = context.match(/[\\s\\S]{1,${n}}/g) ?? [];\nconst rs = await llmBatch(chunks.map((c) => ({ query: "Summarize the text.", context: c })));\nFINAL(rs.join("\\n"));`, args: [n] });

  it('is the members\' tokens minus the calls\' tokens and the function once (its doc not counted)', () => {
    const ms = [member(4000), member(5000), member(6000)];
    const r = descriptionLengthGain('f', SOURCE, ms);
    const before = ms.reduce((s, m) => s + countTokens(m.code), 0);
    const calls = ms.reduce((s, m) => s + countTokens(callText('f', m.args)), 0);
    const fn = countTokens(withoutDoc(SOURCE));
    expect(r).toEqual({ before, after: calls + fn, functionTokens: fn, callTokens: calls, gain: before - calls - fn, members: 3 });
    expect(fn).toBeLessThan(countTokens(SOURCE));
  });

  it('grows with every member rewritten, and is negative for one short member', () => {
    const one = descriptionLengthGain('f', SOURCE, [member(4000)]);
    const three = descriptionLengthGain('f', SOURCE, [member(4000), member(5000), member(6000)]);
    const six = descriptionLengthGain('f', SOURCE, [4, 5, 6, 7, 8, 9].map((k) => member(k * 1000)));
    expect(three.gain).toBeGreaterThan(one.gain);
    expect(six.gain - three.gain).toBe(three.gain - one.gain + (three.gain - one.gain) / 2);
    const tiny = descriptionLengthGain('f', SOURCE, [{ code: 'FINAL(context.length)', args: [1] }]);
    expect(tiny.gain).toBeLessThan(0);
  });
});

describe('only positive gain is eligible', () => {
  it('rejects a cluster of programs too small to be worth a function', async () => {
    const runs = members(['FINAL(context.length + 1);', 'FINAL(context.length + 2);', 'FINAL(context.length + 3);']);
    const r = await generalizeMembers(cluster({ skeleton: 'FINAL' }), runs);
    expect(isRejected(r)).toBe(true);
    if (isRejected(r)) expect(r.rejected).toMatch(/^no description-length gain: \d+ tokens of 3 members against \d+ \(calls \d+ \+ function \d+\)$/);
  });

  it('accepts the same decomposition once it is big enough, with the gain of all members', async () => {
    const runs = members([4000, 5000, 6000].map(bigProgram));
    const r = await generalizeMembers(cluster(), runs);
    if (isRejected(r)) throw new Error(r.rejected);
    expect(r.gain.members).toBe(3);
    expect(r.gain.gain).toBeGreaterThan(0);
    expect(r.gain.gain).toBe(r.gain.before - r.gain.after);
  });
});

function bigProgram(n: number): string {
  return `const chunks = [];\nfor (let i = 0; i < context.length; i += ${n}) chunks.push(context.slice(i, i + ${n}));\nconst rs = await llmBatch(chunks.map((c) => ({ query: "Summarize the text in three sentences, keeping every number.", context: c })));\nconst parts = rs.map((r) => r.trim()).filter((r) => r && !/^none$/i.test(r));\nFINAL(parts.join("\\n"));`;
}
