/** Slicing through the root model: a typed FINAL("...") answer is sliced from the values printed before it (miner/front/printed.ts). */
import { describe, expect, it } from 'vitest';
import { classifyCount, multiDoc, needle, wifiPassword, type TypedAnswerRun } from '../../data/front/typed-answers.js';
import { analyzeProgram } from '../../../miner/front/parse.js';
import { sliceProgram } from '../../../miner/front/program.js';
import { isLiteralAnswer } from '../../../miner/front/printed.js';
import { lowerCode } from '../../../miner/front/normalize.js';
import type { BlockInput, ProgramAnalysis } from '../../../miner/front/types.js';

const steps = (...codes: string[]): BlockInput[] => codes.map((code, i) => ({ stepIdx: i, blockIdx: 0, code, status: 'ok' }));

function analyzed(blocks: BlockInput[]): ProgramAnalysis {
  const a = analyzeProgram({ runId: 'r', blocks });
  if (!a.ok) throw new Error(a.reason);
  return a;
}

function executable(blocks: BlockInput[]): string {
  const r = sliceProgram('r', blocks);
  if (!r.ok) throw new Error(r.reason);
  return r.program.code;
}

type Llm = (query: string, ctx?: string) => Promise<string>;
type LlmBatch = (reqs: { query: string; context: string }[]) => Promise<string[]>;
type Runner = (context: string, llm: Llm, llmBatch: LlmBatch, FINAL: (v: unknown) => void) => Promise<void>;

/** Runs a sliced program as plain JavaScript with stand-ins for the sandbox primitives; returns what it passed to FINAL. */
async function run(code: string, context: string, llm: Llm = async () => '', llmBatch?: LlmBatch): Promise<unknown> {
  const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => Runner;
  const fn = new AsyncFunction('context', 'llm', 'llmBatch', 'FINAL', code);
  let answer: unknown;
  await fn(context, llm, llmBatch ?? (async (reqs) => Promise.all(reqs.map((r) => llm(r.query, r.context)))), (v) => {
    answer = v;
  });
  return answer;
}

describe('a typed answer is sliced from what was printed before it', () => {
  it('keeps the search the model printed and shows it in the skeleton (needle run of realroot-no-library)', () => {
    const a = analyzed(needle.blocks);
    expect(a.skeleton.ops.slice(-2)).toEqual(['print', 'FINAL']);
    expect(a.skeleton.ops.length).toBeGreaterThan(2);
    expect(a.features.slicedStatements).toBeGreaterThan(1);
    expect(a.normalized).toContain('print(');
  });

  it('generalize gets a program that returns what the model read, without the peeks at the input', async () => {
    const code = executable(needle.blocks);
    expect(code).toContain('context.match(re)');
    expect(code).toContain('FINAL(printed.join("\\n"));');
    expect(code).not.toContain('context.slice(0, 500)');
    expect(code).not.toContain('typeof context');
    const context = 'Some filler text. Note: the access code assigned to project Tessaly is 3243-MS. More filler.\nProject Tamarind uses code 5876-UZ.';
    const answer = await run(code, context);
    expect(answer).toBe(['Tessaly 1 mentions:', '   Note: the access code assigned to project Tessaly is 3243-MS.', 'Tamarind 1 mentions:', '   Project Tamarind uses code 5876-UZ.'].join('\n'));
  });

  it('keeps the fan-out the model read (dev-styles run that answered a password after llmBatch)', async () => {
    const a = analyzed(wifiPassword.blocks);
    expect(a.skeleton.ops).toContain('map(llm)');
    expect(a.skeleton.ops.slice(-2)).toEqual(['print', 'FINAL']);
    const code = executable(wifiPassword.blocks);
    expect(code).toContain('await llmBatch(');
    // The keyword count of the first, exploring step is not what the answer was read from.
    expect(code).not.toContain('keyword hits');
    const answer = await run(code, 'x'.repeat(45_000), async () => '', async (reqs) => reqs.map((_, i) => (i === 1 ? 'Joana: the password is Tagus' : 'NONE')));
    expect(answer).toBe('1\n1: Joana: the password is Tagus');
  });

  it('says which step printed what the program returns (replay compares with that step\'s output)', () => {
    const step = (blocks: BlockInput[]) => {
      const r = sliceProgram('r', blocks);
      return r.ok ? r.program.printedStep : 'failed';
    };
    expect(step(needle.blocks)).toBe(0);
    expect(step(classifyCount.blocks)).toBe(2);
    expect(step(steps('const n = context.length;', 'FINAL(n);'))).toBeUndefined();
  });

  it('takes the prints of the last step that printed results, not an approach the model dropped', () => {
    const code = executable(classifyCount.blocks);
    expect(code).toContain('JSON.parse(');
    expect(code).toContain('await llmBatch(');
    expect(code).not.toContain('labelled');
    expect(analyzed(classifyCount.blocks).skeleton.modelCallSites).toBe(1);
  });

  it('keeps the split into documents of a multi-doc run', () => {
    const a = analyzed(multiDoc.blocks);
    expect(a.skeleton.ops[0]).toBe('split(sections)');
    expect(a.skeleton.ops.slice(-2)).toEqual(['print', 'FINAL']);
  });

  it('every fixture run had a bare FINAL skeleton before; none has now', () => {
    const runs: TypedAnswerRun[] = [needle, multiDoc, classifyCount, wifiPassword];
    for (const r of runs) expect({ run: r.source, bare: analyzed(r.blocks).skeleton.ops.length <= 1 }).toEqual({ run: r.source, bare: false });
  });
});

describe('when the answer is not typed, or nothing informative was printed', () => {
  it('a FINAL with a variable slices from the variable and drops prints as before', () => {
    const code = executable(steps('const errs = context.split("\\n").filter((l) => l.includes("ERROR"));\nprint(errs.slice(0, 3));', 'FINAL(errs.length);'));
    expect(code).toBe('let errs = context.split("\\n").filter((l) => l.includes("ERROR"));\nFINAL(errs.length);');
  });

  it('a template with a variable hole is not a literal; one with no variable is', () => {
    const arg = (code: string) => lowerCode(code)[0].c[0].c[1];
    expect(isLiteralAnswer(arg('FINAL(`${n} errors`);'))).toBe(false);
    expect(isLiteralAnswer(arg('FINAL(`42 errors`);'))).toBe(true);
    expect(isLiteralAnswer(arg('FINAL("a" + "b");'))).toBe(true);
    expect(isLiteralAnswer(arg('FINAL(JSON.stringify({ n: 3 }));'))).toBe(true);
    expect(isLiteralAnswer(arg('FINAL(String(n));'))).toBe(false);
    // FINAL_VAR("name") answers with a variable.
    expect(isLiteralAnswer(arg('FINAL_VAR("answer");'))).toBe(false);
  });

  it('a typed answer after only peeks at the input stays a bare FINAL', () => {
    const a = analyzed(steps('print(context.length, typeof context);\nprint(context.slice(0, 500));\nconst lines = context.split("\\n");\nprint(lines.length);', 'FINAL("It is a log file.");'));
    expect(a.skeleton.text).toBe('FINAL');
    expect(a.normalized).not.toContain('print');
  });

  it('prints written in the same step as the typed FINAL were not read, and are not criteria', () => {
    const a = analyzed(steps('const hits = context.match(/ERROR.*/g) || [];\nprint(hits);\nFINAL("three errors");'));
    expect(a.skeleton.text).toBe('FINAL');
  });

  it('a FINAL that is typed on one path and computed on another is not a typed answer', () => {
    const code = executable(steps('const hits = context.match(/code \\d+/g) || [];\nprint(hits);', 'if (hits.length === 0) FINAL("none");\nelse FINAL(hits[0]);'));
    expect(code).not.toContain('printed');
    expect(code).not.toContain('print(');
  });

  it('a name the program already uses is not taken for the printed lines', async () => {
    const code = executable(steps('const printed = context.split(",");\nprint(printed.filter((p) => p.startsWith("a")));', 'FINAL("apple");'));
    expect(code).toContain('let printed2 = [];');
    expect(await run(code, 'apple,banana,avocado')).toBe('[\n  "apple",\n  "avocado"\n]');
  });
});
