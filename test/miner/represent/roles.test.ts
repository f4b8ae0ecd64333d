/** Roles of a decomposition, read off the dataflow of programs written in different styles. */
import { describe, expect, it } from 'vitest';
import { describeRoles } from '../../../miner/represent/roles.js';
import { profileProgram, sharedTerms } from '../../../miner/represent/profile.js';

const roles = (code: string): string[] => [...describeRoles(code).roles.keys()].sort();

describe('roles', () => {
  it('map-reduce with llmBatch: cut by lines, batched fan-out, JSON parsed, counted', () => {
    const r = roles(`
      const lines = context.split('\\n');
      const chunks = [];
      for (let i = 0; i < lines.length; i += 50) chunks.push(lines.slice(i, i + 50).join('\\n'));
      const answers = await llmBatch(chunks.map((c) => ({ query: 'Label each line as bug or feature. Return JSON.', context: c })));
      const counts = {};
      for (const a of answers) for (const item of JSON.parse(a)) counts[item.label] = (counts[item.label] || 0) + 1;
      FINAL(JSON.stringify(counts));`);
    expect(r).toEqual(expect.arrayContaining(['cut:lines', 'fan:batch', 'parse:json', 'combine:count', 'answer:model']));
  });

  it('the same decomposition with Promise.all and a helper has the same core roles', () => {
    const r = roles(`
      async function label(chunk) { return JSON.parse(await llm('Label each line as bug or feature. Return JSON.', chunk)); }
      const parts = context.split('\\n');
      const out = await Promise.all(parts.map((p) => label(p)));
      const tally = {};
      out.flat().forEach((x) => { tally[x.label] = (tally[x.label] ?? 0) + 1; });
      FINAL(tally);`);
    expect(r).toEqual(expect.arrayContaining(['cut:lines', 'fan:parallel', 'parse:json', 'combine:count']));
  });

  it('top-k ranking: scores parsed as numbers, sorted, sliced', () => {
    const r = roles(`
      const items = context.split(/\\n\\s*\\n/);
      const scored = await Promise.all(items.map(async (it) => ({ it, s: parseInt(await llm('Score 1-10', it), 10) })));
      scored.sort((a, b) => b.s - a.s);
      FINAL(scored.slice(0, 5).map((x) => x.it).join('\\n'));`);
    expect(r).toEqual(expect.arrayContaining(['cut:paragraphs', 'fan:parallel', 'parse:number', 'combine:sort-model', 'combine:topk']));
  });

  it('a sequential fold carries state from one call to the next', () => {
    const r = roles(`
      const parts = context.split('\\n\\n');
      let summary = '';
      for (const p of parts) summary = await llm('Update the running summary with this part: ' + summary, p);
      FINAL(summary);`);
    expect(r).toContain('strategy:fold-state');
    expect(r).toContain('fan:sequential');
  });

  it('a verify-and-revise loop runs until the model agrees', () => {
    const r = roles(`
      let draft = await llm('Answer the question', context);
      for (let round = 0; round < 3; round++) {
        const verdict = await llm('Is this answer supported by the text? Reply OK or list problems.\\n' + draft, context);
        if (verdict.startsWith('OK')) break;
        draft = await llm('Revise the answer to fix: ' + verdict, context);
      }
      FINAL(draft);`);
    expect(r).toContain('loop:until-model');
    expect(r).toContain('strategy:model-over-model');
  });

  it('counting under a condition depends on the model (control dependence)', () => {
    const r = roles(`
      const chunks = context.match(/[\\s\\S]{1,4000}/g) || [];
      const outs = [];
      for (const c of chunks) outs.push(await llm('Any breach? yes or no', c));
      let n = 0;
      for (const o of outs) if (o.trim().toLowerCase().startsWith('yes')) n += 1;
      FINAL(n);`);
    expect(r).toEqual(expect.arrayContaining(['fan:sequential', 'parse:contains', 'answer:model']));
  });

  it('an answer typed after reading printed output keeps what was printed', () => {
    const r = roles(`
      const hits = context.split('\\n').filter((l) => /wifi|password/i.test(l));
      print(hits.slice(0, 20));
      FINAL('The password is hunter2');`);
    expect(r).toEqual(expect.arrayContaining(['answer:typed', 'cut:lines', 'cut:filter']));
  });

  it('exploration that the answer does not depend on is not part of the decomposition', () => {
    const r = roles(`
      print(context.slice(0, 500));
      const words = context.split(' ');
      print(words.length);
      const answer = await llm('Summarize', context);
      FINAL(answer);`);
    expect(r).not.toContain('cut:words');
  });

  it('collects the words of the prompts, following variables into the call', () => {
    const p = describeRoles(`
      const instr = 'Classify each support ticket into billing, bug or other.';
      const out = await llmBatch(context.map((t) => ({ query: instr, context: t.body })));
      FINAL(out.join('\\n'));`);
    expect(p.promptText.join(' ')).toContain('Classify each support ticket');
  });
});

describe('profiles', () => {
  it('a peek and one question is a simple lookup; a decomposition is not', () => {
    expect(profileProgram(`print(context.slice(0, 300)); FINAL(await llm('What is the invoice number?', context));`, 'invoice number?').simple).toBe(true);
    const mapReduce = profileProgram(
      `const parts = context.split('\\n\\n'); const r = await llmBatch(parts.map((p) => ({ query: 'Summarize', context: p }))); FINAL(await llm('Combine', r.join('\\n')));`,
      'summarize the report',
    );
    expect(mapReduce.simple).toBe(false);
    expect(mapReduce.fanOut).toBeGreaterThan(0);
    expect(Object.keys(mapReduce.views.query)).toEqual(expect.arrayContaining(['summarize', 'report']));
  });

  it('survives code that does not parse cleanly', () => {
    const p = profileProgram('const x = ;;; {{{ llm(', 'q');
    expect(p.simple).toBe(true);
  });
});

describe('sharedTerms', () => {
  it('says what most members of a group share, per view', () => {
    const make = (instruction: string) => profileProgram(`const parts = context.split('\\n'); const r = await llmBatch(parts.map((p) => ({ query: ${JSON.stringify(instruction)}, context: p }))); FINAL(r.join('\\n'));`, 'label the tickets');
    const shared = sharedTerms([make('Label each ticket as bug or feature.'), make('Label this ticket: bug, feature or question.'), make('Summarize.')], 0.6);
    expect(shared.roles?.map((t) => t.term)).toEqual(expect.arrayContaining(['fan:batch', 'cut:lines']));
    expect(shared.prompt?.map((t) => t.term)).toEqual(expect.arrayContaining(['label', 'ticket']));
    expect(shared.prompt?.find((t) => t.term === 'label')?.share).toBeCloseTo(2 / 3, 9);
    expect(sharedTerms([])).toEqual({});
  });
});
