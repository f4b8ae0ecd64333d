/**
 * The standing attack matrix of the sandbox (issue 12): escapes toward a host object, forged host
 * calls, and resource bombs, each run against a real REPL in a real child process. Every attempt
 * must be contained; the figures (attempts and contained, per kind) are printed for RELIABILITY.md.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type HostHandlers, SandboxPool, type StepOutcome } from '../../src/sandbox/repl.js';

const sent: string[] = [];
const handlers: HostHandlers = {
  async llm(a) {
    sent.push(a.query + (a.context ?? ''));
    return 'ok';
  },
  async llmBatch(a) {
    for (const c of a.calls) sent.push(c.query + (c.context ?? ''));
    return a.calls.map(() => 'ok');
  },
  async rlm() {
    return 'ok';
  },
};
const options = { context: 'the input', contextType: 'string' as const, memoryMb: 64, maxOutputChars: 1_000, cpuBudgetMs: 60_000, maxAnswerChars: 10_000 };

/** Prints REACHED when the expression gave a host object (process, require, fs, a Reference), else contained. */
const reach = (expr: string) => `
let got;
try { got = await (async () => ${expr})(); } catch (e) { got = undefined; }
const isHost = (v) => { try { return !!v && (typeof v.pid === 'number' || typeof v.exit === 'function' || typeof v.readFileSync === 'function' || typeof v.applySync === 'function' || typeof v.deref === 'function' || (typeof v === 'function' && /require|process/.test(v.name))); } catch (e) { return false; } };
print(isHost(got) ? 'REACHED' : 'contained');`;

const ESCAPES: [name: string, code: string][] = [
  ['Function through this.constructor', reach("this.constructor.constructor('return process')()")],
  ['Function through llm', reach("llm.constructor('return process')()")],
  ['Function through the prototype of llm', reach("Object.getPrototypeOf(llm).constructor('return this.process')()")],
  ['Function through print', reach("print.__proto__.__proto__.constructor.constructor('return require')()")],
  ['AsyncFunction constructor', reach("(async () => {}).constructor('return process')()")],
  ['GeneratorFunction constructor', reach("(function* () {}).constructor('return process')().next().value")],
  ['global Function', reach("Function('return globalThis.process')()")],
  ['indirect eval', reach("(0, eval)('typeof process === \"undefined\" ? undefined : process')")],
  ['require', reach('typeof require === "function" ? require("fs") : undefined')],
  ['dynamic import', reach('import("node:fs")')],
  ['the bridge references left on the global object', reach('globalThis.__accrete_host ?? globalThis.__accrete_out ?? globalThis.__accrete_take')],
  ['a Reference among the global names', reach('Object.getOwnPropertyNames(globalThis).map((k) => globalThis[k]).find((v) => v && (typeof v.applySync === "function" || typeof v.deref === "function"))')],
  ['Error.prepareStackTrace over a host error', reach('(async () => { Error.prepareStackTrace = (e, frames) => frames.map((f) => f.getThis && f.getThis()); try { await llm(42); } catch (e) { return Array.isArray(e.stack) ? e.stack.find((x) => x && x.pid) : undefined; } finally { delete Error.prepareStackTrace; } })()')],
  ['a stack trace naming host files', 'try { await llm(42) } catch (e) { print(/node_modules|\\/src\\/|node:internal/.test(String(e.stack)) ? "REACHED" : "contained") }'],
  ['the library proxy', reach('Object.getPrototypeOf(lib).constructor.constructor("return process")()')],
  ['WebAssembly, SharedArrayBuffer, Atomics, timers', 'print([typeof WebAssembly, typeof SharedArrayBuffer, typeof Atomics, typeof setTimeout, typeof setInterval].every((t) => t === "undefined") ? "contained" : "REACHED")'],
];

const FORGED: [name: string, code: string, check: (r: StepOutcome) => boolean][] = [
  // What crosses is a string query and the context as JSON text; the runtime's handlers then hold the
  // sub-prompt limit (test/runtime/hardening.test.ts).
  ['llmBatch with Array.prototype.map overridden (a fake context length)', 'const map = Array.prototype.map; Array.prototype.map = function () { return [{ query: "z".repeat(500000), context: { length: -1e12 } }] }; try { await llmBatch([{ query: "a" }]) } finally { Array.prototype.map = map }', () => sent.some((s) => s.endsWith('{"length":-1000000000000}')) && !sent.some((s) => s.includes('[object Object]'))],
  ['llm with a query that is no string', 'try { await llm({ toString() { return "q" } }) } catch (e) { print("refused: " + e.message) }', (r) => r.output.startsWith('refused')],
  ['options smuggled through Object.prototype', 'Object.prototype.result = { promise: false }; Object.prototype.arguments = { reference: true }; print(await llm("still a string")); delete Object.prototype.result; delete Object.prototype.arguments', (r) => r.output === 'ok\n'],
  ['JSON.stringify replaced before a host call', 'const keep = JSON.stringify; JSON.stringify = () => "{\\"query\\":1}"; try { print(await llm("real query")) } finally { JSON.stringify = keep }', (r) => r.output === 'ok\n' && sent.includes('real query')],
  ['a context whose getters throw', 'try { await llm("q", new Proxy({}, { get() { throw new Error("boom") } })) } catch (e) { print("refused") }', (r) => r.output === 'refused\n'],
  ['an answer over the answer budget', 'try { FINAL("y".repeat(20000)) } catch (e) { print("refused") }', (r) => r.output === 'refused\n' && r.final === undefined],
];

/** Each bomb runs on a REPL of its own: contained means an error the model sees, the process lives on. */
const BOMBS: [name: string, code: string, timeoutMs: number, replOptions?: Partial<typeof options>][] = [
  ['an endless loop', 'while (true) {}', 300],
  ['an endless loop after an await', 'await llm("x"); while (true) {}', 300],
  ['gigabytes of strings', 'const keep = []; while (true) keep.push("x".repeat(1 << 16) + keep.length)', 30_000, { memoryMb: 32 }],
  ['the CPU budget', 'await llm("x"); let i = 0; while (true) i++', 30_000, { cpuBudgetMs: 200 }],
  ['endless recursion', 'function f() { return f() + 1 } f()', 5_000],
  ['a flood of output', 'for (let i = 0; i < 200000; i++) print("row " + i)', 30_000],
];

const figures: Record<string, { attempts: number; contained: number }> = {};
const count = (kind: string, ok: boolean) => {
  figures[kind] ??= { attempts: 0, contained: 0 };
  figures[kind].attempts++;
  if (ok) figures[kind].contained++;
};

describe('the sandbox attack matrix', () => {
  const pool = new SandboxPool(0);
  afterAll(async () => {
    await pool.close();
    console.log(`attack matrix: ${Object.entries(figures).map(([k, f]) => `${k} ${f.contained}/${f.attempts} contained`).join('; ')}`);
  });

  it('no escape reaches a host object, and the REPL lives on', async () => {
    const repl = await pool.open(options, handlers);
    const failed: string[] = [];
    for (const [name, code] of ESCAPES) {
      const r = await repl.exec(code, 5_000);
      const ok = r.output.trim() === 'contained' && r.fatal === undefined;
      count('escapes', ok);
      if (!ok) failed.push(`${name}: ${r.output}${r.error ?? ''}`);
    }
    expect(failed).toEqual([]);
    expect((await repl.exec('print(context)', 1_000)).output).toBe('the input\n');
    await repl.dispose();
  });

  it('forged host calls are refused or sent as what they are', async () => {
    const repl = await pool.open(options, handlers);
    const failed: string[] = [];
    for (const [name, code, check] of FORGED) {
      const r = await repl.exec(code, 5_000);
      const ok = r.fatal === undefined && check(r);
      count('forged host calls', ok);
      if (!ok) failed.push(`${name}: ${r.output}${r.error ?? ''}`);
    }
    expect(failed).toEqual([]);
    await repl.dispose();
  });

  it('resource bombs end the step with an error the model sees; the process serves the next REPL', async () => {
    const failed: string[] = [];
    for (const [name, code, timeoutMs, extra] of BOMBS) {
      const repl = await pool.open({ ...options, ...extra }, handlers);
      const r = await repl.exec(code, timeoutMs);
      // A flood of output is no error: it is cut to the limit with its true length.
      const ok = name === 'a flood of output' ? r.output.length < 1_200 && r.outputChars > 1_000_000 : r.error !== undefined && r.fatal !== 'crashed';
      count('resource bombs', ok);
      if (!ok) failed.push(`${name}: ${r.fatal ?? ''} ${r.error ?? r.output.slice(0, 200)}`);
      await repl.dispose();
    }
    expect(failed).toEqual([]);
    const after = await pool.open(options, handlers);
    expect((await after.exec('print(1 + 1)', 1_000)).output).toBe('2\n');
    await after.dispose();
  });
});
