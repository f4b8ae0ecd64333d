import { describe, expect, it } from 'vitest';
import { analyzeProgram } from '../../../miner/front/parse.js';
import type { ProgramAnalysis, Skeleton } from '../../../miner/front/types.js';

function skeletonOf(...codes: string[]): Skeleton {
  const a = analyzeProgram({ runId: 't', blocks: codes.map((code, i) => ({ stepIdx: i, blockIdx: 0, code, status: 'ok' })) });
  if (!a.ok) throw new Error(a.reason);
  return (a as ProgramAnalysis).skeleton;
}

describe('skeleton of the decomposition', () => {
  it('filter lines then one model call: constant', () => {
    const s = skeletonOf(`
      const lines = context.split("\\n");
      const errs = lines.filter((l) => /ERROR|FATAL/.test(l));
      FINAL(await llm("Summarize these errors", errs.join("\\n")));`);
    expect(s.text).toBe('split(lines) |> filter(match) |> join |> llm |> FINAL');
    expect(s.growth).toBe('constant');
    expect(s.modelCallSites).toBe(1);
  });

  it('llm over chunks of the context, then a count: linear', () => {
    const s = skeletonOf(`
      const chunks = [];
      for (let i = 0; i < context.length; i += 10000) chunks.push(context.slice(i, i + 10000));
      const answers = await Promise.all(chunks.map((c) => llm("Does this mention the merger? yes/no", c)));
      FINAL(answers.filter((a) => a.toLowerCase().includes("yes")).length);`);
    expect(s.ops).toEqual(['chunk', 'map(llm)', 'filter(match)', 'count', 'FINAL']);
    expect(s.growth).toBe('linear');
  });

  it('summarize chunks then combine: chunk |> map(llm) |> join |> llm', () => {
    const s = skeletonOf(
      `const parts = context.match(/[\\s\\S]{1,8000}/g) || [];`,
      `const sums = await llmBatch(parts.map((p) => ({ query: "Summarize", context: p })));`,
      `FINAL(await llm("Combine these summaries", sums.join("\\n\\n")));`,
    );
    expect(s.text).toBe('chunk |> map(llm) |> join |> llm |> FINAL');
    expect(s.growth).toBe('linear');
  });

  it('needle search with early exit', () => {
    const s = skeletonOf(`
      let found = null;
      for (const c of context.match(/[\\s\\S]{1,5000}/g)) {
        const r = await llm("The launch code, or NONE", c);
        if (!r.includes("NONE")) { found = r; break; }
      }
      FINAL(found ?? "not found");`);
    expect(s.text).toBe('chunk |> search(llm) |> FINAL');
    expect(s.growth).toBe('linear');
  });

  it('a fixed number of calls is constant, also over a literal list of questions', () => {
    expect(skeletonOf('const lang = await llm("Language?", context.slice(0, 1000)); FINAL(await llm(`Translate from ${lang}`, context.slice(0, 3000)));').growth).toBe(
      'constant',
    );
    const s = skeletonOf('const qs = ["Who?", "When?", "Where?"]; const rs = await Promise.all(qs.map((q) => llm(q, context))); FINAL(rs.join("\\n"));');
    expect(s.growth).toBe('constant');
    expect(s.modelCallSites).toBe(1);
  });

  it('recursive halving through rlm: logarithmic', () => {
    const s = skeletonOf(`
      async function solve(text) {
        if (text.length < 20000) return await llm("Find all dates", text);
        const mid = Math.floor(text.length / 2);
        const left = await rlm("Find all dates", text.slice(0, mid));
        const right = await rlm("Find all dates", text.slice(mid));
        return await llm("Merge", left + "\\n" + right);
      }
      FINAL(await solve(context));`);
    expect(s.growth).toBe('logarithmic');
    expect(s.ops).toContain('rlm');
    expect(s.ops).toContain('halve');
    expect(s.ops[s.ops.length - 1]).toBe('FINAL');
  });

  it('self-recursion over halves: logarithmic; over a list: linear', () => {
    expect(
      skeletonOf(`
        function go(t) { if (t.length < 5000) return llm("Sum the numbers", t); const m = t.length >> 1; return go(t.slice(0, m)) + go(t.slice(m)); }
        FINAL(await go(context));`).growth,
    ).toBe('logarithmic');
    expect(
      skeletonOf(`
        async function each(items, i) { if (i >= items.length) return []; return [await llm("Classify", items[i]), ...(await each(items, i + 1))]; }
        FINAL(await each(context.split("\\n"), 0));`).growth,
    ).toBe('linear');
  });

  it('per-document answers over a JSON context', () => {
    const s = skeletonOf('const docs = JSON.parse(context); const rs = []; for (const d of docs) rs.push(await llm(`Author of ${d.title}?`, d.text)); FINAL(rs.join("\\n"));');
    expect(s.text).toBe('parse(json) |> map(llm) |> join |> FINAL');
  });
});

describe('prompt templates', () => {
  it('records literal parts and holes for interpolations', () => {
    const s = skeletonOf('const term = context.split("\\n")[0]; const rs = await Promise.all(context.split("\\n\\n").map((p) => llm(`Does this text mention ${term}? Answer yes or no.`, p))); FINAL(rs);');
    expect(s.prompts).toHaveLength(1);
    expect(s.prompts[0]).toMatchObject({ fn: 'llm', text: 'Does this text mention ${0}? Answer yes or no.', parts: ['Does this text mention ', '? Answer yes or no.'] });
    // holes are normalized expressions: `term` is the program's first variable
    expect(s.prompts[0].holes).toEqual(['v0']);
  });

  it('treats concatenation like interpolation and resolves a prompt held in a constant', () => {
    const s = skeletonOf('const q = "Rate the sentiment of: " + context.slice(0, 100) + " (1-5)"; FINAL(await llm(q));');
    expect(s.prompts[0].text).toBe('Rate the sentiment of: ${0} (1-5)');
    expect(s.prompts[0].holes).toEqual(['context.slice(0, 100)']);
  });

  it('lists plain prompts of llm and rlm calls once each', () => {
    const s = skeletonOf('const a = await rlm("Find dates", context.slice(0, 9)); const b = await llm("Find dates", context.slice(9)); const c = await llm("Find dates", context); FINAL(a + b + c);');
    expect(s.prompts.map((p) => `${p.fn}:${p.text}`).sort()).toEqual(['llm:Find dates', 'rlm:Find dates']);
  });
});

describe('library calls', () => {
  it('reports lib.<name>(...) calls anywhere in the run, sorted and unique', () => {
    const s = skeletonOf('print(lib.countMatches(context, "x"));', 'const r = lib["summarizeChunks"](context, 4000); FINAL(lib.countMatches(r, "y"));');
    expect(s.libCalls).toEqual(['countMatches', 'summarizeChunks']);
    expect(s.ops).toEqual(['lib.summarizeChunks', 'lib.countMatches', 'FINAL']);
  });

  it('is empty for programs that do not use the library', () => {
    expect(skeletonOf('FINAL(context.length);').libCalls).toEqual([]);
  });
});
