/**
 * Issue 12, item 6: the redactor on its own — the seven kinds of secret a red-team got into the
 * log (no word boundary, lowercase header, AWS ids of 17+ characters, GitHub and Slack tokens, the
 * configured key base64-encoded or split by a zero-width space, a key cut by truncation) are caught,
 * and ordinary text is left as it is.
 */
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/trace/redact.js';

const KEY = 'sk-test-key-that-must-not-be-logged';
const r = new Redactor([KEY]);
const marker = (n: number): string => `\n... [${n} characters omitted] ...\n`;

describe('Redactor', () => {
  it.each([
    ['no word boundary before sk-', 'token_sk-Qw3rTy9UiOp2AsDfGhJk', 'Qw3rTy9UiOp2'],
    ['sk- glued to a word, with a random-looking body', 'xxsk-TRUNCATEDHx5Tr4nc4tSecret0123', 'Hx5Tr4nc4t'],
    ['a lowercase authorization header', 'authorization: bearer Zx8Cv7Bn6Mm5Lk4Jh3', 'Zx8Cv7Bn6Mm5'],
    ['an AWS access key id of 16 characters', 'id AKIAIOSFODNN7EXAMPLE ok', 'IOSFODNN7'],
    ['an AWS access key id of 17 characters', 'id AKIAIOSFODNN7EXAMPLE7 ok', 'IOSFODNN7'],
    ['a GitHub ghp_ token', 'ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXy12Ab', 'R4nd0mT0k3n'],
    ['a GitHub gho_ token after an underscore', 'x_gho_R4nd0mT0k3nV4lu3F0rT3st1ng', 'R4nd0mT0k3n'],
    ['a GitHub ghs_ token', 'ghs_R4nd0mT0k3nV4lu3F0rT3st1ng', 'R4nd0mT0k3n'],
    ['a GitHub fine-grained token', 'github_pat_11ABCDE0Q9_R4nd0mT0k3nV4lu3F0rT3st', 'R4nd0mT0k3n'],
    ['a Slack bot token', 'xoxb-2048-1024-Pq8Wm3Xz7Rt', 'Pq8Wm3Xz7Rt'],
    ['a Slack user token', 'xoxp-2048-1024-Pq8Wm3Xz7Rt', 'Pq8Wm3Xz7Rt'],
    ['the configured key base64-encoded', Buffer.from(KEY).toString('base64'), Buffer.from(KEY).toString('base64').slice(4, 40)],
    ['the configured key base64-encoded inside more', Buffer.from(`user:${KEY}`).toString('base64url'), Buffer.from(`user:${KEY}`).toString('base64url').slice(10, 40)],
    ['the configured key split by a zero-width space', 'key sk-test-key-\u200bthat-must-not-be-logged here', 'must-not-be'],
    ['the configured key split by a word joiner', 'sk-test-key-that-\u2060must-not-be-logged', 'must-not-be'],
    ['a key prefix cut by the sandbox', `${'x'.repeat(40)}sk-TRUNCAT${marker(200)}tail`, 'TRUNCAT'],
    ['a key tail after the cut', `head${marker(200)}R4nd0mT0k3nV4lu3F0rT3st1ngXy12 and more`, 'R4nd0mT0k3n'],
    ['the configured key cut before the marker', `head sk-test-key-tha${marker(9)}tail`, 'key-tha'],
    ['the configured key cut after the marker', `head${marker(9)}-that-must-not-be-logged.`, 'must-not-be'],
    ['a key cut at the end of the text', 'the output ends in sk-TRUNCAT', 'TRUNCAT'],
    ['the configured key cut at the end of the text', 'ends with sk-test-key-th', 'key-th'],
  ])('redacts %s', (_name, text, fragment) => {
    const out = r.text(text);
    expect(out).not.toContain(fragment);
    expect(out).toContain('[REDACTED:');
  });

  it.each([
    'a skill for task-123 and a risk-free plan',
    'tasks-are-many-and-long-enough-to-look-like-keys',
    'disk-usage-report-2024-for-the-team',
    `ordinary words as base64: ${Buffer.from('hello world, these are ordinary words').toString('base64')}`,
    'Bearer of good news',
    'the authorization header is checked',
    'AKIA alone, ghp_ alone, xoxb- alone, sk- alone',
    `a cut in ordinary prose${marker(50)}and the rest of it`,
    'the answer is 42',
  ])('leaves ordinary text alone: %s', (text) => {
    expect(r.text(text)).toBe(text);
  });

  it('leaves zero-width characters alone when no secret hides behind them', () => {
    const text = 'zero\u200bwidth joiners\u2060 in prose';
    expect(r.text(text)).toBe(text);
  });

  it('redacts inside JSON-like values', () => {
    const out = r.deep({ a: ['token_sk-Qw3rTy9UiOp2AsDfGhJk'], b: { c: 'xoxs-2048-1024-Pq8Wm3Xz7Rt' }, n: 3 });
    expect(JSON.stringify(out)).not.toMatch(/Qw3rTy9|Pq8Wm3/);
    expect(out.n).toBe(3);
  });

  it('a long text seen again (a run logs its whole history at every step) comes out the same, by the same rules', () => {
    const configured = 'my-configured-secret-value';
    const history = `${'the model said something long. '.repeat(40)}key ${configured} and authorization: bearer Zx8Cv7Bn6Mm5Lk4Jh3${marker(10)}`;
    const own = new Redactor([configured]);
    const first = own.text(history);
    expect(first).not.toContain(configured);
    expect(first).not.toContain('Zx8Cv7Bn6Mm5');
    for (let i = 0; i < 3; i++) expect(own.deep([{ role: 'user', content: history }])).toEqual([{ role: 'user', content: first }]);
    expect(new Redactor([configured]).text(history)).toBe(first);
    expect(new Redactor([]).text(history)).toContain(configured); // what one redactor remembers is its own
  });
});
