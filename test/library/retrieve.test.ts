import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSelector, embeddingScorer, tokenize } from '../../src/library/retrieve.js';
import type { LibraryListing } from '../../src/contracts/listing.js';

const FUNCTIONS: LibraryListing[] = [
  { name: 'countLabels', signature: '(context: string, labels: string[]): Promise<Record<string, number>>', doc: 'Classifies each support ticket line with one of the labels and counts tickets per label.' },
  { name: 'findSecretCode', signature: '(context: string, project: string): Promise<string>', doc: 'Scans chunks for the planted secret code of a project.' },
  { name: 'reviewCode', signature: '(source: string, kinds?: string[]): Promise<string[]>', doc: 'Reviews a multi-file code dump for defects; returns "file: kind" lines.' },
  { name: 'summarizeReport', signature: '(context: string, chunkSize?: number): Promise<string>', doc: 'Map-reduce summary of a long report: summarizes chunks, then the summaries.' },
  { name: 'pairsSharing', signature: '(context: string, fields: string[]): Promise<string[]>', doc: 'Extracts people and lists pairs who share the given fields.' },
  { name: 'countRefunds', signature: '(context: string): Promise<number>', doc: 'Counts the tickets that ask for a refund, one llm yes/no vote per ticket.' },
  { name: 'answerAcrossDocuments', signature: '(context: string, question: string): Promise<string>', doc: 'Answers a multi-hop question over many documents.' },
  { name: 'countLines', signature: '(context: string): Promise<number>', doc: 'Counts non-empty lines.' },
];

describe('lexical retrieval (BM25)', () => {
  it('splits camelCase names and stems words', () => {
    expect(tokenize('countRefunds')).toEqual(['count', 'refund']);
    expect(tokenize('How many tickets ask for a refund?')).toEqual(['ticket', 'ask', 'refund']);
    expect(tokenize('parseHTTPHeaders')).toEqual(['parse', 'http', 'header']);
  });

  it('lists the relevant functions, best first, at most k of them, and none that share nothing with the query', () => {
    const sel = createSelector(FUNCTIONS);
    const refunds = sel.select('How many tickets mention a refund?');
    expect(refunds[0]).toEqual(FUNCTIONS[5]);
    expect(refunds.map((f) => f.name)).not.toContain('findSecretCode');
    expect(refunds.map((f) => f.name)).not.toContain('summarizeReport');
    expect(sel.select('What is the secret code for project Xylo?').map((f) => f.name)).toEqual(['findSecretCode']);
    expect(sel.select('Review this codebase for defects')[0].name).toBe('reviewCode');
    expect(sel.select('Summarize the key risks in this report').map((f) => f.name)).toEqual(['summarizeReport']);
    expect(createSelector(FUNCTIONS, { k: 1 }).select('How many tickets mention a refund?')).toHaveLength(1);
    expect(createSelector(FUNCTIONS, { k: 20 }).select('In which city is Inchcape Foods headquartered?')).toEqual([]);
    expect(createSelector(FUNCTIONS, { k: 20, minRelative: 0 }).select('count the lines and the labels').length).toBeGreaterThan(createSelector(FUNCTIONS, { k: 20 }).select('count the lines and the labels').length);
    expect(createSelector(FUNCTIONS, { k: 0 }).select('refunds')).toEqual([]);
  });

  it('matches on what a function does (its doc\'s first line), not on the shared wording of the rest', () => {
    const fns: LibraryListing[] = [
      { name: 'reviewParts', signature: '(context: string, instruction: string): Promise<string>', doc: 'Reviews the files of a code dump for defects.\nReturns `path: kind` lines, one per defect.\nNot for questions about a single city or year.' },
      { name: 'summarizeParts', signature: '(context: string): Promise<string>', doc: 'Summarizes a long report, section by section.\nReturns lines of text, one per key finding; at most 8 lines.' },
    ];
    const sel = createSelector(fns, { k: 5 });
    expect(sel.select('Which pairs of people share their city and birth year? One pair per line.')).toEqual([]);
    expect(sel.select('Which category is the most frequent among these tickets?')).toEqual([]);
    expect(sel.select('Do a code review of these files and report every defect').map((f) => f.name)).toEqual(['reviewParts']);
    expect(sel.select('Summarize the report below').map((f) => f.name)).toEqual(['summarizeParts']);
  });
});

/** An OpenAI-compatible embeddings endpoint over a tiny concept vocabulary ("money back" is a refund). */
const CONCEPTS: [RegExp, number][] = [
  [/refund|money back|reimburs/i, 0],
  [/secret|code|password/i, 1],
  [/summar|digest|gist/i, 2],
  [/defect|bug|review/i, 3],
  [/pair|match|share/i, 4],
  [/label|categor|classif/i, 5],
  [/question|document/i, 6],
  [/lines?\b/i, 7],
];
function embed(text: string): number[] {
  const v = new Array(9).fill(0);
  for (const [re, i] of CONCEPTS) if (re.test(text)) v[i] = 1;
  v[8] = 0.1;
  return v;
}

let server: Server;
let baseURL: string;
let requests = 0;
let failing = false;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      requests++;
      if (failing || req.url !== '/v1/embeddings') {
        res.writeHead(failing ? 500 : 404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'down' } }));
        return;
      }
      const { input, model } = JSON.parse(body) as { input: string[]; model: string };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', model, data: input.map((t, index) => ({ object: 'embedding', index, embedding: embed(t) })), usage: { prompt_tokens: 1, total_tokens: 1 } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('semantic retrieval (an OpenAI-compatible embeddings endpoint)', () => {
  it('finds a function the words of the query do not name, and embeds the functions once', async () => {
    const warnings: string[] = [];
    const sel = createSelector(FUNCTIONS, { scorer: embeddingScorer({ model: 'test-embed', baseURL, apiKey: 'x' }), onWarning: (w) => warnings.push(w) });
    const query = 'Which customers want their money back?';
    expect(sel.select(query).map((f) => f.name)).not.toContain('countRefunds');
    requests = 0;
    expect((await sel.retrieve(query))[0].name).toBe('countRefunds');
    expect(requests).toBe(1);
    expect((await sel.retrieve('Give me the gist of this report'))[0].name).toBe('summarizeReport');
    expect(requests).toBe(2); // only the new query was embedded
    expect(warnings).toEqual([]);
  });

  it('falls back to the lexical ranking when the endpoint fails, with one warning', async () => {
    failing = true;
    try {
      const warnings: string[] = [];
      const sel = createSelector(FUNCTIONS, { scorer: embeddingScorer({ model: 'test-embed', baseURL, apiKey: 'x', timeoutMs: 2_000, maxRetries: 0 }), onWarning: (w) => warnings.push(w) });
      expect((await sel.retrieve('How many tickets mention a refund?'))[0].name).toBe('countRefunds');
      expect((await sel.retrieve('What is the secret code?'))[0].name).toBe('findSecretCode');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/embedding \(test-embed\) scorer failed .*lexical/);
    } finally {
      failing = false;
    }
  });
});
