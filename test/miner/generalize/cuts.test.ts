/**
 * How a member cuts its input, as data (cuts.ts): the common cutting idioms are recognized, the
 * rewritten program makes the same pieces as the member's own code, and members that cut in
 * different ways then differ only in literals (one structural sub-group).
 */
import { describe, expect, it } from 'vitest';
import { sliceProgram } from '../../../miner/front/program.js';
import { printStatements } from '../../../miner/front/print.js';
import { cutVariantsDiffer, findCuts, rewriteCuts } from '../../../miner/generalize/cuts.js';
import { chooseTemplate } from '../../../miner/generalize/subgroup.js';
import type { NNode } from '../../../miner/front/tree.js';

const tree = (code: string) => {
  const s = sliceProgram('r', [{ stepIdx: 0, blockIdx: 0, code, status: 'final' }]);
  if (!s.ok) throw new Error(s.reason);
  return s.program.tree;
};

const ASK = 'const rs = await Promise.all(pieces.map((c) => llm("Find the code.", c)));\nFINAL(rs.join("\\n"));';

const LOOP = `const CHUNK = 5200;\nconst pieces = [];\nfor (let i = 0; i < context.length; i += CHUNK) {\n  pieces.push(context.slice(i, i + CHUNK));\n}\n${ASK}`;
const OVERLAP = `let size = 6000;\nlet pieces = [];\nfor (let i = 0; i < context.length; i += size - 300) pieces.push(context.slice(i, i + size));\n${ASK}`;
const FROM = `const chunkSize = 6000;\nconst pieces = Array.from({ length: Math.ceil(context.length / chunkSize) }, (_, i) => context.slice(i * chunkSize, (i + 1) * chunkSize));\n${ASK}`;
const LINES = `function groupLines(text, maxChars) {
  const out = [];
  let cur = [];
  let size = 0;
  for (const line of text.split('\\n')) {
    if (size + line.length + 1 > maxChars && cur.length > 0) {
      out.push(cur.join('\\n'));
      cur = [];
      size = 0;
    }
    cur.push(line);
    size += line.length + 1;
  }
  if (cur.length > 0) out.push(cur.join('\\n'));
  return out;
}
const pieces = groupLines(context, 6000);
${ASK}`;

/** Runs a program's statements up to (not including) the model calls and returns `pieces`. */
function piecesOf(t: NNode, context: string): string[] {
  const upTo = t.c.findIndex((s) => printStatements([s]).includes('llm('));
  const body = `${printStatements(t.c.slice(0, upTo))}\nreturn pieces;`;
  return new Function('context', body)(context) as string[];
}

const sample = Array.from({ length: 900 }, (_, i) => `Line ${i}: ${'word '.repeat(i % 23)}end.`).join('\n');

describe('cutting idioms', () => {
  it('recognizes character loops (with and without overlap), Array.from chunks and a line-grouping helper', () => {
    expect(findCuts(tree(LOOP)).map((c) => c.idiom)).toEqual(['loop']);
    expect(findCuts(tree(OVERLAP)).map((c) => c.idiom)).toEqual(['loop-overlap']);
    expect(findCuts(tree(FROM)).map((c) => c.idiom)).toEqual(['array-from']);
    expect(findCuts(tree(LINES)).map((c) => c.idiom)).toEqual(['lines']);
  });

  it('the rewritten program makes exactly the pieces the member made', () => {
    for (const code of [LOOP, OVERLAP, FROM, LINES]) {
      const before = tree(code);
      const after = rewriteCuts(before);
      expect(printStatements(after.c)).toMatch(/\b(chunk|chunkText|cutText)\(context, /);
      for (const input of [sample, '', 'short']) expect(piecesOf(after, input)).toEqual(piecesOf(before, input));
    }
  });

  it('leaves a size that is read elsewhere alone', () => {
    const code = `const CHUNK = 5200;\nconst pieces = [];\nfor (let i = 0; i < context.length; i += CHUNK) pieces.push(context.slice(i, i + CHUNK));\nconst rs = await Promise.all(pieces.map((c) => llm("Find the code in " + CHUNK + " chars.", c)));\nFINAL(rs.join("\\n"));`;
    expect(findCuts(tree(code))).toEqual([]);
  });

  it('members that cut in different ways fall into one sub-group after the rewrite; alike members are left as written', () => {
    const trees = [LINES, LOOP, FROM, OVERLAP].map(tree);
    expect(cutVariantsDiffer(trees)).toBe(true);
    expect(chooseTemplate(trees, 0).group).toEqual([0]);
    expect(chooseTemplate(trees.map(rewriteCuts), 0).group).toEqual([0, 1, 2, 3]);
    expect(cutVariantsDiffer([tree(LOOP), tree(LOOP.replace('5200', '6000'))])).toBe(false);
  });
});
