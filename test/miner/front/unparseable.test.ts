import { describe, expect, it } from 'vitest';
import { bracketDepth } from '../../../miner/front/guard.js';
import { analyzeProgram } from '../../../miner/front/parse.js';
import { Rng } from '../../../src/sim/rng.js';
import type { ProgramInput } from '../../../miner/front/types.js';

function one(code: string, status = 'ok'): ProgramInput {
  return { runId: 'bad', blocks: [{ stepIdx: 0, blockIdx: 0, code, status }] };
}

function expectUnparseable(input: ProgramInput, reason: RegExp): void {
  const r = analyzeProgram(input);
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.runId).toBe(input.runId);
    expect(r.reason).toMatch(reason);
  }
}

describe('unparseable programs come back as ok:false with a reason, without throwing', () => {
  it('syntax errors', () => {
    expectUnparseable(one('const x = ;\nFINAL(x);'), /syntax error at line 1, column \d+/);
    expectUnparseable(one('for (const c of chunks { }'), /syntax error/);
  });

  it('binary junk', () => {
    const rng = new Rng(3);
    let junk = '';
    for (let i = 0; i < 5000; i++) junk += String.fromCharCode(rng.int(0, 255));
    expectUnparseable(one(junk), /binary data/);
    expectUnparseable(one('\ufffd\u0001\u0002'.repeat(300)), /binary data/);
  });

  it('1 MB of code', () => {
    const code = 'const a = context.slice(0, 10);\n'.repeat(Math.ceil((1024 * 1024) / 32));
    expectUnparseable(one(code), /too large: \d+ characters of code \(the limit is 262144\)/);
    // also when spread over many blocks
    const blocks = Array.from({ length: 20 }, (_, i) => ({ stepIdx: i, blockIdx: 0, code: 'print(1);\n'.repeat(2000), status: 'ok' }));
    expectUnparseable({ runId: 'bad', blocks }, /too large/);
  });

  it('10,000-deep bracket nesting', () => {
    expectUnparseable(one(`FINAL(${'('.repeat(10_000)}1${')'.repeat(10_000)});`), /nesting too deep: brackets nest 10001 levels/);
    expectUnparseable(one(`const a = ${'['.repeat(10_000)}${']'.repeat(10_000)};`), /nesting too deep/);
    expectUnparseable(one(`${'{'.repeat(10_000)}${'}'.repeat(10_000)}`), /nesting too deep/);
    expectUnparseable(one(`const t = \`${'${`'.repeat(5_000)}x${'`}'.repeat(5_000)}\`;`), /nesting too deep/);
  });

  it('10,000-deep nesting without brackets', () => {
    expectUnparseable(one(`const x = ${'!'.repeat(10_000)}true;`), /nesting too deep/);
    expectUnparseable(one(`const x = a${' + a'.repeat(30_000)};`), /nesting too deep/);
    expectUnparseable(one(`${'if (a) '.repeat(10_000)}FINAL(1);`), /nesting too deep/);
    expectUnparseable(one(`const f = ${'x => '.repeat(10_000)}1;`), /nesting too deep/);
    expectUnparseable(one(`const v = c ${'? 1 : c '.repeat(10_000)}? 1 : 2;`), /nesting too deep/);
    expectUnparseable(one(`if (a) x(); ${'else if (a) x(); '.repeat(10_000)}`), /nesting too deep/);
  });

  it('empty runs and runs where every block failed', () => {
    expectUnparseable({ runId: 'bad', blocks: [] }, /empty: the run has no code blocks/);
    expectUnparseable(one('// nothing here\n'), /empty: the code has no statements/);
    expectUnparseable(one('FINAL(context.length);', 'error'), /every block failed/);
  });

  it('malformed input does not throw', () => {
    const weird = { runId: 'bad', blocks: [{ stepIdx: 0, blockIdx: 0, code: undefined, status: undefined }] } as unknown as ProgramInput;
    expect(() => analyzeProgram(weird)).not.toThrow();
    expect(() => analyzeProgram({ runId: 'bad' } as unknown as ProgramInput)).not.toThrow();
  });
});

describe('bracket depth scan', () => {
  it('ignores brackets in strings, comments and template text, and counts template holes', () => {
    expect(bracketDepth('const s = "((((((("; // [[[[[[\n/* {{{{ */ f(1)')).toBe(1);
    expect(bracketDepth('const t = `((( ${ a[b] } )))`;')).toBe(2);
    expect(bracketDepth('f(g(h(1)))')).toBe(3);
  });
});
