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

  it('lists the relevant function first, and only k of them', () => {
    const sel = createSelector(FUNCTIONS);
    const refunds = sel.select('How many tickets mention a refund?');
    expect(refunds).toHaveLength(5);
    expect(refunds[0]).toEqual(FUNCTIONS[5]);
    expect(sel.select('What is the secret code for project Xylo?')[0].name).toBe('findSecretCode');
    expect(sel.select('Review this codebase for defects')[0].name).toBe('reviewCode');
    expect(sel.select('Summarize the key risks in this report')[0].name).toBe('summarizeReport');
    expect(createSelector(FUNCTIONS, { k: 2 }).select('refunds')).toHaveLength(2);
    expect(createSelector(FUNCTIONS, { k: 20 }).select('anything')).toHaveLength(8);
    expect(createSelector(FUNCTIONS, { k: 0 }).select('refunds')).toEqual([]);
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
    expect(sel.select(query)[0].name).not.toBe('countRefunds');
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
