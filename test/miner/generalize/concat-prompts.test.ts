/**
 * Instructions built with `+` around a computed value read as the template literals they equal, so
 * a two-hop function takes its second question as one instruction with `{owner}` — not the pieces
 * of text around the value as options named `text` and `otherText` — and names its parameters after
 * the helper's own (`question`, `mention`, `secondQuestion`), which the helper binds for itself.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { asTemplate, concatPromptsToTemplates } from '../../../miner/generalize/concat-prompts.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { printNode, printStatements } from '../../../miner/front/print.js';
import type { HostHandlers, LlmCallArgs } from '../../../src/sandbox/repl.js';
import type { Candidate } from '../../../miner/generalize/types.js';
import { cluster, members, programTree } from './helpers.js';
import { useSandbox } from './sandbox.js';

const expr = (code: string) => programTree(`FINAL(${code});`).c[0].c[0].c[1];

describe('asTemplate', () => {
  it('writes a concatenation with text as the template literal it equals', () => {
    expect(printNode(asTemplate(expr('"Where is " + owner + " based?"'))!)).toBe('`Where is ${owner} based?`');
    expect(printNode(asTemplate(expr('"Is " + q + " in `the list`?"'))!)).toBe('`Is ${q} in \\`the list\\`?`');
    expect(printNode(asTemplate(expr('"Items: " + `${a} and ${b}` + "."'))!)).toBe('`Items: ${a} and ${b}.`');
  });

  it('leaves alone what may add numbers first, holds no value between two texts, or no text', () => {
    expect(asTemplate(expr('a + b + " items " + c'))).toBeUndefined();
    expect(asTemplate(expr('"So far: " + summary'))).toBeUndefined();
    expect(asTemplate(expr('question + " Reply NONE."'))).toBeUndefined();
    expect(asTemplate(expr('a + b'))).toBeUndefined();
  });
});

describe('concatPromptsToTemplates', () => {
  it('rewrites instructions (a query, an argument a helper sends as one, a name used as one) and nothing else', () => {
    const tree = concatPromptsToTemplates(
      programTree(`const ask = async (question, text) => llm("Question: " + question + " Reply NONE if unsure.", text);
const first = await ask("Who bought " + "Kilner?", context);
const q = "Where is " + first + "?";
const second = await llm(q, context);
FINAL("Answer: " + second);`),
    );
    const code = printStatements(tree.c);
    expect(code).toContain('llm(`Question: ${question} Reply NONE if unsure.`, text)');
    expect(code).toContain('let q = `Where is ${first}?`;');
    // a concatenation of text alone, and the answer, are left as written
    expect(code).toContain('ask("Who bought " + "Kilner?", context)');
    expect(code).toContain('FINAL("Answer: " + second)');
  });
});

/** A two-hop member: who bought the company, then where the buyer is; the second question built with `+`. */
const twoHop = (company: string, follow: [string, string]) => `const docs = context.split(/\\n(?=### )/);
async function searchDocs(question, mention) {
  const pool = docs.filter((d) => d.includes(mention));
  const replies = await llmBatch(pool.map((d) => ({ query: question + " Reply NONE if the text does not say.", context: d })));
  const good = replies.map((r) => r.trim()).filter((r) => r && r !== "NONE");
  return good.length > 0 ? good[0] : "NONE";
}
const owner = await searchDocs("Who acquired ${company}? Give the company name only.", "${company}");
const out = owner === "NONE" ? "NONE" : await searchDocs(${JSON.stringify(follow[0])} + owner + ${JSON.stringify(follow[1])}, owner);
FINAL(out);`;

const DOCS = ['### 1\nAcme Corp acquired Zenith Logistics in 2019.', '### 2\nAcme Corp is headquartered in Naples.', '### 3\nNothing here.'].join('\n');

const sandbox = useSandbox();
let candidate: Candidate;

beforeAll(async () => {
  const r = await generalizeMembers(
    cluster({ skeleton: 'split(sections) |> filter(match) |> map(llm) |> filter(match) |> index |> FINAL' }),
    members(
      [twoHop('Kilner Holdings', ['Where is ', ' headquartered? Reply with the city.']), twoHop('Zenith Logistics', ['In which city is ', ' based? Reply with the city.']), twoHop('Calder Energy', ['Where is ', ' headquartered? Reply with the city.'])],
      ['Where is the company that bought Kilner Holdings based?', 'Which city is the buyer of Zenith Logistics in?', 'Where is the company that acquired Calder Energy headquartered?'],
    ),
  );
  if (isRejected(r)) throw new Error(r.rejected);
  candidate = r;
});

describe('a two-hop function whose members build the second question with +', () => {
  it('takes it as one instruction with {owner}, and names its parameters after the helper’s', () => {
    expect(candidate.signature).toMatch(/^\(context: string, question: string, mention: string, opts\?: \{ secondQuestion\?: string;/);
    expect(candidate.params.map((p) => p.name)).not.toContain('text');
    expect(candidate.params.map((p) => p.name)).not.toContain('otherText');
    expect(candidate.doc).toContain('the function puts `{owner}` (what the model answered earlier, `owner`) where the text has it');
    expect(candidate.doc).toContain('default "Where is {owner} headquartered? Reply with the city."');
    // the helper uses `mention` to select documents: the doc says so, with the helper's code
    expect(candidate.doc).toContain('`mention` (string): plain text (not a regular expression) that selects the sections to use: those containing it, as in `d.includes(mention)`');
  });

  it('asks each member’s own second question', async () => {
    const asked: string[] = [];
    const ask = async ({ query, context }: LlmCallArgs): Promise<string> => {
      asked.push(query);
      const text = typeof context === 'string' ? context : '';
      if (query.startsWith('Who acquired') && text.includes('acquired')) return 'Acme Corp';
      if (/Acme Corp/.test(query) && text.includes('headquartered')) return 'Naples';
      return 'NONE';
    };
    const handlers: HostHandlers = { llm: ask, rlm: ask, llmBatch: async ({ calls }) => Promise.all(calls.map(ask)) };
    const r = await sandbox.call(candidate, candidate.members[1].args, DOCS, handlers);
    expect(r.error).toBeUndefined();
    expect(asked).toContain('In which city is Acme Corp based? Reply with the city. Reply NONE if the text does not say.');
  });
});

/** A refine step: the instruction wraps the draft and the objections, joined by a separator the members vary. */
const refine = (intro: string, separator: string) => `const parts = context.split("\\n\\n");
let draft = await llm("Answer the question from this part.", parts[0]);
const objections = await llmBatch(parts.slice(1).map((p) => ({ query: "Does this part contradict the draft? Reply NO or the reason.", context: p })));
draft = await llm(${JSON.stringify(intro)} + draft + "\\n\\nObjections:\\n" + objections.join(${JSON.stringify(separator)}), context.slice(0, 2000));
FINAL(draft);`;

describe('an instruction with a parameter inside a value it fills in', () => {
  it('is one instruction; the parameter moves with the value, and each member’s instruction is rebuilt', async () => {
    const r = await generalizeMembers(
      cluster({ skeleton: 'split(paragraphs) |> llm |> map(llm) |> llm |> FINAL' }),
      members([refine('Revise the draft. Draft: ', '\n- '), refine('Improve this draft. Draft: ', '\n* '), refine('Revise the draft. Draft: ', '\n- ')]),
    );
    if (isRejected(r)) throw new Error(r.rejected);
    const names = r.params.map((p) => p.name);
    expect(r.doc).toMatch(/"Revise the draft\. Draft: \{draft\}\\n\\nObjections:\\n\{objections\}"/);
    expect(names.filter((n) => /^(text|[a-z]+Text)$/.test(n))).toEqual([]);
    const separator = r.params.find((p) => p.type === 'string' && /separator/i.test(p.name));
    expect(separator, r.signature).toBeDefined();
    const asked: string[] = [];
    const ask = async ({ query }: LlmCallArgs): Promise<string> => {
      asked.push(query);
      return query.startsWith('Does') ? 'too vague' : 'draft';
    };
    const handlers: HostHandlers = { llm: ask, rlm: ask, llmBatch: async ({ calls }) => Promise.all(calls.map(ask)) };
    const out = await sandbox.call(r, r.members[1].args, 'one\n\ntwo\n\nthree', handlers);
    expect(out.error).toBeUndefined();
    expect(asked[asked.length - 1]).toBe('Improve this draft. Draft: draft\n\nObjections:\ntoo vague\n* too vague');
  });
});
