import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import type { CompletionRequest, CompletionResult, ModelClient } from '../../src/models/types.js';
import { buildSubCallMessages } from '../../src/contracts/messages.js';
import { createSimModels, startModelServer, type ModelServer } from '../../src/sim/server.js';
import { FAMILIES } from '../../src/sim/workloads.js';
import { runRlm } from './harness.js';

let server: ModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(faults?: Parameters<typeof startModelServer>[0]['faults']): Promise<ModelServer> {
  const { root, leaf } = createSimModels({ seed: 1, errorRate: 0 });
  server = await startModelServer({ models: { 'sim-root': root, 'sim-leaf': leaf }, faults });
  return server;
}

/** A minimal ModelClient over the OpenAI SDK, as the runtime's client would be. */
class OpenAIChat implements ModelClient {
  readonly provider = 'openai';
  constructor(
    private readonly client: OpenAI,
    readonly model: string,
  ) {}

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const r = await this.client.chat.completions.create({ model: this.model, messages: request.messages, max_tokens: request.maxOutputTokens }, { signal: request.signal });
    return {
      text: r.choices[0].message.content ?? '',
      finishReason: r.choices[0].finish_reason,
      usage: { inputTokens: r.usage?.prompt_tokens ?? 0, outputTokens: r.usage?.completion_tokens ?? 0, cachedTokens: r.usage?.prompt_tokens_details?.cached_tokens },
      responseModel: r.model,
      providerRequestId: r.id,
    };
  }
}

describe('OpenAI-compatible sim server', () => {
  it('serves chat completions in the OpenAI shape, dispatching on the model', async () => {
    const s = await serve();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const client = new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 0 });
    const messages = buildSubCallMessages('What is the secret code for project Xylo?', 'Filler. The secret code for project Xylo is 4829-KQ. More filler.');
    const { data, response } = await client.chat.completions.create({ model: 'sim-leaf', messages }).withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.id).toMatch(/^chatcmpl-/);
    expect(data.model).toBe('sim-leaf');
    expect(data.choices[0].message.role).toBe('assistant');
    expect(data.choices[0].message.content).toBe('4829-KQ');
    expect(data.choices[0].finish_reason).toBe('stop');
    expect(data.usage?.prompt_tokens).toBeGreaterThan(10);
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(data.usage?.total_tokens).toBe((data.usage?.prompt_tokens ?? 0) + (data.usage?.completion_tokens ?? 0));
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(0);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);

    const root = await client.chat.completions.create({ model: 'sim-root', messages: [{ role: 'user', content: '<query>\nSummarize this.\n</query>' }] });
    expect(root.choices[0].message.content).toContain('```js');
    const cut = await client.chat.completions.create({ model: 'sim-root', max_tokens: 3, messages: [{ role: 'user', content: '<query>\nSummarize this.\n</query>' }] });
    expect(cut.choices[0].finish_reason).toBe('length');
    expect(s.requests).toBe(3);
  });

  it('lists its models', async () => {
    const s = await serve();
    const client = new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 0 });
    const ids: string[] = [];
    for await (const m of client.models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual(['sim-leaf', 'sim-root']);
  });

  it('returns OpenAI-style errors: 404 unknown model, 400 bad body, 404 unknown route', async () => {
    const s = await serve();
    const client = new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 0 });
    const err = await client.chat.completions.create({ model: 'gpt-nope', messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');

    const bad = await fetch(`${s.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/JSON/);

    const noMessages = await client.chat.completions.create({ model: 'sim-leaf', messages: [] }).catch((e: unknown) => e);
    expect(noMessages).toBeInstanceOf(OpenAI.BadRequestError);

    const route = await fetch(`${s.url}/embeddings`, { method: 'POST', body: '{}' });
    expect(route.status).toBe(404);
  });

  it('injects 429s (with retry-after-ms) that the client retries past', async () => {
    const s = await serve({ status429: 2 });
    const client = new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 2 });
    const r = await client.chat.completions.create({ model: 'sim-leaf', messages: buildSubCallMessages('Summarize.', 'Key finding: 12,345 units.') });
    expect(r.choices[0].message.content).toContain('12,345');
    expect(s.requests).toBe(3);
  });

  it('injects 429s and 500s that surface without retries', async () => {
    const s = await serve({ status429: 1, status500: 1 });
    const client = new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 0 });
    const messages = buildSubCallMessages('Summarize.', 'Key finding: 12,345 units.');
    await expect(client.chat.completions.create({ model: 'sim-leaf', messages })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(client.chat.completions.create({ model: 'sim-leaf', messages })).rejects.toBeInstanceOf(OpenAI.InternalServerError);
    const ok = await client.chat.completions.create({ model: 'sim-leaf', messages });
    expect(ok.choices[0].message.content).toContain('12,345');
  });

  it('hangs on demand so that client timeouts fire, and still closes promptly', async () => {
    const s = await serve({ hangMs: 30_000 });
    const client = new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 0, timeout: 200 });
    const messages = buildSubCallMessages('Summarize.', 'Key finding: 12,345 units.');
    await expect(client.chat.completions.create({ model: 'sim-leaf', messages })).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const ok = await client.chat.completions.create({ model: 'sim-leaf', messages });
    expect(ok.choices[0].message.content).toContain('12,345');
  }, 30_000);

  it('runs a whole RLM over HTTP, root and leaf through the OpenAI client', async () => {
    const s = await serve();
    const client = new OpenAI({ baseURL: s.url, apiKey: 'test', maxRetries: 0 });
    const task = FAMILIES['multi-doc-qa'].generate({ seed: 1, sizeBytes: 40_000 });
    const run = await runRlm(task.query, task.context, { root: new OpenAIChat(client, 'sim-root'), leaf: new OpenAIChat(client, 'sim-leaf') });
    expect(FAMILIES['multi-doc-qa'].score(task, run.answer ?? '')).toBe(1);
    expect(s.requests).toBe(run.llmCalls + run.messages.filter((m) => m.role === 'assistant').length);
  });
});
