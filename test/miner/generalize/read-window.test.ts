/**
 * How far into a call's context the sub-model's answers reach: a window shows when many longer calls
 * never quote past it, and a function whose members mostly sent bigger chunks defaults to a size
 * the members used within it, saying why.
 */
import { describe, expect, it } from 'vitest';
import { reach, readWindow, type ReadCall } from '../../../miner/generalize/read-window.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { cluster, members } from './helpers.js';

/** A context of `files` files (~100 characters each) and an answer naming the defective ones among the first `read` characters. */
function call(files: number, read: number): ReadCall {
  const parts = Array.from({ length: files }, (_, i) => `// File: src/mod-${i}.ts\nexport const v${i} = a == b; // padding padding padding padding\n`);
  const context = parts.join('');
  const seen = parts.map((p, i) => ({ i, at: parts.slice(0, i).join('').length + p.length })).filter((x) => x.at <= read);
  return { context, response: seen.map((x) => `src/mod-${x.i}.ts: loose-equality`).join('\n') };
}

describe('reach and readWindow', () => {
  it('a quote counts where it occurs once; words the text repeats do not', () => {
    expect(reach({ context: 'alpha beta KX-4471 gamma', response: 'KX-4471' })).toBe(18);
    expect(reach({ context: 'billing billing refund', response: 'billing' })).toBeUndefined();
    expect(reach({ context: 'text', response: 'NONE' })).toBeUndefined();
  });

  it('finds the window when many longer calls never quote past it', () => {
    const calls = Array.from({ length: 12 }, () => call(90, 4000));
    const window = readWindow(calls);
    expect(window).toBeGreaterThan(3500);
    expect(window).toBeLessThanOrEqual(4000);
  });

  it('finds none when calls are read to their end, or too few say', () => {
    expect(readWindow(Array.from({ length: 12 }, () => call(40, 1e9)))).toBeUndefined();
    expect(readWindow(Array.from({ length: 3 }, () => call(90, 4000)))).toBeUndefined();
  });
});

describe('a chunk budget past the window', () => {
  const program = (budget: number) => `const files = context.split(/\\n(?=\\/\\/ File: )/);
const chunks = [];
let cur = "";
for (const f of files) {
  if (cur && cur.length + f.length > ${budget}) { chunks.push(cur); cur = ""; }
  cur += f + "\\n";
}
if (cur) chunks.push(cur);
const replies = await llmBatch(chunks.map((c) => ({ query: "List each defect as path: kind.", context: c })));
FINAL(replies.join("\\n"));`;

  it('defaults to the most common size members used within it, and says why', async () => {
    const runs = members([program(10400), program(10400), program(6800), program(10400), program(6800), program(4400)]);
    const r = await generalizeMembers(cluster(), runs, { readWindow: 7700 });
    if (isRejected(r)) throw new Error(r.rejected);
    expect(r.source).toMatch(/\?\? 6800\)/);
    expect(r.doc).toContain('default 6800 (most logged runs used 10400, but no model answer drew on text past about 7700 characters of a call, so more than that is not read)');
    const without = await generalizeMembers(cluster(), runs);
    if (isRejected(without)) throw new Error(without.rejected);
    expect(without.source).toMatch(/\?\? 10400\)/);
  });
});
