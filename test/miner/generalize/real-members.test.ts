/**
 * Generalizing programs a frontier model wrote (fixtures copied from ../shared/corpora, see
 * test/data/generalize): names that say what the code does with its input, docs that say what it
 * expects, returns and costs, parameters for what the users' questions supply, clean typed code,
 * the template taken from the largest structural sub-group, and the opt-in checked form.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { compileFunction } from '../../../src/library/compile.js';
import { withoutDoc } from '../../../miner/generalize/gain.js';
import type { MemberRun } from '../../../miner/generalize/members.js';
import type { Candidate } from '../../../miner/generalize/types.js';
import { typeCheck } from '../../../miner/verify/typecheck.js';
import { cluster } from './helpers.js';

interface Fixture {
  members: { runId: string; query: string; answer: string; blocks: MemberRun['blocks'] }[];
}

function fixture(name: string): MemberRun[] {
  const data = JSON.parse(readFileSync(new URL(`../../data/generalize/${name}.json`, import.meta.url), 'utf8')) as Fixture;
  return data.members.map((m) => ({ ...m, source: 'import', contextSha256: null }));
}

async function generalize(name: string, skeleton: string, representative?: string): Promise<Candidate> {
  const runs = fixture(name);
  const r = await generalizeMembers(cluster({ id: `c-${name}`, skeleton, representativeRunId: representative ?? runs[0].runId }), runs);
  if (isRejected(r)) throw new Error(r.rejected);
  return r;
}

type Fn = (context: string, ...args: unknown[]) => Promise<string>;

/** The function compiled as runs load it, with llm/llmBatch answered by `reply`. */
function load(c: Candidate, reply: (query: string, context: unknown) => string): { fn: Fn; queries: string[] } {
  const compiled = compileFunction({ name: c.name, version: '1.0.0', source: c.source });
  if (!compiled.ok) throw new Error(compiled.error);
  const queries: string[] = [];
  const answer = (query: string, context: unknown) => {
    queries.push(query);
    return reply(query, context);
  };
  const llm = async (query: string, context?: unknown) => answer(query, context);
  const llmBatch = async (items: { query: string; context?: unknown }[]) => items.map((i) => answer(i.query, i.context));
  const fn = new Function('llm', 'llmBatch', 'rlm', 'print', `${compiled.fn.js}\nreturn ${c.name};`)(llm, llmBatch, llm, () => {}) as Fn;
  return { fn, queries };
}

/** Identifiers the emitted code declares or uses. */
const identifiers = (source: string) => new Set(withoutDoc(source).match(/\b[A-Za-z_$][\w$]*\b/g) ?? []);

function expectCleanCode(c: Candidate): void {
  expect(typeCheck(c.source)).toEqual({ ok: true });
  expect(c.source).not.toMatch(/\bany\b/);
  expect([...identifiers(c.source)].filter((n) => /^[a-z]+[A-Za-z]*\d+$/.test(n))).toEqual([]);
  expect(c.name).not.toMatch(/\d/);
}

const FILES = [
  '// File: src/a.ts',
  'export function f(x: number) { if (x == 1) return 0; }',
  '// File: src/b.ts',
  'export async function g() { try { await h(); } catch (e) {} }',
  '',
].join('\n');

describe('a code review the model wrote three times (split at `// File: ` headers)', () => {
  it('is named for files, not sentences, and its doc says what it expects, returns and costs', async () => {
    // The skeleton's label says "sentences" (any regular-expression split); the code splits at headers.
    const c = await generalize('code-review', 'split(sentences) |> filter(match) |> loop(code) |> map(llm) |> loop(code) |> sort |> join |> FINAL');
    expect(c.name).toBe('reviewFilesWithLlm');
    expect(c.doc).toMatch(/^Reviews the files of `context`, packed into chunks of at most 5000 characters, by asking the model/);
    expect(c.doc).toContain('Input: `context` is text made of files, separated by a line starting with `// File: `');
    // the line format and what a line stands for, as the instruction asks for them ("Output one line \"path: kind\" per defect")
    expect(c.doc).toContain('Returns `path: kind` lines, one per defect, or an empty string when there is none');
    expect(c.doc).toContain('Model calls: one per chunk of at most 5000 characters (about input length / 5000), sent together in one batch.');
    expect(c.doc).toMatch(/Not for input without lines starting with `\/\/ File: `/);
    expect(c.doc).toContain('{ checked: true }');
    expect(c.doc).not.toMatch(/sentences|\|>/);
    expectCleanCode(c);
  });

  it('makes the kinds the users listed in their questions a parameter, though every member used the same list', async () => {
    const c = await generalize('code-review', 'split(sentences) |> map(llm) |> join |> FINAL');
    const kinds = c.params.find((p) => p.name === 'kinds');
    expect(kinds).toMatchObject({ type: 'string[]' });
    expect(c.doc).toContain("`kinds` (string[]): the allowed labels (a list); take it from the user's question");
    expect(c.signature).toBe('(context: string, kinds: string[], opts?: { checked?: boolean }) => Promise<string>');
    expect(c.members.every((m) => Array.isArray(m.args[0]) && (m.args[0] as string[]).includes('off-by-one'))).toBe(true);
  });

  it('returns the answer string by default, with the calls the members made', async () => {
    const c = await generalize('code-review', 'split(sentences) |> map(llm) |> join |> FINAL');
    const { fn, queries } = load(c, () => 'src/a.ts: loose-equality\nsrc/b.ts: empty-catch');
    expect(await fn(FILES, ...c.members[0].args)).toBe('src/a.ts: loose-equality\nsrc/b.ts: empty-catch');
    expect(queries).toHaveLength(1);
  });

  it('checked, it retries an empty answer once and reports the piece that still fails', async () => {
    const c = await generalize('code-review', 'split(sentences) |> map(llm) |> join |> FINAL');
    const { fn, queries } = load(c, () => '');
    const out = JSON.parse(await fn(FILES, c.members[0].args[0], { checked: true })) as { answer: string; pieces: { problem?: string; retried: boolean; context: string }[]; failures: unknown[] };
    expect(queries).toHaveLength(2);
    expect(queries[1]).toContain('An earlier answer could not be used: empty answer');
    expect(out.answer).toBe('');
    expect(out.pieces).toHaveLength(1);
    expect(out.pieces[0]).toMatchObject({ retried: true, problem: 'empty answer' });
    expect(out.pieces[0].context).toContain('// File: src/a.ts');
    expect(out.failures).toEqual(out.pieces);
  });

  it('checked, an answer of NONE is fine where the instruction allows it', async () => {
    const c = await generalize('code-review', 'split(sentences) |> map(llm) |> join |> FINAL');
    const { fn, queries } = load(c, () => 'NONE');
    const out = JSON.parse(await fn(FILES, c.members[0].args[0], { checked: true })) as { failures: unknown[] };
    expect(queries).toHaveLength(1);
    expect(out.failures).toEqual([]);
  });
});

describe('people grouped into pairs by the fields the question names', () => {
  it('takes the keys from the question, types the parsed records without any, and reports its own failed check with the answer it computed', async () => {
    const c = await generalize('pairs', 'split(lines) |> filter(match) |> chunk |> map(llm) |> parse(json) |> join |> FINAL', '7402a8aa-7fa5-4091-aed1-723e057b3e77');
    expect(c.name).toBe('extractFromMatchingLinesWithLlm');
    // the instruction ("Extract every person …") varies only in wording: an option; the keys come from the question
    expect(c.params.map((p) => p.name)).toEqual(['context', 'pattern', 'keys', 'instruction', 'checked']);
    expect(c.doc).toContain('Input: `context` is text made of lines, separated by line breaks.');
    expect(c.doc).toContain('Returns `A - B` lines, one per item');
    expect(c.doc).toContain('no JSON');
    expect(withoutDoc(c.source)).toContain('Record<string, unknown>[]');
    // The logged check (`people.length === profileLines.length`) failing throws an error that says so and carries the pairs.
    expect(withoutDoc(c.source)).toMatch(/throw new Error\(`extractFromMatchingLinesWithLlm: its own final check failed.*\$\{String\(pairs\.join\("\\n"\)\)\.slice\(0, 500\)\}`\);\n}/);
    expectCleanCode(c);
  });
});

describe('report summaries, one member with an extra branch', () => {
  it('is generalized from the two members that share a structure, even when the medoid is the odd one', async () => {
    const odd = '747f0afd-dd4d-42b9-a314-59c55b182c6a';
    const c = await generalize('summary', 'split(sections) |> map(llm) |> join |> FINAL', odd);
    expect(c.templateRunId).not.toBe(odd);
    expect(c.templateGroup).toHaveLength(2);
    expect(c.templateGroup).not.toContain(odd);
    expect(withoutDoc(c.source)).not.toContain('s.length <= 6000');
    expect(c.name).toBe('summarizeSectionsWithLlm');
    expect(c.doc).toContain('separated by a line starting with `## `');
    // the heading differs between members: a parameter, with the members' values
    const heading = c.params.find((p) => p.type === 'string' && p.name !== 'context');
    expect(heading).toBeDefined();
    expect(new Set(c.members.map((m) => m.args[0])).size).toBe(2);
    expectCleanCode(c);
  });
});
