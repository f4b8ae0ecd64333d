/** Names and docs: deterministic from the skeleton, or from a model (validated, with a fallback). */
import { describe, expect, it } from 'vitest';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { modelNamer, parseNaming, skeletonDoc, skeletonName, uniqueFunctionName, type NamingInput } from '../../../miner/generalize/naming.js';
import { FUNCTION_NAME } from '../../../src/library/format.js';
import type { CompletionRequest, CompletionResult, ModelClient } from '../../../src/models/types.js';
import { cluster, members } from './helpers.js';

describe('deterministic names from the skeleton', () => {
  it.each([
    ['split(lines) |> filter(match) |> map(llm) |> count |> FINAL', [], 'countMatchingLinesWithLlm'],
    ['split(sections) |> reduce(code) |> map(llm) |> loop(code) |> join |> FINAL', ['Review the code below. List every defect.'], 'reviewSectionsWithLlm'],
    ['split(lines) |> loop(code) |> join |> map(llm) |> index |> FINAL', ['What is the secret code?'], 'answerFromLinesWithLlm'],
    ['split(lines) |> map(llm) |> index |> FINAL', ['${0} If the text does not say, reply NONE.'], 'pickLinesWithLlm'],
    ['split(sections) |> map(rlm) |> join |> FINAL', ['Extract the dates.'], 'extractFromSectionsWithRlm'],
    ['llm |> FINAL', [], 'mapTextWithLlm'],
    ['split(lines) |> sort |> FINAL', [], 'rankLines'],
  ])('%s → %s', (skeleton, prompts, name) => {
    expect(skeletonName(skeleton, prompts)).toBe(name);
    expect(name).toMatch(FUNCTION_NAME);
  });

  it('stays a valid name of at most 64 characters, unique within the pass', () => {
    const long = skeletonName(`split(${'x'.repeat(80)}) |> map(llm) |> FINAL`);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(FUNCTION_NAME);
    // Colliding names get a descriptive qualifier (from the prompts and queries), never a number.
    expect(uniqueFunctionName('countLines', new Set(['countLines']), ['refund', 'tickets'])).toBe('countLinesRefund');
    expect(uniqueFunctionName('countLines', new Set(['countLines', 'countLinesRefund']), ['refund', 'tickets'])).toBe('countLinesTickets');
    expect(uniqueFunctionName('countLines', new Set(['countLines']))).toBe('countLinesOther');
    const sixtyFour = 'a'.repeat(64);
    const next = uniqueFunctionName(sixtyFour, new Set([sixtyFour]));
    expect(next.length).toBeLessThanOrEqual(64);
    expect(next).not.toMatch(/\d/);
    expect(next).not.toBe(sixtyFour);
  });

  it('documents the skeleton, the growth, the parameters, the prompts and the source', () => {
    const input: NamingInput = {
      clusterId: 'c7',
      skeleton: 'split(lines) |> map(llm) |> count |> FINAL',
      growth: 'linear',
      template: '',
      prompts: ['Does this line mention a refund?'],
      queries: ['How many tickets mention a refund?'],
      params: [
        { name: 'prompt', type: 'string', required: true, example: 'Is it a refund?' },
        { name: 'chunkSize', type: 'number', required: false, example: 4000 },
      ],
      members: 5,
    };
    const doc = skeletonDoc(input);
    expect(doc).toContain('`split(lines) |> map(llm) |> count |> FINAL`');
    expect(doc).toContain('grow linearly');
    expect(doc).toContain('`prompt` (string, e.g. "Is it a refund?")');
    expect(doc).toContain('`chunkSize` (number, default 4000)');
    expect(doc).toContain('"Does this line mention a refund?"');
    expect(doc).toContain('5 logged runs of cluster c7');
  });
});

describe('names from a model', () => {
  it('parseNaming takes {name, doc} out of the reply, and refuses names that are not lower camelCase identifiers', () => {
    expect(parseNaming('Sure! {"name": "countRefundTickets", "doc": "Counts tickets."} Hope it helps.')).toEqual({ name: 'countRefundTickets', doc: 'Counts tickets.' });
    expect(parseNaming('{"name": "count_refunds", "doc": "x"}')).toBeUndefined();
    expect(parseNaming('{"name": "CountRefunds", "doc": "x"}')).toBeUndefined();
    expect(parseNaming('{"name": "countRefunds", "doc": "  "}')).toBeUndefined();
    expect(parseNaming('no json here')).toBeUndefined();
    expect(parseNaming('{"name": ')).toBeUndefined();
  });

  class StubModel implements ModelClient {
    readonly model = 'stub';
    readonly provider = 'stub';
    readonly requests: CompletionRequest[] = [];
    constructor(private readonly reply: string | Error) {}
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      this.requests.push(request);
      if (this.reply instanceof Error) throw this.reply;
      return { text: this.reply, finishReason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } };
    }
  }

  const program = (prompt: string) =>
    `const parts = context.split("\\n\\n");\nconst rs = await llmBatch(parts.map((p) => ({ query: ${JSON.stringify(prompt)}, context: p })));\nconst kept = rs.filter((r) => !/^none$/i.test(r.trim()));\nFINAL(kept.join("\\n"));`;
  const runs = members(['List the risks.', 'List every risk.', 'Name the risks.'].map(program));

  it('uses the model\'s name and doc, after showing it the skeleton, the template and two member queries', async () => {
    const model = new StubModel('{"name": "listRisksPerParagraph", "doc": "Lists the risks of every paragraph."}');
    const r = await generalizeMembers(cluster({ skeleton: 'split(paragraphs) |> map(llm) |> filter(match) |> join |> FINAL' }), runs, { namer: modelNamer(model) });
    if (isRejected(r)) throw new Error(r.rejected);
    expect(r.name).toBe('listRisksPerParagraph');
    expect(r.namedBy).toBe('model');
    // the instructions differ only in wording: an option with the template's wording as its default
    expect(r.source).toContain('export async function listRisksPerParagraph(context: string, opts: { instruction?: string; checked?: boolean } = {}): Promise<string>');
    expect(r.source).toContain(' * Lists the risks of every paragraph.');
    const asked = model.requests[0].messages.map((m) => m.content).join('\n');
    expect(asked).toContain('split(paragraphs) |> map(llm) |> filter(match) |> join |> FINAL');
    expect(asked).toContain('query 0');
    expect(asked).toContain('query 1');
    expect(asked).toContain('llmBatch(');
  });

  it.each([
    ['an invalid name', '{"name": "list risks", "doc": "x"}'],
    ['a reply that is not JSON', 'listRisks'],
    ['an error', new Error('503')],
  ])('falls back to the deterministic name on %s', async (_, reply) => {
    const taken = new Set<string>(['listParagraphsWithLlm']);
    const r = await generalizeMembers(cluster({ skeleton: 'split(paragraphs) |> map(llm) |> filter(match) |> join |> FINAL' }), runs, { namer: modelNamer(new StubModel(reply)), takenNames: taken });
    if (isRejected(r)) throw new Error(r.rejected);
    expect(r.namedBy).toBe('skeleton');
    expect(r.name).toBe('listParagraphsWithLlmRisks');
    expect(taken.has('listParagraphsWithLlmRisks')).toBe(true);
    expect(r.doc).toContain('Mined from 3 logged runs (cluster c1)');
  });
});
