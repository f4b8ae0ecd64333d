/**
 * A check of the model's answers against the input (`context.includes(r)` in the filter that keeps
 * them) that some members make and the template does not: the function makes it too, its doc says
 * so, and run in the real sandbox it drops an answer a sub-call made up where the members' "first
 * answer" would have taken it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { adoptInputChecks } from '../../../miner/generalize/input-checks.js';
import { answerNames } from '../../../miner/generalize/answer-flow.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { printStatements } from '../../../miner/front/print.js';
import type { HostHandlers, LlmCallArgs } from '../../../src/sandbox/repl.js';
import type { Candidate } from '../../../miner/generalize/types.js';
import { cluster, members, programTree } from './helpers.js';
import { useSandbox } from './sandbox.js';

/** A member that asks every chunk and takes the first answer that is not NOT FOUND; `check` is what it adds to the filter. */
const firstAnswer = (project: string, check = '', trimFirst = true) => `const chunks = [];
for (let i = 0; i < context.length; i += 120) chunks.push(context.slice(i, i + 120));
const replies = await llmBatch(chunks.map((c) => ({ query: "What is the secret code for project ${project}? Answer with the code only, or NOT FOUND.", context: c })));
const found = replies${trimFirst ? '.map((r) => r.trim())' : ''}.filter((r) => r && !/not found/i.test(r)${check});
FINAL(found.length > 0 ? found[0] : "NOT FOUND");`;

const printed = (code: string) => printStatements(adoptInputChecks(programTree(firstAnswer('Fathom')), [programTree(code)]).tree.c);

describe('adoptInputChecks', () => {
  it('adds a member’s check against the input to the template’s filter of answers', () => {
    const r = adoptInputChecks(programTree(firstAnswer('Fathom')), [programTree(firstAnswer('Wren')), programTree(firstAnswer('Umber', ' && context.includes(r)'))]);
    expect(r.adoptedFrom).toBe(1);
    expect(printStatements(r.tree.c)).toContain('.filter((r) => (r && (!/not found/i.test(r))) && context.includes(r))');
  });

  it('follows a name bound to the input, and a check of the trimmed answer', () => {
    const aliased = `const text = context;\n${firstAnswer('Wren', ' && text.includes(r.trim())')}`;
    expect(printed(aliased)).toContain('&& context.includes(r))');
  });

  it('trims the answer when the template filters untrimmed replies', () => {
    const r = adoptInputChecks(programTree(firstAnswer('Fathom', '', false)), [programTree(firstAnswer('Wren', ' && context.includes(r)'))]);
    expect(printStatements(r.tree.c)).toContain('&& context.includes(r.trim()))');
  });

  it('leaves the template alone when no member checks, when it checks already, or for a check against something else', () => {
    const template = programTree(firstAnswer('Fathom'));
    expect(adoptInputChecks(template, [programTree(firstAnswer('Wren'))])).toEqual({ tree: template, adoptedFrom: 0 });
    const checking = programTree(firstAnswer('Fathom', ' && context.includes(r)'));
    expect(adoptInputChecks(checking, [programTree(firstAnswer('Wren', ' && context.includes(r)'))]).adoptedFrom).toBe(0);
    const known = `const KNOWN = ["1234-AB"];\n${firstAnswer('Wren', ' && KNOWN.includes(r)')}`;
    expect(adoptInputChecks(template, [programTree(known)]).adoptedFrom).toBe(0);
  });

  it('leaves a template that filters answers in two places alone (which one the check belongs to would be a guess)', () => {
    const two = `${firstAnswer('Fathom').replace(/FINAL\(.*$/, '')}const short = found.filter((r) => r.length < 20);\nFINAL(short[0] ?? "NOT FOUND");`;
    expect(adoptInputChecks(programTree(two), [programTree(firstAnswer('Wren', ' && context.includes(r)'))]).adoptedFrom).toBe(0);
  });

  it('knows which names hold model answers: bound, pushed in a loop, looped over', () => {
    const tree = programTree(`const parts = context.split("\\n");
const replies = [];
for (const p of parts) replies.push(await llm("q", p));
const cleaned = [];
for (const r of replies) cleaned.push(r.trim());
const count = parts.length;
FINAL(cleaned.join(",") + count);`);
    const names = answerNames(tree);
    expect([...names].sort()).toEqual(['cleaned', 'r', 'replies']);
  });
});

const TEXT = [
  'Project Lumen reported steady progress this quarter, with no incidents.',
  'The archive team moved the old records to the new building in March.',
  'For project Fathom the secret code is 1888-KF, issued by the security office.',
  'Nothing else of note happened at the harbour or in the northern depots.',
].join('\n');
const MADE_UP = '4821-QX';

/** A leaf that finds the code where the text gives it, and makes one up for the first chunk. */
function leaf(): HostHandlers {
  let calls = 0;
  const ask = async ({ context }: LlmCallArgs): Promise<string> => {
    calls++;
    const text = typeof context === 'string' ? context : '';
    const code = /secret code is (\d{4}-[A-Z]{2})/.exec(text)?.[1];
    return code ?? (calls === 1 ? `${MADE_UP}\n` : 'NOT FOUND');
  };
  return { llm: ask, rlm: ask, llmBatch: async ({ calls: items }) => { const out: string[] = []; for (const c of items) out.push(await ask(c)); return out; } };
}

const sandbox = useSandbox();
let candidate: Candidate;

beforeAll(async () => {
  const r = await generalizeMembers(cluster(), members([firstAnswer('Fathom'), firstAnswer('Wren'), firstAnswer('Umber', ' && context.includes(r)'), firstAnswer('Gossamer')]));
  if (isRejected(r)) throw new Error(r.rejected);
  candidate = r;
});

describe('a function mined from members of which some check their answers against the input', () => {
  it('checks too, and its doc says so', () => {
    expect(candidate.source).toMatch(/\.filter\(\(r\) => \(r && \(!\/not found\/i\.test\(r\)\)\) && context\.includes\(r\)\)/);
    expect(candidate.doc.split('\n')[1]).toBe('It keeps only answers that occur word for word in `context`, so an answer a model call made up is dropped (1 of the 4 logged runs it stands for checked this).');
  });

  it('drops an answer a sub-call made up and returns the one the text gives', async () => {
    const r = await sandbox.call(candidate, candidate.members[0].args, TEXT, leaf());
    expect(r.error).toBeUndefined();
    expect(r.final).toBe('1888-KF');
  });
});
