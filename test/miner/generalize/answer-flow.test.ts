/**
 * Where the model's answers flow: the combining stage (a model call over the answers) is told apart
 * from a repair pass over the input and from a follow-up question, and a mined map-reduce function
 * says what its second stage does, names its instruction for it and counts its calls.
 */
import { describe, expect, it } from 'vitest';
import { answerNames, combiningCalls, modelAnswerNames } from '../../../miner/generalize/answer-flow.js';
import { printNode } from '../../../miner/front/print.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { cluster, members, programTree } from './helpers.js';

const combined = (code: string): string[] => combiningCalls(programTree(code)).map((n) => printNode(n));

describe('combiningCalls', () => {
  it('finds a call over the joined answers, and a batch over groups of them', () => {
    expect(combined(`const parts = context.split("\\n\\n");
const notes = await llmBatch(parts.map((p) => ({ query: "Summarize this part.", context: p })));
const digest = notes.map((n) => n.trim()).filter((n) => n);
FINAL(await llm("Combine these summaries into one.", digest.join("\\n")));`)).toEqual(['llm("Combine these summaries into one.", digest.join("\\n"))']);
    expect(combined(`const notes = await llmBatch(context.split("\\n\\n").map((p) => ({ query: "Summarize.", context: p })));
const groups = [];
for (let i = 0; i < notes.length; i += 4) groups.push(notes.slice(i, i + 4).join("\\n"));
const merged = await llmBatch(groups.map((g) => ({ query: "Merge these.", context: g })));
FINAL(merged.join("\\n"));`)).toHaveLength(1);
  });

  it('leaves out a repair pass over the input lines the answers missed, and a follow-up question about the input', () => {
    expect(combined(`const lines = context.split("\\n");
const replies = await llmBatch(lines.map((l) => ({ query: "Name the person.", context: l })));
const seen = new Set(replies);
const missed = lines.filter((l) => ![...seen].some((n) => l.includes(n)));
const again = await llmBatch(missed.map((l) => ({ query: "Name the person.", context: l })));
FINAL([...replies, ...again].join("\\n"));`)).toEqual([]);
    expect(combined(`const owner = await llm("Who bought Kilner?", context);
FINAL(await llm("Where is " + owner + " based?", context));`)).toEqual([]);
  });

  it('does not take a callback parameter for answers because a name elsewhere holds them', () => {
    const tree = programTree(`const replies = [];
for (const c of await llmBatch(["a", "b"])) replies.push(c);
const chunks = context.split("\\n");
const out = await Promise.all(chunks.map((c) => llm("Summarize.", c)));
FINAL(out.join("") + replies.join(""));`);
    expect(answerNames(tree).has('c')).toBe(true);
    expect(combiningCalls(tree)).toEqual([]);
  });
});

describe('modelAnswerNames', () => {
  it('names bound straight to a model call’s answer, through a helper that asks; not values computed from answers', () => {
    const tree = programTree(`const ask = async (q) => (await llm(q, context)).trim();
const owner = await ask("Who bought Kilner?");
let draft = (await llm("Draft an answer.", context)).trim();
const votes = await llmBatch(["a", "b"]);
const yes = votes.filter((v) => v === "yes").length;
FINAL(owner + draft + yes);`);
    expect([...modelAnswerNames(tree)].sort()).toEqual(['draft', 'owner']);
  });
});

const mapReduce = (combine: string) => `const sections = context.split(/\\n(?=## )/);
const notes = await llmBatch(sections.map((s) => ({ query: "Summarize this section in two sentences.", context: s })));
const digest = notes.map((n) => n.trim()).filter((n) => n);
FINAL(await llm(${JSON.stringify(combine)}, digest.join("\\n")));`;

describe('a map-reduce function', () => {
  it('says it combines the answers with a model call, and names that instruction for it', async () => {
    const r = await generalizeMembers(
      cluster({ skeleton: 'split(sections) |> map(llm) |> map(code) |> filter(match) |> join |> llm |> FINAL' }),
      members([mapReduce('Combine these notes into one summary.'), mapReduce('Merge the notes below into a single summary.'), mapReduce('Combine these notes into one summary.')]),
    );
    if (isRejected(r)) throw new Error(r.rejected);
    const [does] = r.doc.split('\n');
    expect(does).toMatch(/then asks the model to combine the answers with the instruction "Combine these notes into one summary\."\.$/);
    expect(does).not.toContain('joins the answers');
    expect(r.doc).toMatch(/Model calls: one per section, sent together in one batch, then one more to combine the answers\./);
    const combine = r.params.find((p) => p.name === 'combineInstruction');
    expect(combine, r.signature).toBeDefined();
    expect(r.doc).toContain('`combineInstruction` (string): the instruction sent with the answers to the pieces, to combine them into one');
    expect(r.source).toContain('combineInstruction');
    expect(r.params.map((p) => p.name)).not.toContain('prompt');
  });
});
