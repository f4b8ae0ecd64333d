/** A repaired block's numbered names (`docs2`) read as their base names in the function. */
import { describe, expect, it } from 'vitest';
import { printStatements } from '../../../miner/front/print.js';
import { withoutRepairNumbers } from '../../../miner/generalize/repair-names.js';
import { cluster, members, programTree } from './helpers.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { withoutDoc } from '../../../miner/generalize/gain.js';

const tree = programTree;

describe('withoutRepairNumbers', () => {
  it('renames a numbered name to its free base name, keys and other names untouched', () => {
    const { tree: out, renamed } = withoutRepairNumbers(tree('const docs2 = context.split("\\n\\n");\nconst o = { docs2: docs2.length, sha256: 1 };\nconst h2 = 1;\nFINAL(JSON.stringify(o) + h2);'));
    expect([...renamed]).toEqual([['docs2', 'docs']]);
    const code = printStatements(out.c);
    expect(code).toContain('let docs = context.split("\\n\\n");');
    expect(code).toContain('docs2: docs.length');
    expect(code).toContain('h2'); // a base shorter than three characters is a name of its own
  });

  it('never takes a keyword, a global or a name of the shared machinery, nor breaks a series', () => {
    const code = 'const JSON2 = context.split("\\n");\nconst new2 = JSON2.length;\nconst plainModel2 = 1;\nconst step1 = 1;\nconst step2 = step1 + new2 + plainModel2;\nFINAL(String(step2));';
    expect(withoutRepairNumbers(tree(code)).renamed.size).toBe(0);
  });

  it('keeps the number when the base is taken or two numbered names share it', () => {
    expect(withoutRepairNumbers(tree('const docs = 1;\nconst docs2 = docs + 1;\nFINAL(docs2);')).renamed.size).toBe(0);
    expect(withoutRepairNumbers(tree('const part2 = 1;\nconst part3 = part2 + 1;\nFINAL(part3);')).renamed.size).toBe(0);
  });

  it('gives the generated function the base names', async () => {
    const program = (size: number) =>
      `const docs2 = context.split("\\n\\n");\nconst answers2 = await llmBatch(docs2.map((d) => ({ query: "Summarize this paragraph in ${size} words.", context: d })));\nconst resultText2 = answers2.join("\\n");\nFINAL_VAR("resultText2");`;
    const runs = members([program(10), program(20), program(10)]);
    const c = await generalizeMembers(cluster({ support: 3, size: 3 }), runs);
    if (isRejected(c)) throw new Error(c.rejected);
    const code = withoutDoc(c.source);
    expect(code).not.toMatch(/\b(docs2|answers2|resultText2)\b/);
    expect(code).toContain('let resultText = answers.join("\\n");');
  });
});
