/** Parameter extraction: literals that differ become parameters, at most three, the rest options with member defaults. */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { alignLiterals } from '../../../miner/generalize/align.js';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { literalSites } from '../../../miner/generalize/literals.js';
import { mostCommon, planParams, typeOfValues } from '../../../miner/generalize/params.js';
import { sliceProgram } from '../../../miner/front/program.js';
import type { Candidate } from '../../../miner/generalize/types.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import { cluster, members } from './helpers.js';

interface Variant {
  prompt: string;
  size: number;
  labels: string[];
  pattern: string;
  tag: string;
}

/** A classify-like program; everything in a variant is a literal, the separator never varies. */
const program = (v: Variant) => `const chunks = [];
for (let i = 0; i < context.length; i += ${v.size}) chunks.push(context.slice(i, i + ${v.size}));
print(chunks.length, 'chunks');
const answers = await llmBatch(chunks.map((c) => ({ query: ${JSON.stringify(v.prompt)}, context: c })));
const labels = ${JSON.stringify(v.labels)};
const counts = {};
for (const a of answers) {
  for (const line of a.split("\\n")) {
    const l = line.trim().toLowerCase();
    if (labels.includes(l)) counts[l] = (counts[l] || 0) + 1;
  }
}
const matching = answers.filter((a) => /${v.pattern}/i.test(a));
print('debug', counts);
FINAL(JSON.stringify({ counts, matching: matching.length, tag: ${JSON.stringify(v.tag)} }));`;

const L1 = ['refund', 'billing'];
const L2 = ['praise', 'bug'];
const VARIANTS: Variant[] = [
  { prompt: 'Label each line.', size: 4000, labels: L1, pattern: 'refund', tag: 'v1' },
  { prompt: 'Classify every line.', size: 4000, labels: L1, pattern: 'refund', tag: 'v1' },
  { prompt: 'Tag each row.', size: 6000, labels: L1, pattern: 'refund', tag: 'v2' },
  { prompt: 'Give the category of each line.', size: 6000, labels: L2, pattern: 'refund', tag: 'v1' },
  { prompt: 'Name the label of each line.', size: 8000, labels: L2, pattern: 'billing', tag: 'v2' },
  { prompt: 'Label each line.', size: 4000, labels: L1, pattern: 'refund', tag: 'v1' },
];

async function generalized(variants: Variant[] = VARIANTS, maxParams?: number): Promise<Candidate> {
  const runs = members(variants.map(program));
  const result = await generalizeMembers(cluster({ support: runs.length, size: runs.length }), runs, { maxParams });
  if (isRejected(result)) throw new Error(result.rejected);
  return result;
}

describe('parameter extraction', () => {
  it('turns the literals that differ into parameters: the three that vary most required (numbers never), the rest options', async () => {
    const c = await generalized();
    const required = c.params.filter((p) => p.name !== 'context' && p.default === undefined);
    const options = c.params.filter((p) => p.default !== undefined && p.name !== 'checked');
    expect(c.params[c.params.length - 1]).toMatchObject({ name: 'checked', type: 'boolean', default: false });
    expect(c.params[0]).toMatchObject({ name: 'context', type: 'string' });
    // the prompt (5 distinct values) varies most, but only in wording (no member's names anything its
    // question names): an option; of those that vary twice, the label list and the pattern matter
    // most; the size (3 values) is a number: tuning, never required
    expect(required.map((p) => p.type)).toEqual(['string[]', 'string']);
    expect(required.map((p) => p.name)).toEqual(['labels', 'pattern']);
    // the size, the instruction and the tag become options whose defaults are the members' most common values
    expect(options.map((p) => [p.type, p.default])).toEqual([
      ['number', 4000],
      ['string', 'Label each line.'],
      ['string', 'v1'],
    ]);
    expect(c.signature).toMatch(/^\(context: string, labels: string\[\], pattern: string, opts\?: \{ \w+\?: number; instruction\?: string; \w+\?: string; checked\?: boolean \}\) => Promise<string>$/);
    // the separator is the same in every member: it stays a literal
    expect(c.source).toContain('a.split("\\n")');
    // print of peeks is gone; FINAL became a return
    expect(withoutDoc(c.source)).not.toMatch(/\bprint\(|FINAL/);
    expect(c.source).toMatch(/return JSON\.stringify\(/);
    expect(typeCheck(c.source)).toEqual({ ok: true });
  });

  it('one parameter for a literal written twice with the same values (the chunk size)', async () => {
    const c = await generalized();
    const size = c.params.find((p) => p.type === 'number')?.name ?? '';
    // the options type in the signature and both uses, each with the members' most common value as its default
    expect(withoutDoc(c.source).match(new RegExp(`\\b${size}\\b`, 'g'))?.length).toBe(3);
    expect(withoutDoc(c.source).match(new RegExp(`opts\\.${size} \\?\\? 4000`, 'g'))?.length).toBe(2);
    expect(withoutDoc(c.source)).not.toMatch(/\b(6000|8000)\b/);
  });

  it('gives each member the arguments that reproduce it: its values, and options only where they differ from the default', async () => {
    const c = await generalized();
    const [, , , , m4] = c.members;
    expect(m4.args.slice(0, 2)).toEqual([L2, 'billing']);
    const optionKeys = c.params.filter((p) => p.default !== undefined && p.name !== 'checked').map((p) => p.name);
    expect(m4.args[2]).toEqual({ [optionKeys[0]]: 8000, [optionKeys[1]]: 'Name the label of each line.', [optionKeys[2]]: 'v2' });
    expect(c.members[0].args).toEqual([L1, 'refund']); // every option at its default: no options object
    expect(c.members.every((m) => m.structuralDiff === 0 && m.unaligned === 0)).toBe(true);
  });

  it('keeps an instruction required when it names what its own question names (a project), an option when only its wording varies', async () => {
    const needle = (project: string, wording: string) =>
      `const parts = [];\nfor (let i = 0; i < context.length; i += 5000) parts.push(context.slice(i, i + 5000));\nconst rs = await llmBatch(parts.map((p) => ({ query: ${JSON.stringify(`${wording} project ${project}? Reply with the code or NOT FOUND.`)}, context: p })));\nFINAL(rs.find((r) => !/NOT FOUND/.test(r)) ?? "NOT FOUND");`;
    const projects = ['Umber', 'Halcyon', 'Wren', 'Sable'];
    const wordings = ['What is the secret code of', 'Give the code of', 'Which code belongs to', 'What code does the text give for'];
    const generalize = async (queries: string[]) => {
      const runs = members(projects.map((p, i) => needle(p, wordings[i]))).map((m, i) => ({ ...m, query: queries[i] }));
      const r = await generalizeMembers(cluster({ support: runs.length, size: runs.length }), runs);
      if (isRejected(r)) throw new Error(r.rejected);
      return r;
    };
    const tied = await generalize(projects.map((p) => `Find the secret code of project ${p}.`));
    expect(tied.params.filter((p) => p.default === undefined).map((p) => p.name)).toEqual(['context', 'instruction']);
    // the same programs asked by questions that do not name the projects: the wording is the function's own business
    const untied = await generalize(projects.map((_, i) => `What is the code? (${i})`));
    expect(untied.params.filter((p) => p.default === undefined).map((p) => p.name)).toEqual(['context']);
    expect(untied.params.find((p) => p.name === 'instruction')?.default).toBe('What is the secret code of project Umber? Reply with the code or NOT FOUND.');
  });

  it('says what each number does: lines per model call, or where the code uses it', async () => {
    const batches = (per: number, clip: number) =>
      `const rows = context.split("\\n").filter((l) => l.trim());\nconst groups = [];\nfor (let i = 0; i < rows.length; i += ${per}) groups.push(rows.slice(i, i + ${per}).join("\\n"));\nconst replies = await llmBatch(groups.map((g) => ({ query: "Label each line.", context: g })));\nconst bad = replies.filter((r) => !r.trim()).map((r) => r.slice(0, ${clip}));\nFINAL(replies.join("\\n") + bad.join(""));`;
    const runs = members([batches(40, 60), batches(50, 80), batches(40, 60)]);
    const c = await generalizeMembers(cluster({ support: 3, size: 3 }), runs);
    if (isRejected(c)) throw new Error(c.rejected);
    expect(c.doc).toMatch(/`size` \(number\): how many lines go into one model call; default 40\./);
    expect(c.doc).toMatch(/`\w+` \(number\): a number the code uses, as in `r\.slice\(0, \w+\)`; default 60\./);
    expect(c.doc).not.toContain('a size or count');
  });

  it('respects maxParams: with one, the rest become options', async () => {
    const c = await generalized(VARIANTS, 1);
    expect(c.params.filter((p) => p.default === undefined).map((p) => p.name)).toEqual(['context', 'labels']);
    expect(c.params.filter((p) => p.default !== undefined && p.name !== 'checked')).toHaveLength(4);
    expect(c.params.find((p) => p.type === 'number')?.default).toBe(4000);
  });

  it('keeps literals that never vary, and makes no parameters when nothing varies', async () => {
    const same = VARIANTS.map(() => VARIANTS[0]);
    const c = await generalized(same);
    // Only the checked form's switch: nothing the members vary.
    expect(c.params.map((p) => p.name)).toEqual(['context', 'checked']);
    expect(c.signature).toBe('(context: string, opts?: { checked?: boolean }) => Promise<string>');
    expect(c.source).toContain('"Label each line."');
  });
});

describe('the pieces', () => {
  it('alignLiterals pairs literal sites across local renamings; structure that differs is counted, not parameterized', () => {
    const a = sliceProgram('a', [{ stepIdx: 0, blockIdx: 0, code: 'const parts = context.split("\\n\\n");\nFINAL(await llm("Summarize.", parts[0].slice(0, 500)));', status: 'final' }]);
    const b = sliceProgram('b', [{ stepIdx: 0, blockIdx: 0, code: 'const blocks = context.split("\\n\\n");\nFINAL(await llm("Summarise briefly.", blocks[0].slice(0, 800)));', status: 'final' }]);
    const c = sliceProgram('c', [{ stepIdx: 0, blockIdx: 0, code: 'const blocks = context.split("\\n\\n");\nFINAL((await llm("Summarize.", blocks[0])).trim());', status: 'final' }]);
    if (!a.ok || !b.ok || !c.ok) throw new Error('slice failed');
    const ab = alignLiterals(a.program.tree, b.program.tree);
    expect(ab.structuralDiff).toBe(0);
    expect([...ab.values.values()].map((l) => l.value)).toEqual(['\n\n', 'Summarise briefly.', 0, 0, 800]);
    const ac = alignLiterals(a.program.tree, c.program.tree);
    expect(ac.structuralDiff).toBeGreaterThan(0);
    expect(ac.values.size).toBeLessThan(literalSites(a.program.tree).length);
  });

  it('planParams ranks by distinct values, then by role weight', () => {
    const t = sliceProgram('t', [{ stepIdx: 0, blockIdx: 0, code: 'FINAL([1, "x", "y", 2].join(""));', status: 'final' }]);
    if (!t.ok) throw new Error('slice failed');
    const sites = literalSites(t.program.tree);
    expect(sites).toHaveLength(2); // the array of literals is one site; "" is the other
    const other = (vals: string[]) => sliceProgram('m', [{ stepIdx: 0, blockIdx: 0, code: `FINAL(${JSON.stringify(vals)}.join(${JSON.stringify(vals[0])}));`, status: 'final' }]);
    const ms = [other(['a']), other(['b']), other(['c'])].map((m) => (m.ok ? m.program.tree : t.program.tree));
    const plan = planParams({ sites, alignments: ms.map((m) => alignLiterals(t.program.tree, m)), weightOf: () => 1, maxParams: 1 });
    expect(plan).toHaveLength(2);
    expect(plan.filter((p) => p.required)).toHaveLength(1);
    expect(plan[0].required).toBe(true);
    expect(plan[0].distinct).toBe(3);
  });

  it('mostCommon and typeOfValues', () => {
    expect(mostCommon([1, 2, 2, undefined, 1, 2], 0)).toBe(2);
    expect(mostCommon([undefined], 'd')).toBe('d');
    expect(mostCommon(['a', 'b'], 'z')).toBe('a');
    expect(typeOfValues('json', [['a'], ['b', 'c']])).toBe('string[]');
    expect(typeOfValues('json', [{ a: 0 }, { b: 1 }])).toBe('Record<string, number>');
    expect(typeOfValues('json', [[1, 'a']])).toBe('(number | string)[]');
    expect(typeOfValues('num', [1])).toBe('number');
    expect(typeOfValues('re', ['x'])).toBe('string');
  });
});

describe('an answer sentence whose wording varies in several places', () => {
  it('is one option with {placeholders}, not one option per fragment', async () => {
    const program = (a: string, b: string, c: string) =>
      `const rows = context.split("\\n");\nconst answers = await llmBatch(rows.map((r) => ({ query: "Is this review negative? Reply yes or no.", context: r })));\nconst neg = answers.filter((x) => /yes/i.test(x)).length;\nconst pct = Math.round((100 * neg) / rows.length);\nFINAL(\`${a}\${pct}${b}\${neg}${c}\${rows.length}).\`);`;
    const runs = members([program('About ', '% are negative (', ' of '), program('Roughly ', '% of reviews are negative (', ' out of '), program('About ', '% are negative (', ' of ')]);
    const c = await generalizeMembers(cluster({ support: 3, size: 3 }), runs);
    if (isRejected(c)) throw new Error(c.rejected);
    const options = c.params.filter((p) => p.default !== undefined && p.name !== 'checked');
    expect(options.map((p) => p.name)).toEqual(['answerWording']);
    expect(options[0].default).toBe('About {pct}% are negative ({neg} of {rowsCount}).');
    expect(c.doc).toContain('`answerWording` (string): the wording of the answer, as the members wrote it; the function puts `{pct}` (the value of `pct`), `{neg}` (the value of `neg`) and `{rowsCount}` (the number of rows) where the text has them: keep them in yours');
    // several placeholders are filled in one pass
    expect(withoutDoc(c.source)).toContain('.replace(/\\{(pct|neg|rowsCount)\\}/g, (whole, key) => (key === "pct") ? String(pct) : ((key === "neg") ? String(neg) : String(rows.length)))');
    // each member's own wording reproduces its answer
    expect(c.members[1].args).toEqual([{ answerWording: 'Roughly {pct}% of reviews are negative ({neg} out of {rowsCount}).' }]);
  });
});

describe('filling placeholders', () => {
  it('sends exactly the member\'s instruction, even when a filled value holds another placeholder\'s name', async () => {
    const program = (before: string, after: string) =>
      `const docs = JSON.parse(context);\nconst LABELS = ["bug", "feature"];\nconst out = [];\nfor (const d of docs) out.push(await llm(\`${before} "\${d.title}" with one of \${LABELS.join(", ")}. ${after}\`, d.body));\nFINAL(out.join("\\n"));`;
    const runs = members([program('Label the ticket titled', 'One word.'), program('Tag the issue named', 'Reply with one word.'), program('Label the ticket titled', 'One word.')]);
    const c = await generalizeMembers(cluster({ support: 3, size: 3 }), runs);
    if (isRejected(c)) throw new Error(c.rejected);
    const js = ts.transpileModule(c.source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText.replace(/^export /m, '');
    const sent: string[] = [];
    const llm = async (query: string) => {
      sent.push(query);
      return 'bug';
    };
    const llmBatch = async (items: { query: string }[]) => Promise.all(items.map((i) => llm(i.query)));
    const fn = new Function('llm', 'llmBatch', 'print', `${js}\nreturn ${c.name};`)(llm, llmBatch, () => {}) as (context: string, ...args: unknown[]) => Promise<string>;
    const docs = [{ title: 'Support {labels} and {title} in i18n strings', body: 'x' }];
    const option = c.params.find((p) => typeof p.default === 'string' && String(p.default).includes('{labels}'));
    expect(option, JSON.stringify(c.params)).toBeDefined();
    await fn(JSON.stringify(docs), { [option!.name]: 'Tag the issue named "{title}" with one of {labels}. Reply with one word.' });
    expect(sent).toEqual(['Tag the issue named "Support {labels} and {title} in i18n strings" with one of bug, feature. Reply with one word.']);
  });
});

describe('an instruction written twice (a retry)', () => {
  it('is one parameter, filled in at both places', async () => {
    const program = (before: string, after: string) =>
      `const LABELS = ["bug", "feature"];\nconst out = [];\nfor (const r of context.split("\\n")) {\n  let a = await llm(\`${before} \${LABELS.join(", ")}. ${after}\`, r);\n  if (!a.trim()) a = await llm(\`${before} \${LABELS.join(", ")}. ${after}\`, r);\n  out.push(a.trim());\n}\nFINAL(out.join("\\n"));`;
    const runs = members([program('Label this line with one of', 'One word.'), program('Tag this line as one of', 'Reply with one word.'), program('Label this line with one of', 'One word.')]);
    const c = await generalizeMembers(cluster({ support: 3, size: 3 }), runs);
    if (isRejected(c)) throw new Error(c.rejected);
    expect(c.doc).not.toContain('between the values');
    const code = withoutDoc(c.source);
    expect(code.match(/\.split\("\{labels\}"\)\.join\(LABELS\.join\(", "\)\)/g)).toHaveLength(2);
    const instruction = c.params.find((p) => typeof p.default === 'string' && String(p.default).includes('{labels}'));
    expect(instruction?.default).toBe('Label this line with one of {labels}. One word.');
    expect(c.members[1].args).toEqual([{ [instruction!.name]: 'Tag this line as one of {labels}. Reply with one word.' }]);
  });
});
