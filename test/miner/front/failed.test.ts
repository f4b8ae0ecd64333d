/** A step that threw, followed by its repair, folds into the repaired program (miner/front/failed.ts, program.ts). */
import { describe, expect, it } from 'vitest';
import { failedExtent, ranStatements } from '../../../miner/front/failed.js';
import { analyzeProgram } from '../../../miner/front/parse.js';
import { sliceProgram } from '../../../miner/front/program.js';
import type { BlockInput, ProgramAnalysis } from '../../../miner/front/types.js';

const ok = (code: string, stepIdx: number): BlockInput => ({ stepIdx, blockIdx: 0, code, status: 'ok' });
const failed = (code: string, stepIdx: number, error?: string): BlockInput => ({ stepIdx, blockIdx: 0, code, status: 'error', error });

function executable(blocks: BlockInput[]): string {
  const r = sliceProgram('r', blocks);
  if (!r.ok) throw new Error(r.reason);
  return r.program.code;
}

function analyzed(blocks: BlockInput[]): ProgramAnalysis {
  const a = analyzeProgram({ runId: 'r', blocks });
  if (!a.ok) throw new Error(a.reason);
  return a;
}

// Line 1 ran; line 2 threw (the replies were not JSON); line 3 never ran.
const ATTEMPT = [
  'const chunks = context.match(/[\\s\\S]{1,4000}/g) || [];',
  'const replies = (await llmBatch(chunks.map((c) => ({ query: "List the people named, as JSON", context: c })))).map((r) => JSON.parse(r));',
  'const people = replies.flat();',
].join('\n');
const REPAIR = [
  'const replies = await llmBatch(chunks.map((c) => ({ query: "List the people named, one per line", context: c })));',
  'const people = [...new Set(replies.flatMap((r) => r.split("\\n")))];',
  'FINAL(people.join(", "));',
].join('\n');
const CLEAN = [
  'const chunks = context.match(/[\\s\\S]{1,4000}/g) || [];',
  'const replies = await llmBatch(chunks.map((c) => ({ query: "List the people named, one per line", context: c })));',
  'const people = [...new Set(replies.flatMap((r) => r.split("\\n")))];',
  'FINAL(people.join(", "));',
].join('\n');

describe('what a failed block left behind', () => {
  it('reads the line that threw from the sandbox error; compile errors and resets leave nothing', () => {
    expect(failedExtent('SyntaxError: Unexpected token o in JSON at position 1\n  at JSON.parse line 2\n  at line 2')).toEqual({ kind: 'frames', lines: [2, 2] });
    expect(failedExtent("SyntaxError: ';' expected. (line 3, column 5)")).toEqual({ kind: 'nothing' });
    expect(failedExtent('Step timed out after 120000 ms (code still running after an await cannot be interrupted in place); the sandbox was reset and top-level variables are gone.')).toEqual({ kind: 'nothing' });
    expect(failedExtent('Step timed out after 120000 ms: the code ran too long (an endless loop?). Variables from earlier steps are kept.')).toEqual({ kind: 'unknown' });
    expect(failedExtent(undefined)).toEqual({ kind: 'unknown' });
  });

  it('a frame inside a function definition is a call from further out: the outer frame names the statement', () => {
    const spans = [
      { first: 1, last: 1, definesFunction: false },
      { first: 2, last: 4, definesFunction: true },
      { first: 5, last: 5, definesFunction: false },
      { first: 6, last: 6, definesFunction: false },
    ];
    expect(ranStatements(spans, 'TypeError: x.map is not a function\n  at parse line 3\n  at line 5')).toEqual([true, true, false, false]);
    expect(ranStatements(spans, 'TypeError: x.map is not a function\n  at parse line 3')).toBeUndefined();
  });
});

describe('a step that threw, followed by its repair', () => {
  it('folds into the repaired program: the statements that ran before the throw stay, the failed attempt after it goes', () => {
    const code = executable([failed(ATTEMPT, 0, 'SyntaxError: Unexpected token N in JSON at position 0\n  at JSON.parse line 2\n  at line 2'), ok(REPAIR, 1)]);
    expect(code).toContain('let chunks = context.match(');
    expect(code).not.toContain('JSON.parse');
    expect(code).not.toContain('replies.flat()');
    expect(code).toContain('one per line');
  });

  it('mines alike with the one-step program the repair amounts to', () => {
    const repaired = analyzed([failed(ATTEMPT, 0, 'SyntaxError: Unexpected token N in JSON at position 0\n  at line 2'), ok(REPAIR, 1)]);
    const clean = analyzed([ok(CLEAN, 0)]);
    expect(repaired.fingerprint).toBe(clean.fingerprint);
    expect(repaired.skeleton.text).toBe(clean.skeleton.text);
    expect(repaired.features).toMatchObject({ blocks: 2, failedBlocks: 1 });
  });

  it('without the error position, keeps what the repair uses and does not define again', () => {
    const code = executable([failed(ATTEMPT, 0), ok(REPAIR, 1)]);
    expect(code).toContain('let chunks = context.match(');
    expect(code).not.toContain('JSON.parse');
    expect(analyzed([failed(ATTEMPT, 0), ok(REPAIR, 1)]).fingerprint).toBe(analyzed([ok(CLEAN, 0)]).fingerprint);
  });

  it('without the error position, drops what nothing later uses, even a call that might change the input', () => {
    const code = executable([failed('const first = context.split("\\n")[0].toUpperCase().foo();', 0), ok('FINAL(context.length);', 1)]);
    expect(code).toBe('FINAL(context.length);');
  });

  it('keeps the statements that fill a kept name (a loop pushing chunks) when the position is unknown', () => {
    const attempt = 'const chunks = [];\nfor (let i = 0; i < context.length; i += 1000) chunks.push(context.slice(i, i + 1000));\nconst out = await llm("q", chunks[99].trim());';
    const code = executable([failed(attempt, 0), ok('const out = await llmBatch(chunks.map((c) => ({ query: "q", context: c })));\nFINAL(out.join("\\n"));', 1)]);
    expect(code).toContain('let chunks = [];');
    expect(code).toContain('chunks.push(context.slice(i, i + 1000));');
    expect(code).not.toContain('chunks[99]');
  });

  it('nothing after the line that threw is kept, even when later code uses it', () => {
    const attempt = 'const head = context.slice(0, 100);\nconst bad = head.foo();\nconst tail = context.slice(-100);';
    const code = executable([failed(attempt, 0, 'TypeError: head.foo is not a function\n  at line 2'), ok('FINAL(head + (typeof tail));', 1)]);
    expect(code).toContain('let head = context.slice(0, 100);');
    expect(code).not.toContain('tail = context');
    expect(code).not.toContain('foo');
  });

  it('a compile error or a reset leaves nothing of the block', () => {
    const blocks = (error: string) => [failed('const head = context.slice(0, 100);\nconst x = head +;', 0, error), ok('const head = context.slice(0, 50);\nFINAL(head);', 1)];
    expect(executable(blocks("SyntaxError: Expression expected. (line 2, column 18)"))).toBe('let head = context.slice(0, 50);\nFINAL(head);');
    const reset = [failed('const head = context.slice(0, 100);\nwhile (true) {}', 0, 'Step timed out after 1000 ms (code still running after an await cannot be interrupted in place); the sandbox was reset and top-level variables are gone.'), ok('FINAL(typeof head);', 1)];
    expect(executable(reset)).toBe('FINAL(typeof head);');
  });

  it('a FINAL in a failed block is never the answer', () => {
    expect(sliceProgram('r', [ok('const x = 1;', 0), failed('FINAL(x);', 1)])).toEqual({ ok: false, reason: 'no block that ran calls FINAL' });
    expect(sliceProgram('r', [ok('const x = 1;', 0), failed('const y = x + 1;\nFINAL(y.foo());', 1, 'TypeError: y.foo is not a function\n  at line 2')])).toEqual({
      ok: false,
      reason: 'no block that ran calls FINAL',
    });
  });
});

describe('a check before FINAL', () => {
  const CHECKED = [
    'const replies = await Promise.all(chunks.map((c) => llm("Give the code, or NOT FOUND", c)));',
    'print("replies:", replies.length);',
    'const out = replies.find((r) => !/NOT FOUND/.test(r)) || "NOT FOUND";',
    'if (/NOT FOUND/.test(out)) {',
    '  print("No code found; retrying with smaller chunks.", out);',
    '  print("No code found; retrying with smaller chunks.");',
    '} else {',
    '  FINAL(out);',
    '}',
  ].join('\n');

  it('keeps what the program printed when its check failed (literal messages only), for the function to say too', () => {
    const code = executable([ok('const chunks = context.match(/[\\s\\S]{1,4000}/g) || [];', 0), ok(CHECKED, 1)]);
    expect(code).toContain('print("No code found; retrying with smaller chunks.");');
    // a print of a computed value, and prints outside the check, still go
    expect(code).not.toContain('print("No code found; retrying with smaller chunks.", out)');
    expect(code).not.toContain('replies:');
  });

  it('leaves the mining pass\'s slice without prints', () => {
    const a = analyzed([ok('const chunks = context.match(/[\\s\\S]{1,4000}/g) || [];', 0), ok(CHECKED, 1)]);
    expect(JSON.stringify(a)).not.toContain('retrying with smaller chunks');
  });
});
