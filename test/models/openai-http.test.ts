/**
 * The runtime's model client (OpenAIChatModel, the openai SDK over the keep-alive fetch of
 * src/models/http-fetch.ts) against the simulated server over real HTTP: replies, retries past
 * 429s, errors that say what failed, timeouts, cancellation, and connections reused.
 */
import { getEventListeners, setMaxListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { keepAliveFetch } from '../../src/models/http-fetch.js';
import { OpenAIChatModel } from '../../src/models/openai.js';
import { ModelError } from '../../src/models/types.js';
import { createSimModels, type FaultPlan, startModelServer, type ModelServer } from '../../src/sim/server.js';

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(faults?: FaultPlan): Promise<ModelServer> {
  const { root, leaf } = createSimModels({ seed: 1, errorRate: 0 });
  server = await startModelServer({ models: { 'sim-root': root, 'sim-leaf': leaf }, faults });
  return server;
}

const ask = { messages: [{ role: 'user' as const, content: 'How many lines mention a refund?\n\n<context>\nrefund please\nall good\n</context>' }] };

describe('OpenAIChatModel over keep-alive HTTP', () => {
  it('answers with usage and the request id, many calls at once', async () => {
    const s = await serve();
    const model = new OpenAIChatModel({ model: 'sim-leaf', baseURL: s.url, maxRetries: 0 });
    const results = await Promise.all(Array.from({ length: 40 }, () => model.complete(ask)));
    for (const r of results) {
      expect(r.text.length).toBeGreaterThan(0);
      expect(r.usage.inputTokens).toBeGreaterThan(0);
      expect(r.providerRequestId).toBeTruthy();
    }
    expect(s.requests).toBe(40);
  });

  it('retries past 429s; a 500 left after the retries is a ModelError with its status', async () => {
    const retried = await serve({ status429: 2 });
    const r = await new OpenAIChatModel({ model: 'sim-leaf', baseURL: retried.url, maxRetries: 3 }).complete(ask);
    expect(r.text.length).toBeGreaterThan(0);
    expect(retried.requests).toBe(3);
    await retried.close();
    server = undefined;
    const failing = await serve({ status500: 1 });
    const err = await new OpenAIChatModel({ model: 'sim-leaf', baseURL: failing.url, maxRetries: 0 }).complete(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as ModelError).message).toMatch(/failed: 500/);
    expect((err as ModelError).status).toBe(500);
  });

  it('times out a request that hangs, and cancels on the caller\'s signal', async () => {
    const s = await serve({ hang: 2, hangMs: 30_000 });
    const slow = new OpenAIChatModel({ model: 'sim-leaf', baseURL: s.url, maxRetries: 0, timeoutMs: 300 });
    await expect(slow.complete(ask)).rejects.toThrow(/timed out after 300 ms/);
    const controller = new AbortController();
    const pending = new OpenAIChatModel({ model: 'sim-leaf', baseURL: s.url, maxRetries: 0 }).complete({ ...ask, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('the run was cancelled')), 100);
    await expect(pending).rejects.toThrow(/aborted: the run was cancelled/);
  });

  it("leaves nothing on the caller's signal once its calls end (a run's signal serves all its calls)", async () => {
    const s = await serve();
    const model = new OpenAIChatModel({ model: 'sim-leaf', baseURL: s.url, maxRetries: 0 });
    const run = new AbortController();
    setMaxListeners(0, run.signal); // as the runtime does for a run's signal: its calls run at once
    await Promise.all(Array.from({ length: 20 }, () => model.complete({ ...ask, signal: run.signal })));
    await model.complete({ ...ask, signal: run.signal });
    expect(getEventListeners(run.signal, 'abort')).toHaveLength(0);
  });

  it('an unreachable endpoint is a connection error, not a hang', async () => {
    const err = await new OpenAIChatModel({ model: 'm', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0 }).complete(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelError);
    expect((err as Error).message).toMatch(/connection error/i);
  });

  it('serves a GET with headers itself, and hands other bodies to the global fetch', async () => {
    const s = await serve();
    const url = `${s.url}/models`;
    const a = await keepAliveFetch(url);
    const b = await keepAliveFetch(url, { method: 'GET', headers: { authorization: 'Bearer x' } });
    expect(a.status).toBe(200);
    expect(b.headers.get('content-type')).toContain('application/json');
    expect(((await b.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    const streamed = await keepAliveFetch(`${s.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([JSON.stringify({ model: 'sim-leaf', ...ask })]),
    });
    expect(streamed.status).toBe(200);
  });
});
