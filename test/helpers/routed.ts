/**
 * A local OpenAI-compatible server whose root model answers by a function of the conversation (the
 * query it serves, the turn), so parallel sub-runs get their own replies whatever order they run
 * in. Reached through the real openai client, like test/helpers/models.ts.
 */
import { estimateTokens } from '../../src/models/tokens.js';
import type { ChatMessage, CompletionRequest, CompletionResult, ModelClient } from '../../src/models/types.js';
import { startModelServer } from '../../src/sim/server.js';

export type Reply = (messages: ChatMessage[]) => string;

/** Requests being answered now, and the most at once, over both models. */
interface Gauge {
  now: number;
  max: number;
}

class FunctionModel implements ModelClient {
  readonly provider = 'test';
  constructor(
    readonly model: string,
    private readonly reply: Reply,
    private readonly gauge: Gauge,
  ) {}

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    this.gauge.now++;
    this.gauge.max = Math.max(this.gauge.max, this.gauge.now);
    try {
      await new Promise((r) => setTimeout(r, 20));
      const text = this.reply(request.messages);
      const input = request.messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
      return { text, finishReason: 'stop', usage: { inputTokens: input, outputTokens: estimateTokens(text) } };
    } finally {
      this.gauge.now--;
    }
  }
}

export async function routedServer(root: Reply, sub: Reply = () => 'ok') {
  const gauge: Gauge = { now: 0, max: 0 };
  const rootModel = new FunctionModel('routed-root', root, gauge);
  const subModel = new FunctionModel('routed-sub', sub, gauge);
  const server = await startModelServer({ models: { 'routed-root': rootModel, 'routed-sub': subModel } });
  return {
    models: { model: 'routed-root', subModel: 'routed-sub', openai: { baseURL: server.url, apiKey: 'sk-test', maxRetries: 0, timeoutMs: 30_000 } },
    /** Most model requests (root and sub) answered at once. */
    maxInFlight: () => gauge.max,
    close: () => server.close(),
  };
}
