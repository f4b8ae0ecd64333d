/**
 * The rate limit per model endpoint is shared through the database: two limiters (as in two
 * workers, each with its own connection pool) take from one bucket and never grant more than it holds.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/connection.js';
import { rateLimited, SharedRateLimiter } from '../../src/models/rate-limit.js';
import type { ModelClient } from '../../src/models/types.js';
import { serverDbUrl } from '../helpers/db.js';

const server = process.env.TEST_DATABASE_URL;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

/** Two connection pools on one fresh server database: two workers' view of it. */
async function twoWorkers(): Promise<[Database, Database]> {
  const { url, drop } = await serverDbUrl();
  cleanup.push(drop);
  const a = await openDatabase(url, { maxConnections: 4 });
  const b = await openDatabase(url, { maxConnections: 4 });
  cleanup.push(() => a.close(), () => b.close());
  return [a, b];
}

describe.skipIf(!server)('a rate limit shared by workers (Postgres server; set TEST_DATABASE_URL)', () => {
  it('two limiters racing for one endpoint get, together, what its bucket holds', async () => {
    const [a, b] = await twoWorkers();
    const limit = { requestsPerMinute: 5 };
    const la = new SharedRateLimiter(a, 'openai:gpt-x@default', limit);
    const lb = new SharedRateLimiter(b, 'openai:gpt-x@default', limit);
    const started = Date.now();
    const tries = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? la : lb).tryAcquire(10)));
    const elapsedMin = (Date.now() - started) / 60_000;
    const granted = tries.filter((t) => t.granted).length;
    // A full bucket of 5, plus whatever refilled (5 a minute) while the 20 tries ran — never 20, never 10.
    expect(granted).toBeGreaterThanOrEqual(5);
    expect(granted).toBeLessThanOrEqual(5 + Math.floor(5 * elapsedMin));
    const refused = tries.find((t) => !t.granted);
    expect(refused && !refused.granted && refused.waitMs).toBeGreaterThan(0);
    // Another endpoint has its own bucket.
    expect((await new SharedRateLimiter(b, 'openai:gpt-y@default', limit).tryAcquire(10)).granted).toBe(true);
  });

  it('tokens per minute: one worker spends, the other waits; a response that used fewer tokens gives the rest back', async () => {
    const [a, b] = await twoWorkers();
    const limit = { tokensPerMinute: 1_000 };
    const la = new SharedRateLimiter(a, 'sim:leaf@default', limit);
    const lb = new SharedRateLimiter(b, 'sim:leaf@default', limit);
    expect((await la.tryAcquire(900)).granted).toBe(true);
    const wait = await lb.tryAcquire(500);
    expect(wait.granted).toBe(false);
    await la.settle(900, 100); // the call used 100, not 900
    expect((await lb.tryAcquire(500)).granted).toBe(true);
  });

  it('a rate-limited model takes its share before each call and settles the tokens it used', async () => {
    const [a, b] = await twoWorkers();
    const inner: ModelClient = {
      model: 'm',
      provider: 'p',
      async complete() {
        return { text: 'ok', finishReason: 'stop', usage: { inputTokens: 40, outputTokens: 10 } };
      },
    };
    const limit = { requestsPerMinute: 2, tokensPerMinute: 100_000 };
    const ma = rateLimited(inner, new SharedRateLimiter(a, 'p:m@default', limit));
    const mb = rateLimited(inner, new SharedRateLimiter(b, 'p:m@default', limit));
    await ma.complete({ messages: [{ role: 'user', content: 'hello there' }] });
    await mb.complete({ messages: [{ role: 'user', content: 'hello there' }] });
    // Both requests of the minute are spent: a third call, from either worker, has to wait.
    const third = await new SharedRateLimiter(b, 'p:m@default', limit).tryAcquire(1);
    expect(third.granted).toBe(false);
    const [row] = await a.query<{ available_tokens: number }>(`select available_tokens from rate_limits where endpoint = 'p:m@default'`);
    // Two calls charged 50 tokens each (their estimate corrected to what they used), plus a little refill.
    expect(Number(row.available_tokens)).toBeLessThanOrEqual(100_000 - 100 + 100_000 / 60);
    expect(Number(row.available_tokens)).toBeGreaterThanOrEqual(100_000 - 100 - 1);
  });
});
