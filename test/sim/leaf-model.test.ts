import { describe, expect, it } from 'vitest';
import { buildSubCallMessages } from '../../src/contracts/messages.js';
import { runDirect } from '../../src/sim/direct.js';
import { latencyFor } from '../../src/sim/latency.js';
import { SimLeafModel } from '../../src/sim/leaf-model.js';
import { requestKind } from '../../src/sim/leaf/answer.js';
import { countMessageTokens, countTokens } from '../../src/sim/tokens.js';
import { FAMILY_NAMES } from '../../src/sim/types.js';
import { FAMILIES } from '../../src/sim/workloads.js';

const FILLER = 'The quarterly review slowly changes the weekly schedule in quiet ways. ';

function haystack(chars: number): string {
  return FILLER.repeat(Math.ceil(chars / FILLER.length)).slice(0, chars);
}

describe('sim leaf model', () => {
  it('reports provider and model, and usage like a real client', async () => {
    const leaf = new SimLeafModel({ errorRate: 0 });
    expect(leaf.provider).toBe('sim');
    expect(leaf.model).toBe('sim-leaf');
    const messages = buildSubCallMessages('What is the secret code for project Xylo?', `${haystack(500)} The secret code for project Xylo is 4829-KQ.`);
    const r = await leaf.complete({ messages });
    expect(r.text).toBe('4829-KQ');
    expect(r.finishReason).toBe('stop');
    expect(r.usage.inputTokens).toBe(countMessageTokens(messages));
    expect(r.usage.outputTokens).toBe(countTokens('4829-KQ'));
    expect(r.responseModel).toBe('sim-leaf');
    expect(r.providerRequestId).toMatch(/^sim-/);
  });

  it('sees only its window: facts past it are not found', async () => {
    const fact = ' The secret code for project Xylo is 4829-KQ.';
    const q = 'Find the secret code for project Xylo. Reply NOT FOUND if absent.';
    const early = haystack(2_000) + fact + haystack(10_000);
    const late = haystack(9_000) + fact + haystack(1_000);
    const small = new SimLeafModel({ errorRate: 0 });
    const big = new SimLeafModel({ errorRate: 0, window: 12_000 });
    expect(small.window).toBe(8000);
    expect(small.answer(q, early)).toBe('4829-KQ');
    expect(small.answer(q, late)).toBe('NOT FOUND');
    expect(big.answer(q, late)).toBe('4829-KQ');
    // The same holds when everything is pasted into the request itself.
    expect(small.answer(`${q}\n${late}`, '')).toBe('NOT FOUND');
  });

  it('errs at about the configured rate, deterministically per request', () => {
    const right = new SimLeafModel({ errorRate: 0, seed: 9 });
    const noisy = new SimLeafModel({ errorRate: 0.1, seed: 9 });
    let wrong = 0;
    const n = 1500;
    for (let i = 0; i < n; i++) {
      const q = i % 2 === 0 ? 'What is the secret code for project Xylo?' : 'Count the tickets per label: refund, shipping, billing.';
      const ctx = i % 2 === 0 ? `Note ${i}. The secret code for project Xylo is ${1000 + i}-AB.` : `#${i} I want a refund\n#${i + 1} my package has not arrived\n#${i + 2} I was charged twice`;
      const a = noisy.answer(q, ctx);
      if (a !== right.answer(q, ctx)) wrong++;
      expect(noisy.answer(q, ctx)).toBe(a);
    }
    expect(wrong / n).toBeGreaterThan(0.07);
    expect(wrong / n).toBeLessThan(0.13);
  });

  it('gives identical answers to identical requests, different ones per seed', async () => {
    const task = FAMILIES['classify-count'].generate({ seed: 1, sizeBytes: 6_000 });
    const messages = buildSubCallMessages('Count the tickets per label: refund, shipping, billing, praise, technical. Reply as JSON.', task.context);
    const a = new SimLeafModel({ errorRate: 0.5, seed: 1 });
    const first = await a.complete({ messages });
    for (let i = 0; i < 5; i++) expect((await a.complete({ messages })).text).toBe(first.text);
    expect((await new SimLeafModel({ errorRate: 0.5, seed: 1 }).complete({ messages })).text).toBe(first.text);
    const answers = new Set<string>();
    for (let seed = 0; seed < 20; seed++) answers.add(new SimLeafModel({ errorRate: 0.5, seed }).answer(messages[1].content, ''));
    expect(answers.size).toBeGreaterThan(1);
  });

  it('honors maxOutputTokens with finish reason "length"', async () => {
    const leaf = new SimLeafModel({ errorRate: 0 });
    const task = FAMILIES.summary.generate({ seed: 2, sizeBytes: 7_000 });
    const r = await leaf.complete({ messages: buildSubCallMessages('Summarize this report.', task.context), maxOutputTokens: 5 });
    expect(r.finishReason).toBe('length');
    expect(r.usage.outputTokens).toBeLessThanOrEqual(5);
    expect(r.text.length).toBeGreaterThan(0);
  });

  it('has a latency model and aborts while sleeping', async () => {
    expect(latencyFor({ fixedMs: 100, perOutputTokenMs: 2 }, 10)).toBe(120);
    expect(latencyFor(undefined, 10)).toBe(0);
    const slow = new SimLeafModel({ errorRate: 0, latency: { fixedMs: 60_000 } });
    const controller = new AbortController();
    const pending = slow.complete({ messages: buildSubCallMessages('Summarize this.', 'Key finding: 12,345 units.'), signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const already = new AbortController();
    already.abort();
    await expect(new SimLeafModel().complete({ messages: buildSubCallMessages('x'), signal: already.signal })).rejects.toMatchObject({ name: 'AbortError' });
  }, 15_000);

  it('recognizes the kinds of request from varied wording', () => {
    expect(requestKind('Find the secret code for project Xylo in this text.')).toBe('needle');
    expect(requestKind('I need the access code of project Ember - what is it?')).toBe('needle');
    expect(requestKind('Label each ticket below with one of: refund, shipping, billing. One label per line.')).toBe('classify');
    expect(requestKind('Which category is the most frequent: refund, shipping or billing?')).toBe('classify');
    expect(requestKind('Extract every person described below as JSON.')).toBe('extract');
    expect(requestKind('List each person described in the text below, one per line as: name | city')).toBe('extract');
    expect(requestKind('Which pairs of people share the same city and hobby?')).toBe('pairs');
    expect(requestKind('Which company acquired Helix Labs?')).toBe('qa');
    expect(requestKind('Write a short summary of this section, including all key findings.')).toBe('summary');
    expect(requestKind('Review the code below. List every defect as "path: kind" (kinds: hardcoded-secret, sql-injection).')).toBe('review');
    expect(requestKind('What is the weather like?')).toBe('generic');
  });

  it('answers every family correctly when the whole input fits its window (direct)', async () => {
    const leaf = new SimLeafModel({ errorRate: 0 });
    for (const name of FAMILY_NAMES) {
      for (const seed of [1, 2, 3]) {
        const task = FAMILIES[name].generate({ seed, sizeBytes: 6_000 });
        expect(task.context.length).toBeLessThanOrEqual(8_000);
        const { answer, usage } = await runDirect(task, leaf);
        expect(FAMILIES[name].score(task, answer), `${name} seed ${seed}: ${answer}`).toBe(1);
        expect(usage.inputTokens).toBeGreaterThan(0);
      }
    }
  });

  it('gives a plausible generic answer to requests it does not recognize', () => {
    const leaf = new SimLeafModel({ errorRate: 0 });
    expect(leaf.answer('What does the text say about the weekly schedule?', haystack(300))).toContain('weekly schedule');
    expect(leaf.answer('What colour is the sky?', '')).toMatch(/text/);
  });
});
