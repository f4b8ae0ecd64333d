/** The one declaration of the sandbox API agrees with what the sandbox defines and with everything derived from it. */
import { afterAll, describe, expect, it } from 'vitest';
import { LIBRARY_DTS } from '../../miner/promote/scaffold.js';
import { PRIMITIVES_DTS, typeCheck } from '../../miner/verify/typecheck.js';
import { API_PROMPT_LINES, LIBRARY_PRIMITIVES, PRELUDE_GLOBALS, primitivesDeclarations, RESERVED_FUNCTION_NAMES, SANDBOX_API, SANDBOX_NAMES } from '../../src/contracts/sandbox-api.js';
import { compileFunction } from '../../src/library/compile.js';
import { buildSystemPrompt } from '../../src/runtime/prompts.js';
import { SandboxPool } from '../../src/sandbox/repl.js';

describe('the sandbox API declaration', () => {
  const pool = new SandboxPool(0);
  afterAll(() => pool.close());

  it('names exactly what the sandbox defines, llmBatch taking plain query strings too', async () => {
    const handlers = {
      llm: async () => 'x',
      rlm: async () => 'x',
      llmBatch: async ({ calls }: { calls: { query: string; context?: string }[] }) => calls.map((c) => `${c.query}|${c.context ?? ''}`),
    };
    const repl = await pool.open({ context: 'text', contextType: 'string', memoryMb: 64, maxOutputChars: 1_000, cpuBudgetMs: 10_000 }, handlers);
    try {
      const names = JSON.stringify(SANDBOX_NAMES);
      const r = await repl.exec(`print(${names}.map((n) => n + ':' + typeof globalThis[n]).join(' ')); print(JSON.stringify(await llmBatch(['a', { query: 'b', context: { k: 1 } }])))`, 5_000);
      expect(r.error).toBeUndefined();
      const [types, batch] = r.output.trim().split('\n');
      for (const n of SANDBOX_API) expect(types).toContain(`${n.name}:${n.name === 'context' ? 'string' : n.declaration.startsWith('declare const') ? 'object' : 'function'}`);
      expect(JSON.parse(batch)).toEqual(['a|', 'b|{"k":1}']);
    } finally {
      await repl.dispose();
    }
  });

  it('is what the system prompt, the type check, library.d.ts and the compiler use', () => {
    const prompt = buildSystemPrompt();
    for (const n of SANDBOX_API) if (n.prompt) expect(prompt).toContain(n.prompt);
    expect(prompt).toContain(API_PROMPT_LINES);
    expect(PRIMITIVES_DTS).toBe(primitivesDeclarations());
    expect(LIBRARY_DTS).toContain(primitivesDeclarations());
    expect(LIBRARY_PRIMITIVES).toEqual(['llm', 'llmBatch', 'rlm', 'print']);
    expect(PRELUDE_GLOBALS).not.toContain('context');
    for (const n of SANDBOX_NAMES) expect(RESERVED_FUNCTION_NAMES.has(n)).toBe(true);
    expect(compileFunction({ name: 'lib', version: '1.0.0', source: 'export async function lib() {}' })).toMatchObject({ ok: false });
  });

  it('type-checks a library function that passes plain strings to llmBatch, as the sandbox accepts', () => {
    expect(typeCheck('export async function f(context: string): Promise<string> {\n  return (await llmBatch(["a", { query: "b", context }])).join(",");\n}\n')).toEqual({ ok: true });
  });
});
