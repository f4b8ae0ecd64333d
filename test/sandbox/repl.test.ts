import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostHandlers, type Repl, SandboxPool } from '../../src/sandbox/repl.js';

const calls: string[] = [];
const handlers: HostHandlers = {
  async llm(a) {
    calls.push(`llm:${a.query}`);
    return `answer(${a.query}|${a.context ?? ''})`;
  },
  async llmBatch(a) {
    return a.calls.map((c) => `batch:${c.query}:${c.context ?? ''}`);
  },
  async rlm(a) {
    return `rlm:${a.query}`;
  },
};

const options = { context: 'line one\nline two\nline three', contextType: 'string' as const, memoryMb: 64, maxOutputChars: 1_000, cpuBudgetMs: 30_000 };

describe('the sandbox REPL', () => {
  const pool = new SandboxPool(1);
  let repl: Repl;
  beforeAll(async () => {
    pool.prewarm();
    repl = await pool.open(options, handlers);
  });
  afterAll(async () => {
    await repl.dispose();
    await pool.close();
  });

  it('keeps top-level const, let, function and class declarations across steps', async () => {
    expect((await repl.exec('const a = 1; let b = 2; function twice(x) { return x * 2 } class Box { constructor(v) { this.v = v } }; const { x, y: [z] } = { x: 3, y: [4] };', 1_000)).error).toBeUndefined();
    const r = await repl.exec('b = b + 1; print(a, b, twice(5), new Box(7).v, x, z)', 1_000);
    expect(r.output).toBe('1 3 10 7 3 4\n');
  });

  it('accepts TypeScript and top-level await', async () => {
    const r = await repl.exec('interface P { n: number }\nconst p: P = { n: 2 };\nconst got: string = await llm("q" + p.n, context.split("\\n")[1]);\nprint(got)', 1_000);
    expect(r.error).toBeUndefined();
    expect(r.output).toBe('answer(q2|line two)\n');
  });

  it('passes JSON contexts to llm as text and runs llmBatch in order', async () => {
    const r = await repl.exec('print(await llmBatch([{query: "a", context: {k: 1}}, {query: "b"}]))', 1_000);
    expect(JSON.parse(r.output)).toEqual(['batch:a:{"k":1}', 'batch:b:']);
  });

  it('FINAL and FINAL_VAR end with a value; objects become JSON', async () => {
    expect((await repl.exec('FINAL({ count: 3 })', 1_000)).final).toBe('{"count":3}');
    expect((await repl.exec('const answer = "forty-two"; FINAL_VAR("answer")', 1_000)).final).toBe('forty-two');
    const missing = await repl.exec('FINAL_VAR("nope")', 1_000);
    expect(missing.final).toBeUndefined();
    expect(missing.error).toMatch(/no top-level variable named "nope"/);
  });

  it('truncates long output head and tail, with the true length', async () => {
    const r = await repl.exec('for (let i = 0; i < 500; i++) print("row " + i)', 1_000);
    expect(r.outputChars).toBeGreaterThan(3_000);
    expect(r.output.length).toBeLessThan(1_200);
    expect(r.output).toContain('row 0');
    expect(r.output).toContain('row 499');
    expect(r.output).toMatch(/characters omitted/);
  });

  it('reports syntax errors and thrown errors with a line, and keeps the state', async () => {
    const syntax = await repl.exec('const = 1', 1_000);
    expect(syntax.error).toMatch(/^SyntaxError: .*line 1/);
    const thrown = await repl.exec('\n\nthrow new RangeError("bad")', 1_000);
    expect(thrown.error).toMatch(/RangeError: bad/);
    expect(thrown.error).toMatch(/line 3/);
    expect((await repl.exec('print(a)', 1_000)).output).toBe('1\n');
  });

  it('offers no require, process, fs, network, timers, WebAssembly, SharedArrayBuffer or Atomics', async () => {
    const r = await repl.exec(
      'print([typeof require, typeof process, typeof fetch, typeof setTimeout, typeof setInterval, typeof WebAssembly, typeof SharedArrayBuffer, typeof Atomics, typeof module, typeof globalThis.__accrete_host, typeof globalThis.__accrete_take].join(","))',
      1_000,
    );
    expect(r.output).toBe('undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined\n');
    expect((await repl.exec('import fs from "fs"', 1_000)).error).toMatch(/import\/export are not available/);
  });

  it('resists escape attempts through constructors and the bridge functions', async () => {
    const attempts = [
      "this.constructor.constructor('return process')()",
      "llm.constructor('return process')()",
      "Object.getPrototypeOf(llm).constructor('return this.process')()",
      "print.__proto__.__proto__.constructor.constructor('return require')()",
      "(async () => {}).constructor('return process')()",
    ];
    for (const code of attempts) {
      const r = await repl.exec(`const got = await ${code}; print(typeof got === 'undefined' ? 'none' : typeof got)`, 1_000);
      expect(r.error ?? r.output).toMatch(/none|not defined/);
    }
    const proto = await repl.exec('Object.prototype.result = { promise: false }; Object.prototype.arguments = { reference: true }; print(await llm("still works"))', 1_000);
    expect(proto.output).toBe('answer(still works|)\n');
    expect((await repl.exec('delete Object.prototype.result; delete Object.prototype.arguments', 1_000)).error).toBeUndefined();
  });

  it('stops an endless loop before an await and keeps the state', async () => {
    const r = await repl.exec('while (true) {}', 300);
    expect(r.error).toMatch(/timed out/);
    expect(r.fatal).toBeUndefined();
    expect((await repl.exec('print(a)', 1_000)).output).toBe('1\n');
  });
});

describe('sandbox failures end the REPL, not the process', () => {
  const pool = new SandboxPool(0);
  afterAll(() => pool.close());

  it('an endless loop after an await is stopped by the watchdog and the REPL reset', async () => {
    const repl = await pool.open(options, handlers);
    const started = Date.now();
    const r = await repl.exec('await llm("x"); while (true) {}', 300);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(r.fatal).toBe('step_timeout');
    expect(r.error).toMatch(/after an await/);
    expect(repl.alive).toBe(false);
    const again = await pool.open(options, handlers);
    expect((await again.exec('print(1 + 1)', 1_000)).output).toBe('2\n');
    await again.dispose();
  });

  it('keeps what a step printed before the watchdog stopped it after an await (busy, or waiting on a host call)', async () => {
    const busy = await pool.open(options, handlers);
    const r = await busy.exec('print("before"); await llm("x"); print("after"); while (true) {}', 300);
    expect(r.fatal).toBe('step_timeout');
    expect(r.output).toBe('before\nafter\n');
    expect(r.outputChars).toBe('before\nafter\n'.length);
    const hanging: HostHandlers = { ...handlers, llm: (_a, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))) };
    const waiting = await pool.open(options, hanging);
    const w = await waiting.exec('print("asked"); await llm("never answered")', 300);
    expect(w.fatal).toBe('step_timeout');
    expect(w.output).toBe('asked\n');
    await Promise.all([busy.dispose(), waiting.dispose()]);
  });

  it('allocating gigabytes hits the memory limit with a clear error', async () => {
    const repl = await pool.open({ ...options, memoryMb: 32 }, handlers);
    const r = await repl.exec('const keep = []; while (true) keep.push("x".repeat(1 << 16) + keep.length)', 30_000);
    expect(r.fatal === 'memory' || r.fatal === 'crashed' || r.fatal === 'disposed').toBe(true);
    expect(r.error).toMatch(/memory|crashed/);
    await repl.dispose();
  });

  it('the CPU budget of a run is enforced', async () => {
    const repl = await pool.open({ ...options, cpuBudgetMs: 200 }, handlers);
    const r = await repl.exec('await llm("x"); let i = 0; while (true) { i++ }', 10_000);
    expect(r.fatal).toBe('cpu_budget');
    expect(r.error).toMatch(/CPU time budget/);
    await repl.dispose();
  });

  it('a crashed child fails only its own REPL; a fresh child replaces it', async () => {
    const victim = await pool.open(options, handlers);
    const bystander = await pool.open(options, handlers);
    const child = (victim as unknown as { child: { proc: { kill(sig: string): void } } }).child;
    const pending = victim.exec('await llm("slow"); while (true) {}', 20_000);
    setTimeout(() => child.proc.kill('SIGKILL'), 200);
    const r = await pending;
    expect(r.fatal).toBe('crashed');
    // Killed from outside: said so, with the signal, not guessed to be memory (issue 12, item 5).
    expect(r.error).toMatch(/killed by signal SIGKILL/);
    expect(r.error).not.toMatch(/memory/);
    expect((await bystander.exec('print("alive")', 1_000)).output).toBe('alive\n');
    const fresh = await pool.open(options, handlers);
    expect((await fresh.exec('print(context.length)', 1_000)).output).toBe(`${options.context.length}\n`);
    await Promise.all([bystander.dispose(), fresh.dispose()]);
  });

  it('host call errors reach the code as exceptions', async () => {
    const failing = await pool.open(options, { ...handlers, llm: async () => Promise.reject(new Error('budget used up')) });
    const r = await failing.exec('try { await llm("x") } catch (e) { print("caught: " + e.message) }', 1_000);
    expect(r.output).toBe('caught: budget used up\n');
    await failing.dispose();
  });

  it('what a step prints last, right before it ends, is in its output every time', async () => {
    // prints reach the host as tasks of its own thread; a step's result waits for as many as the isolate sent
    const quick = await pool.open(options, { ...handlers, llm: async () => 'ok' });
    for (let i = 0; i < 40; i++) {
      const r = await quick.exec(`const r${i} = await llm("x"); for (let k = 0; k < ${i}; k++) print(k); print("last " + r${i})`, 5_000);
      expect(r.output.split('\n').filter(Boolean)).toEqual([...Array.from({ length: i }, (_, k) => String(k)), 'last ok']);
    }
    await quick.dispose();
  });
});
