import { describe, expect, it } from 'vitest';
import { consolidate, isFailedStatus } from '../../../miner/front/consolidate.js';
import { lowerCode } from '../../../miner/front/normalize.js';
import { analyzeProgram } from '../../../miner/front/parse.js';
import { printStatements } from '../../../miner/front/print.js';
import { backwardSlice } from '../../../miner/front/slice.js';
import type { ProgramAnalysis } from '../../../miner/front/types.js';

/** Slices one block of code and prints what is kept (original names and literals). */
function sliced(code: string): string {
  const stmts = lowerCode(code);
  return printStatements(backwardSlice(stmts, { criterionFrom: 0 }).stmts);
}

describe('backward slice from FINAL', () => {
  it('drops prints, peeks and abandoned attempts; keeps what the answer depends on', () => {
    const out = sliced(`
      print(context.length);
      print(context.slice(0, 500));
      const peek = await llm("What kind of text is this?", context.slice(0, 2000));
      print(peek);
      const firstTry = context.split("\\n").length;
      const lines = context.split("\\n");
      const errors = lines.filter((l) => /ERROR/.test(l));
      print(errors.length, errors.slice(0, 3));
      const answer = await llm("Summarize these errors", errors.join("\\n"));
      FINAL(answer);`);
    expect(out).toBe(
      [
        'let lines = context.split("\\n");',
        'let errors = lines.filter((l) => /ERROR/.test(l));',
        'let answer = await llm("Summarize these errors", errors.join("\\n"));',
        'FINAL(answer);',
      ].join('\n'),
    );
  });

  it('follows mutations through a read: groups.get(k).push(x) mutates groups', () => {
    const out = sliced(`
      const groups = new Map();
      for (const line of context.split("\\n")) {
        const k = line.split(",")[0];
        if (!groups.has(k)) groups.set(k, []);
        groups.get(k).push(line);
        print(line);
      }
      FINAL(JSON.stringify([...groups.entries()]));`);
    expect(out).toContain('groups.get(k).push(line);');
    expect(out).not.toContain('print(');
  });

  it('follows mutations through push, Map.set and property writes, inside loops and closures', () => {
    const out = sliced(`
      const results = [];
      const byName = new Map();
      const stats = {};
      const unused = [];
      for (const c of context.split("\\n\\n")) {
        const r = await llm("Extract the name", c);
        results.push(r);
        byName.set(r, c.length);
        unused.push(c.length);
        print(r);
      }
      await Promise.all(results.map(async (r) => { stats[r] = (await llm("Role of", r)).trim(); }));
      FINAL(JSON.stringify({ n: byName.size, stats }));`);
    expect(out).toContain('byName.set(r, c.length)');
    expect(out).toContain('results.push(r)');
    expect(out).toContain('stats[r] =');
    expect(out).not.toContain('unused');
    expect(out).not.toContain('print');
  });

  it('keeps an early-exit loop with its break and the variables the condition reads', () => {
    const out = sliced(`
      let found = null;
      let tries = 0;
      for (const c of context.match(/[\\s\\S]{1,8000}/g)) {
        tries++;
        const r = await llm("Password?", c);
        if (!r.includes("NONE")) { found = r; break; }
      }
      print(tries);
      FINAL(found ?? "not found");`);
    expect(out).toContain('break;');
    expect(out).toContain('found = r');
    expect(out).not.toContain('tries');
  });

  it('keeps functions called by kept statements, also when declared after their use', () => {
    const stmts = lowerCode(`
      const a = helper(context);
      FINAL(a);
      function helper(x) { return llm("q", x); }
      function unused(y) { return y; }`);
    // hoisting as the front end does it (program.ts): functions referenced before their declaration come first
    const hoisted = [stmts[2], stmts[0], stmts[1], stmts[3]];
    const out = printStatements(backwardSlice(hoisted, { criterionFrom: 0 }).stmts);
    expect(out).toContain('let helper = (x) => {');
    expect(out).not.toContain('unused');
  });

  it('drops a counter loop that only feeds its own condition', () => {
    const out = sliced(`
      let tries = 0;
      while (tries < 3) { tries++; }
      const docs = JSON.parse(context);
      FINAL(docs.length);`);
    expect(out).toBe('let docs = JSON.parse(context);\nFINAL(docs.length);');
  });

  it('without FINAL, keeps everything but prints', () => {
    const stmts = lowerCode('const x = context.length; print(x); const y = x * 2;');
    const r = backwardSlice(stmts, { criterionFrom: 0 });
    expect(r.hasFinal).toBe(false);
    expect(printStatements(r.stmts)).toBe('let x = context.length;\nlet y = x * 2;');
  });
});

describe('consolidation of a run', () => {
  const run = {
    runId: 'run-1',
    blocks: [
      { stepIdx: 2, blockIdx: 0, status: 'ok', code: 'const answer = await llm("Summarize", parts.join("\\n"));\nFINAL(answer);' },
      { stepIdx: 0, blockIdx: 0, status: 'ok', code: 'print(context.length);' },
      { stepIdx: 1, blockIdx: 1, status: 'error', code: 'const data = JSON.parse(context);\nprint(data.items.length);' },
      { stepIdx: 1, blockIdx: 0, status: 'ok', code: 'const parts = context.split("\\n\\n").slice(0, 50);' },
    ],
  };

  it('orders blocks by step then block index and marks failed ones', () => {
    const c = consolidate(run);
    expect(c.blocks.map((b) => [b.stepIdx, b.blockIdx, b.failed])).toEqual([
      [0, 0, false],
      [1, 0, false],
      [1, 1, true],
      [2, 0, false],
    ]);
    expect(c.fullCode).toContain('JSON.parse');
    expect(c.contributingCode).not.toContain('JSON.parse');
    expect(isFailedStatus('Timeout')).toBe(true);
    expect(isFailedStatus('ok')).toBe(false);
  });

  it('keeps failed blocks in the unsliced program and drops them from the sliced one', () => {
    const a = analyzeProgram(run) as ProgramAnalysis;
    expect(a.ok).toBe(true);
    expect(a.full.normalized).toContain('JSON.parse(context)');
    expect(a.normalized).not.toContain('JSON.parse');
    expect(a.normalized).toBe('FINAL(llm($str, context.split($str).slice($num, $num).join($str)));');
    expect(a.features).toMatchObject({ blocks: 4, failedBlocks: 1, hasFinal: true });
  });

  it('skips failed blocks that do not even parse, but not blocks that ran', () => {
    const ok = analyzeProgram({
      runId: 'r',
      blocks: [
        { stepIdx: 0, blockIdx: 0, status: 'error', code: 'const x = context.slice(0, 100;' },
        { stepIdx: 1, blockIdx: 0, status: 'ok', code: 'FINAL(context.length);' },
      ],
    });
    expect(ok.ok).toBe(true);
    if (ok.ok) expect(ok.features.unparsedBlocks).toBe(1);
    const bad = analyzeProgram({ runId: 'r', blocks: [{ stepIdx: 0, blockIdx: 0, status: 'ok', code: 'const x = context.slice(0, 100;' }] });
    expect(bad).toMatchObject({ ok: false, runId: 'r' });
    if (!bad.ok) expect(bad.reason).toMatch(/block 0 of step 0: syntax error at line 1/);
  });

  it('uses FINAL calls of the last block that calls FINAL as the slicing criterion', () => {
    const a = analyzeProgram({
      runId: 'r2',
      blocks: [
        { stepIdx: 0, blockIdx: 0, status: 'ok', code: 'const guess = context.slice(0, 10);\nif (guess.length > 100) FINAL(guess);' },
        { stepIdx: 1, blockIdx: 0, status: 'ok', code: 'const n = context.split(" ").length;\nFINAL(n);' },
      ],
    }) as ProgramAnalysis;
    expect(a.normalized).toBe('FINAL(context.split($str).length);');
  });
});
