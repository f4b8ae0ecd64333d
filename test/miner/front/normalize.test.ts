import { describe, expect, it } from 'vitest';
import { FAMILY_NAMES, NO_VARIATION, generateProgram, type Variation } from '../../data/corpus/corpus.js';
import { UnparseableError, normalizeProgram } from '../../../miner/front/normalize.js';
import { analyzeProgram } from '../../../miner/front/parse.js';
import type { ProgramAnalysis, ProgramInput } from '../../../miner/front/types.js';

function analyze(p: ProgramInput): ProgramAnalysis {
  const a = analyzeProgram(p);
  if (!a.ok) throw new Error(`unexpectedly unparseable (${p.runId}): ${a.reason}`);
  return a;
}

const NAMES_LITERALS_LOOPS: Partial<Variation> = { ...NO_VARIATION, names: true, literals: true, loopForms: true };

describe('normalization: variants of one decomposition share one fingerprint', () => {
  for (const family of FAMILY_NAMES) {
    it(`${family}: 40 variants differing in names, literals and loop forms → 1 fingerprint`, () => {
      const fps = new Set<string>();
      for (let seed = 0; seed < 40; seed++) fps.add(analyze(generateProgram(family, 5000 + seed, NAMES_LITERALS_LOOPS)).fingerprint);
      expect(fps.size).toBe(1);
    });
  }

  it('also across statement order, extra prints/peeks, failed blocks, type annotations and block splits', () => {
    const vary: Partial<Variation> = { style: false };
    for (const family of FAMILY_NAMES) {
      const fps = new Set<string>();
      for (let seed = 0; seed < 25; seed++) fps.add(analyze(generateProgram(family, 9000 + seed, vary)).fingerprint);
      expect({ family, fingerprints: fps.size }).toEqual({ family, fingerprints: 1 });
    }
  });

  it('different decompositions get different fingerprints', () => {
    const byFamily = new Map<string, string>();
    for (const family of FAMILY_NAMES) byFamily.set(family, analyze(generateProgram(family, 77, NAMES_LITERALS_LOOPS)).fingerprint);
    expect(new Set(byFamily.values()).size).toBe(FAMILY_NAMES.length);
  });

  it('hand-written loop forms of chunk → map(llm) → count normalize alike', () => {
    const forms = [
      `const chunks = [];
       for (let i = 0; i < context.length; i += 5000) chunks.push(context.slice(i, i + 5000));
       const results = [];
       for (const c of chunks) {
         const r = await llm("Does this mention Paris? yes/no", c);
         results.push(r);
       }
       FINAL(results.filter(r => /yes/i.test(r)).length);`,
      `const parts: string[] = context.match(/[\\s\\S]{1,3000}/g) || [];
       const answers = await Promise.all(parts.map(async (p: string) => await recursive_llm(\`Is \${"London"} mentioned?\`, p)));
       let n = 0;
       for (const a of answers) { if (/no/.test(a)) n++; }
       FINAL_VAR("n");`,
      `// one batch call
       const pieces = Array.from({ length: Math.ceil(context.length / 4000) }, (_, k) => context.slice(k * 4000, (k + 1) * 4000));
       const outs = await llmBatch(pieces.map(x => ({ query: "Mentions Rome?", context: x })));
       FINAL(outs.reduce((acc, o) => acc + (/yes/i.test(o) ? 1 : 0), 0));`,
      `const out = [];
       for (let i = 0; i < context.length; i += 2000) {
         const piece = context.substring(i, i + 2000);
         out.push(await llm("Paris?", piece));
       }
       let count = 0;
       out.forEach((o) => { if (/y/.test(o)) count += 1; });
       FINAL(count);`,
    ];
    const fps = forms.map((f) => normalizeProgram(f));
    expect(new Set(fps.map((f) => f.fingerprint)).size).toBe(1);
    expect(fps[0].normalized).toBe('FINAL($chunk(context, $num).map((v0) => llm($str, v0)).filter((v1) => $re.test(v1)).length);');
  });
});

describe('normalizeProgram', () => {
  it('renames locals, parameters and functions by first occurrence and keeps API, globals and properties', () => {
    const { normalized } = normalizeProgram(`
      function summarize(text: string): Promise<string> { return llm("Summarize", text); }
      const docs = JSON.parse(context);
      const out = [];
      for (const doc of docs) out.push(await summarize(doc.body));
      print(out.length);
      FINAL(out.join("\\n") + Math.max(1, 2));`);
    expect(normalized).toContain('JSON.parse(context)');
    expect(normalized).toContain('.body');
    expect(normalized).toContain('llm($str');
    expect(normalized).toContain('Math.max($num, $num)');
    expect(normalized).toContain('print(');
    expect(normalized).not.toMatch(/\b(summarize|docs|doc|text|string|Promise)\b/);
    expect(normalized).toBe('let v0 = JSON.parse(context).map((v1) => llm($str, v1.body));\nprint(v0.length);\nFINAL(v0.join($str) + Math.max($num, $num));');
    expect(normalized).toMatch(/\bv0\b/);
  });

  it('names functions f0, f1 and variables v0, v1 in order of first occurrence', () => {
    const { normalized } = normalizeProgram(`
      function helperA(x) { return x + 1; }
      function helperB(y) { return helperA(y) * 2; }
      const start = helperB(3);
      const again = helperA(start);
      FINAL(again + helperB(again));`);
    expect(normalized.indexOf('f0')).toBeLessThan(normalized.indexOf('f1'));
    expect(normalized).not.toMatch(/helper|start|again/);
  });

  it('abstracts literals by type and keeps template holes as expressions', () => {
    const { normalized } = normalizeProgram('const who = context.split(" ")[0]; FINAL(`Hello ${who.toUpperCase()}, you are ${who.length} ` + 42 + /x+/g.source);');
    expect(normalized).toContain('$tpl(');
    expect(normalized).toContain('.toUpperCase()');
    expect(normalized).toContain('$re');
    expect(normalized).not.toMatch(/Hello|42|x\+/);
  });

  it('ignores comments, layout, type annotations and quote style', () => {
    const a = normalizeProgram(`const xs: string[] = context.split("\\n"); // lines\nFINAL(xs.length);`);
    const b = normalizeProgram(`/* split */ let   lines = context.split('\\n')\n\n\nFINAL(lines.length)`);
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('treats arrow and function expressions, and await placement, alike', () => {
    const a = normalizeProgram('const r = await Promise.all(context.split("\\n").map(async function (l) { return await llm("q", l); })); FINAL(r);');
    const b = normalizeProgram('const r = await Promise.all(context.split("\\n").map((l) => llm("q", l))); FINAL(r);');
    expect(a.fingerprint).toBe(b.fingerprint);
  });

  it('fingerprint is the sha256 of the normalized text', async () => {
    const { createHash } = await import('node:crypto');
    const r = normalizeProgram('FINAL(context.length)');
    expect(r.fingerprint).toBe(createHash('sha256').update(r.normalized).digest('hex'));
  });

  it('throws UnparseableError with the reason for code that does not parse', () => {
    expect(() => normalizeProgram('const x = ;')).toThrow(UnparseableError);
    expect(() => normalizeProgram('const x = ;')).toThrow(/syntax error at line 1/);
  });
});
