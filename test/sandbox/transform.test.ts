/**
 * The two ways a REPL step becomes a script agree: plain JavaScript through acorn
 * (src/sandbox/transform-js.ts) does what the TypeScript path does (src/sandbox/transform-ts.ts),
 * run side by side in fresh V8 contexts and compared by the globals they leave; TypeScript and syntax
 * errors go to the compiler.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { transformStep, StepSyntaxError } from '../../src/sandbox/transform.js';
import { hoistPlainJavaScript } from '../../src/sandbox/transform-js.js';
import { transformTypeScriptStep } from '../../src/sandbox/transform-ts.js';
import { wrapAsync } from '../../src/sandbox/step-script.js';

/** Runs the steps one after another in one context; returns what print saw and the globals named. */
async function run(scripts: string[], names: string[]): Promise<unknown> {
  const printed: string[] = [];
  const sandbox: Record<string, unknown> = { print: (...a: unknown[]) => printed.push(a.map(String).join(' ')), o: { a: 1, b: [2, 3, 4, 5], k: 'key', 's-t': 6, rest1: 7 }, it: [10, 20, 30], k: 'k' };
  for (const s of scripts) await runInNewContext(s, sandbox);
  const globals = runInNewContext(`(${JSON.stringify(names)}).map((n) => { const v = globalThis[n]; return typeof v === 'function' ? 'fn:' + v.name + ':' + String(v.length) : v; })`, sandbox) as unknown[];
  return { printed, globals: JSON.parse(JSON.stringify(globals)) as unknown };
}

const STEPS: [steps: string[], names: string[]][] = [
  [['const x = 1; let y; var z = 2, w = 3', 'print(x + z + w, typeof y)'], ['x', 'y', 'z', 'w']],
  [['const {a, b: [c, , d = 4, ...e], ...f} = o', 'print(a, c, d, e, JSON.stringify(f))'], ['a', 'c', 'd', 'e', 'f']],
  [['const [p, ,] = it; const {[k]: v = 9, "s-t": s} = o', 'print(p, v, s)'], ['p', 'v', 's']],
  [['class A { m() { return 1 } }\nclass B extends A {}\nconst q = new B().m()', 'print(q, new A().m())'], ['q']],
  [['print(f(2))\nasync function f(n) { return n * 2 }\nfunction g() {}', 'print(typeof g, await f(3))'], ['f', 'g']],
  [['const a1 = 1, /* x, y */\n  b1 = 2,\n  c1 = a1 // hi, there\n  , d1 = 3', 'print(a1 + b1 + c1 + d1)'], ['a1', 'b1', 'c1', 'd1']],
  [['for (const i of [1, 2]) { print(i) }\nif (true) { let u = 2; print(u) }', 'print(typeof i, typeof u)'], []],
  [['let n = 0\nconst r = await Promise.all([1, 2].map(async (x) => x + n))\nprint(r)', 'n = 5; print(n)'], ['n', 'r']],
  [['const {\n  a: first,\n  b\n} = o;\nprint(first, b.length)'], ['first', 'b']],
  [['const fn = () => 1\nclass C {}\nconst d = 2', 'print(fn(), typeof C, d)'], ['fn', 'd']],
];

describe('REPL step transform', () => {
  it('plain JavaScript through acorn leaves the same globals and output as through the TypeScript compiler', async () => {
    for (const [steps, names] of STEPS) {
      const viaAcorn = steps.map((s) => {
        const body = hoistPlainJavaScript(s);
        expect(body, s).toBeDefined();
        return wrapAsync(body as string);
      });
      const viaTs = steps.map((s) => transformTypeScriptStep(s).script);
      expect(await run(viaAcorn, names), steps.join(' ⏎ ')).toEqual(await run(viaTs, names));
    }
  });

  it('keeps line numbers: an error thrown on line 4 is reported on line 4', async () => {
    const code = 'const {\n  a\n} = o;\nthrow new Error("boom")';
    const { script } = await transformStep(code);
    const err = await (runInNewContext(script, { o: { a: 1 } }, { filename: 'step.js' }) as Promise<unknown>).catch((e: Error) => e);
    expect(String((err as Error).stack)).toMatch(/step\.js:4\b/);
  });

  it('TypeScript and code acorn cannot parse go to the compiler, which words the syntax errors', async () => {
    expect(hoistPlainJavaScript('const x: number = 1')).toBeUndefined();
    const ts = await transformStep('const x: number = 1; interface P { a: string }\nprint(x as number)');
    expect(await run([ts.script], ['x'])).toEqual({ printed: ['1'], globals: [1] });
    await expect(transformStep('const = 1')).rejects.toBeInstanceOf(StepSyntaxError);
    await expect(transformStep('import fs from "fs"')).rejects.toThrow(/import\/export are not available in the sandbox/);
  });
});
