/** Functions over JSON input: `context` typed from the members' stored inputs, edge cases in JSON. */
import { describe, expect, it } from 'vitest';
import { contextInputSentence, contextTypeOf } from '../../../miner/generalize/context-type.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { jsonEdgeInputs } from '../../../miner/verify/edge-cases.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import { compiledJs } from '../../helpers/compiled.js';
import { cluster, members } from './helpers.js';

const RECORDS = [
  { id: 1, level: 'error', msg: 'disk full', amount: 3 },
  { id: 2, level: 'info', msg: 'started', amount: 1, tags: ['boot'] },
  { id: 3, level: 'error', msg: 'timeout', amount: 5 },
];

describe('the type of context', () => {
  it('is string for text, or when no input is stored', () => {
    expect(contextTypeOf([])).toBe('string');
    expect(contextTypeOf(['some text', 'more'])).toBe('string');
    expect(contextInputSentence(['text'])).toBeUndefined();
  });

  it('types records by their keys, a key some records lack optional', () => {
    expect(contextTypeOf([RECORDS])).toBe('{ id: number; level: string; msg: string; amount: number; tags?: string[] }[]');
    expect(contextTypeOf([{ 'a key': [1, 'x'], b: null }])).toBe('{ "a key": (number | string)[]; b: null }');
    expect(contextInputSentence([RECORDS])).toBe('`context` is JSON, not text: an array of records, each with `id`, `level`, `msg`, `amount`, `tags` (their types in the signature).');
  });
});

describe('a function over JSON records', () => {
  const program = (level: string, prompt: string) =>
    `const picked = context.filter((r) => r.level === ${JSON.stringify(level)});\nconst total = picked.reduce((a, r) => a + r.amount * 2, 0);\nconst notes = await llmBatch(picked.map((r) => ({ query: ${JSON.stringify(prompt)}, context: r.msg })));\nFINAL(\`\${total}: \${notes.join("; ")}\`);`;
  const levels = ['error', 'warn', 'error'];
  const prompts = ['Explain this log message in five words.', 'Say what this message means, briefly.', 'In a few words, what went wrong?'];

  it('type-checks as the model wrote it, says what input it expects, and runs on the records', async () => {
    const runs = members(levels.map((l, i) => program(l, prompts[i])), ['Which error lines, and why?', 'Which warn lines, and why?', 'Explain the error entries.']);
    const r = await generalizeMembers(cluster({ support: 3, size: 3 }), runs, { contextType: contextTypeOf([RECORDS]), contextSentence: contextInputSentence([RECORDS]) });
    if (isRejected(r)) throw new Error(r.rejected);
    expect(typeCheck(r.source)).toEqual({ ok: true });
    expect(r.signature).toMatch(/^\(context: \{ id: number; level: string; msg: string; amount: number; tags\?: string\[\] \}\[\], /);
    expect(r.params[0]).toMatchObject({ name: 'context', type: '{ id: number; level: string; msg: string; amount: number; tags?: string[] }[]' });
    expect(r.doc).toContain('Input: `context` is JSON, not text: an array of records, each with `id`, `level`');
    const fn = new Function('llm', 'llmBatch', 'rlm', 'print', `${compiledJs(r.name, r.source)}\nreturn ${r.name};`)(
      async () => 'x',
      async (items: unknown[]) => items.map(() => 'short'),
      async () => 'x',
      () => {},
    ) as (...args: unknown[]) => Promise<string>;
    expect(await fn(RECORDS, ...r.members[0].args)).toBe('16: short; short');
  });

  it('has JSON edge cases: an empty array, one record, one record with multibyte text', () => {
    const cases = jsonEdgeInputs(RECORDS);
    expect(cases.map((c) => c.name)).toEqual(['empty', 'single-chunk', 'multibyte']);
    expect(JSON.parse(cases[0].input)).toEqual([]);
    expect(JSON.parse(cases[1].input)).toEqual([RECORDS[0]]);
    expect(JSON.parse(cases[2].input)[0].msg).toMatch(/^disk full €😀/);
  });
});
