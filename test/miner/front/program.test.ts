/** The one front end (miner/front/program.ts): hoisting, lowering a run, slicing it, and the executable slice generalize uses. */
import { describe, expect, it } from 'vitest';
import { lowerCode } from '../../../miner/front/normalize.js';
import { analyzeProgram } from '../../../miner/front/parse.js';
import { printStatements } from '../../../miner/front/print.js';
import { hoistFunctionDeclarations, lowerRun, sliceBlocks, sliceProgram } from '../../../miner/front/program.js';
import type { BlockInput } from '../../../miner/front/types.js';

const block = (code: string, status = 'ok', stepIdx = 0): BlockInput => ({ stepIdx, blockIdx: 0, code, status });

function hoisted(code: string): string {
  return printStatements(hoistFunctionDeclarations(lowerCode(code)));
}

function executable(...codes: string[]): string {
  const r = sliceProgram('r', codes.map((c, i) => block(c, 'ok', i)));
  if (!r.ok) throw new Error(r.reason);
  return r.program.code;
}

describe('hoisting function declarations', () => {
  it('moves functions referenced before their declaration to the front, and leaves the others where they were written', () => {
    const out = hoisted(`
      const a = helper(context);
      function helper(x) { return x; }
      const b = a + 1;
      function later(y) { return y; }
      FINAL(later(b));`).split('\n');
    expect(out[0]).toMatch(/^let helper = /);
    expect(out.findIndex((l) => l.startsWith('let later'))).toBeGreaterThan(out.findIndex((l) => l.startsWith('let b')));
  });

  it('also moves what a hoisted function calls (it runs as early as its caller)', () => {
    const out = hoisted(`
      const r = outer(context);
      function inner(x) { return x.trim(); }
      function outer(x) { return inner(x); }
      FINAL(r);`).split('\n');
    const at = (p: string): number => out.findIndex((l) => l.startsWith(p));
    expect(at('let inner')).toBeLessThan(at('let r'));
    expect(at('let outer')).toBeLessThan(at('let r'));
    // In the order written.
    expect(at('let inner')).toBeLessThan(at('let outer'));
  });

  it('spells a function declaration and a const arrow alike when both come before their use', () => {
    const a = analyzeProgram({ runId: 'a', blocks: [block('const t = "q";\nfunction f(x) { return llm(t, x); }\nFINAL(await f(context));')] });
    const b = analyzeProgram({ runId: 'b', blocks: [block('const t = "q";\nconst f = (x) => llm(t, x);\nFINAL(await f(context));')] });
    expect(a.ok && b.ok && a.fingerprint === b.fingerprint).toBe(true);
  });
});

describe('lowering a run', () => {
  it('drops failed blocks that do not parse and counts them; refuses blocks that ran and do not parse', () => {
    const ok = lowerRun({ runId: 'r', blocks: [block('const x = ;', 'error', 0), block('FINAL(context.length);', 'ok', 1)] });
    expect(ok.ok && ok.run.unparsed).toBe(1);
    expect(ok.ok && ok.run.lowered.length).toBe(1);
    const bad = lowerRun({ runId: 'r', blocks: [block('const x = ;', 'ok', 0)] });
    expect(bad).toMatchObject({ ok: false, reason: expect.stringMatching(/^block 0 of step 0: syntax error/) });
  });

  it('slices from the last block that calls FINAL', () => {
    const blocks = [lowerCode('const a = context.length;\nFINAL(a);'), lowerCode('const b = context.trim();\nFINAL(b);')];
    expect(printStatements(sliceBlocks(blocks).stmts)).toBe('let b = context.trim();\nFINAL(b);');
  });
});

describe('the executable slice (what generalize runs)', () => {
  it('keeps mutations through a read: groups.get(k).push(x) mutates groups', () => {
    const code = executable(`
      const groups = new Map();
      for (const line of context.split("\\n")) {
        const k = line.split(",")[0];
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k).push(line);
        print(line);
      }
      FINAL(JSON.stringify([...groups.entries()]));`);
    expect(code).toContain('groups.get(k).push(line);');
    expect(code).not.toContain('print(');
  });

  it('drops a function that is never called, even when its body would mutate a live variable', () => {
    const code = executable(`
      const groups = new Map();
      function unusedAdd(k, x) { groups.get(k).push(x); }
      groups.set("a", [1]);
      FINAL(JSON.stringify([...groups]));`);
    expect(code).not.toContain('unusedAdd');
    expect(code).toContain('groups.set("a", [1]);');
  });

  it('puts every function a kept statement may call before that statement, across the transitive calls', () => {
    const code = executable(`
      const r = outer(context);
      function inner(x) { return llm("q", x); }
      function outer(x) { return inner(x); }
      FINAL(r);`);
    expect(code.indexOf('let inner')).toBeGreaterThanOrEqual(0);
    expect(code.indexOf('let inner')).toBeLessThan(code.indexOf('let r'));
    expect(code.indexOf('let outer')).toBeLessThan(code.indexOf('let r'));
  });

  it('keeps names and literals as written and does not canonicalize (await stays)', () => {
    expect(executable('const parts = context.split("\\n\\n");\nprint(parts.length);', 'FINAL(await llm("Summarize.", parts[0]));')).toBe(
      'let parts = context.split("\\n\\n");\nFINAL(await llm("Summarize.", parts[0]));',
    );
  });

  it('says why when there is nothing to slice', () => {
    expect(sliceProgram('r', [])).toEqual({ ok: false, reason: 'the run has no logged code blocks' });
    expect(sliceProgram('r', [block('print(1);')])).toEqual({ ok: false, reason: 'no block that ran calls FINAL' });
    expect(sliceProgram('r', [block('const x = 1;', 'ok', 0), block('FINAL(x);', 'error', 1)])).toEqual({ ok: false, reason: 'no block that ran calls FINAL' });
  });
});
