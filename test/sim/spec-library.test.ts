import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../src/models/resolve.js';
import { buildSystemPrompt } from '../../src/runtime/prompts.js';
import { SimLeafModel } from '../../src/sim/leaf-model.js';
import { readIntent } from '../../src/sim/root/intent.js';
import { docExcludes, parseLibrary, pickLibraryFunction } from '../../src/sim/root/library.js';
import { SimRootModel } from '../../src/sim/root-model.js';
import { createSimModelFromSpec, parseSimSpec, registerSimProvider } from '../../src/sim/spec.js';

describe('sim model specs', () => {
  it('parses sim:root / sim:leaf with parameters and rejects bad ones', () => {
    expect(parseSimSpec('root')).toEqual({ kind: 'root' });
    expect(parseSimSpec('', 'sub')).toEqual({ kind: 'leaf' });
    expect(parseSimSpec('leaf?window=16000&errorRate=0.05&seed=7&latencyMs=20')).toEqual({ kind: 'leaf', window: 16000, errorRate: 0.05, seed: 7, latencyMs: 20 });
    expect(() => parseSimSpec('oracle')).toThrow(/sim:root/);
    expect(() => parseSimSpec('leaf?windw=3')).toThrow(/Unknown parameter "windw"/);
    expect(() => parseSimSpec('leaf?window=-1')).toThrow(/non-negative/);
    const leaf = createSimModelFromSpec('leaf?window=100', 'sub');
    expect(leaf).toBeInstanceOf(SimLeafModel);
    expect((leaf as SimLeafModel).window).toBe(100);
  });

  it('registers the sim: prefix with the model resolver', () => {
    registerSimProvider();
    expect(resolveModel('sim:root', 'root')).toBeInstanceOf(SimRootModel);
    expect(resolveModel('sim:leaf?errorRate=0', 'sub')).toBeInstanceOf(SimLeafModel);
    expect(resolveModel('sim:', 'sub').model).toBe('sim-leaf');
  });
});

describe('root model: reading the library listing', () => {
  const system = buildSystemPrompt([
    { name: 'countLabels', signature: '(context: string, labels: string[]): Promise<Record<string, number>>', doc: 'Classifies one record per line in batches and counts records per label.' },
    { name: 'find_secret_code', signature: '(text: string, project: string): Promise<string>', doc: 'Looks up a planted secret code for a project: scans chunks.' },
    { name: 'reviewCode', signature: '(source: string, kinds?: string[])', doc: 'Reviews a multi-file code dump for defects; returns "file: kind" lines.' },
    { name: 'pairsSharing', signature: '(context: string, fields: string[]): Promise<string[]>', doc: 'Extracts people and lists pairs that share the given fields.' },
  ]);

  it('parses names, parameters and docs', () => {
    const fns = parseLibrary(system);
    expect(fns.map((f) => f.name)).toEqual(['countLabels', 'find_secret_code', 'reviewCode', 'pairsSharing']);
    expect(fns[0].params).toEqual([
      { name: 'context', optional: false },
      { name: 'labels', optional: false },
    ]);
    expect(fns[0].doc).toMatch(/^Classifies/);
    expect(fns[2].params[1]).toEqual({ name: 'kinds', optional: true });
    expect(fns[2].doc).toMatch(/^Reviews/);
    expect(parseLibrary(buildSystemPrompt([]))).toEqual([]);
  });

  it('matches functions to the task family', () => {
    const fns = parseLibrary(system);
    const pick = (q: string): string | undefined => pickLibraryFunction(readIntent(q), fns)?.name;
    expect(pick('How many tickets per category (refund, shipping, billing)?')).toBe('countLabels');
    expect(pick('What is the secret code for project Xylo?')).toBe('find_secret_code');
    expect(pick('Review this codebase for defects.')).toBe('reviewCode');
    expect(pick('List all pairs of people who live in the same city and share the same hobby.')).toBe('pairsSharing');
    expect(pick('Summarize this report.')).toBeUndefined();
  });

  it('passes over a function whose doc names questions like this one as not its fit', () => {
    const doc = [
      'Answers `context` by asking the model, then ranks the results.',
      'Not for questions like "Find the secret codes of project Lumen and of project Ember." (runs that asked them answered with longer text).',
      'Mined from 20 logged runs (cluster c5), e.g. "Find the secret code assigned to project Wren. Reply with the code only." or "What is the secret code for project Fathom?".',
    ];
    const listed = parseLibrary(buildSystemPrompt([{ name: 'findSecretCode', signature: '(context: string, instruction: string): Promise<string>', doc: doc.join('\n') }]));
    expect(listed[0].doc.split('\n')).toHaveLength(3);
    expect(docExcludes(listed[0], 'Find the secret codes of project Sable and of project Halcyon.')).toBe(true);
    expect(docExcludes(listed[0], 'Somewhere in this text there is a secret code for project Vantor. What is it?')).toBe(false);
    const pick = (q: string): string | undefined => pickLibraryFunction(readIntent(q), listed, q)?.name;
    expect(pick('Find the secret codes of project Xylo and of project Brim.')).toBeUndefined();
    expect(pick('What is the secret code for project Xylo?')).toBe('findSecretCode');
  });

  it('reads intents from varied query wording', () => {
    expect(readIntent('What are the secret codes for project Xylo and project Brim?')).toEqual({ family: 'needle', projects: ['Xylo', 'Brim'] });
    expect(readIntent('Count the requests per label. The labels are: refund, shipping, billing, praise or technical.')).toEqual({
      family: 'classify-count',
      labels: ['refund', 'shipping', 'billing', 'praise', 'technical'],
      mode: 'counts',
    });
    expect(readIntent('What is the most common reason in these tickets? Answer with one of: refund, shipping, billing.')).toMatchObject({ mode: 'top' });
    expect(readIntent('Which pairs of people were born in the same year and share the same hobby?')).toEqual({ family: 'pairwise', fields: ['hobby', 'year'] });
    expect(readIntent('Helix Labs was bought by another company. Where is that company headquartered?')).toEqual({ family: 'multi-doc-qa', kind: 'acquirer-hq', entity: 'Helix Labs' });
    expect(readIntent('When was Norvane Systems established? Give the year.')).toEqual({ family: 'multi-doc-qa', kind: 'founded', entity: 'Norvane Systems' });
    expect(readIntent('Give me an executive summary of this document.')).toEqual({ family: 'summary' });
    expect(readIntent('Find the bugs in the code below (kinds: off-by-one, empty-catch).')).toEqual({ family: 'code-review', kinds: ['off-by-one', 'empty-catch'] });
    expect(readIntent('Tell me a story.')).toEqual({ family: 'generic' });
  });
});
