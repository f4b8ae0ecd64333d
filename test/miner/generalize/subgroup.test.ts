/** The template comes from the structural sub-group that covers the most members. */
import { describe, expect, it } from 'vitest';
import { sliceProgram } from '../../../miner/front/program.js';
import { answerFormat, chooseTemplate, evidenceGroup } from '../../../miner/generalize/subgroup.js';

const tree = (code: string) => {
  const s = sliceProgram('r', [{ stepIdx: 0, blockIdx: 0, code, status: 'final' }]);
  if (!s.ok) throw new Error(s.reason);
  return s.program.tree;
};

const plain = (q: string) => `const parts = context.split("\\n");\nconst rs = await llmBatch(parts.map((p) => ({ query: ${JSON.stringify(q)}, context: p })));\nFINAL(rs.join("\\n"));`;
const extra = `const parts = context.split("\\n").filter((p) => p.trim());\nconst rs = await llmBatch(parts.map((p) => ({ query: "Tag it.", context: p })));\nFINAL(rs.join("\\n"));`;

describe('choosing the template', () => {
  it('takes the largest group of members that are instances of each other, not a medoid that differs from them', () => {
    const programs = [tree(extra), tree(plain('Label it.')), tree(plain('Name it.')), tree(plain('Tag it.'))];
    const choice = chooseTemplate(programs, 0);
    expect(choice.group).toEqual([1, 2, 3]);
    expect(choice.index).not.toBe(0);
  });

  it('keeps the medoid when it is in the largest group', () => {
    const programs = [tree(extra), tree(plain('Label it.')), tree(plain('Name it.'))];
    expect(chooseTemplate(programs, 2)).toEqual({ index: 2, group: [1, 2] });
  });

  it('with one program, it is the template', () => {
    expect(chooseTemplate([tree(extra)], undefined)).toEqual({ index: 0, group: [0] });
  });
});

describe('the sub-group a function stands for', () => {
  const guarded = `const parts = context.split("\\n");\nconst rs = await llmBatch(parts.map((p) => ({ query: "Tag it.", context: p })));\nif (rs.length) { FINAL(rs.join("\\n")); }`;
  const counts = `const parts = context.split("\\n");\nconst rs = await llmBatch(parts.map((p) => ({ query: "Tag it.", context: p })));\nFINAL(JSON.stringify({ n: rs.length }));`;

  it('reads how an answer is written', () => {
    expect(answerFormat('{"a": 1}')).toBe('json-object');
    expect(answerFormat('[1, 2]')).toBe('json-array');
    expect(answerFormat(' 42 ')).toBe('number');
    expect(answerFormat('refund')).toBe('short');
    expect(answerFormat('a\nb')).toBe('text');
    expect(answerFormat('[not json')).toBe('short');
  });

  it('holds members written mostly alike that answer in the same format, and says why the others are not in it', () => {
    const members = [
      { tree: tree(plain('Label it.')), answer: 'x\ny' },
      { tree: tree(plain('Name it.')), answer: 'z\nw' },
      { tree: tree(guarded), answer: 'u\nv' },
      { tree: tree(counts), answer: '{"n": 2}' },
    ];
    const choice = chooseTemplate(members.map((m) => m.tree), 0);
    expect(choice.group).toEqual([0, 1]);
    const { group, other } = evidenceGroup(members, choice);
    expect(group).toEqual([0, 1, 2]);
    expect(other.map((o) => o.index)).toEqual([3]);
    expect(other[0].why).toMatch(/^answers in another format \(a JSON object where the template answers longer text\); written differently: \d+ nodes/);
  });
});
