/**
 * Text embeddings through an OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, Ollama,
 * the simulated server's `sim-embed`). Used for semantic embeddings of mined programs and for
 * retrieving library functions (src/library/retrieve.ts), when an embedding model is configured.
 * The one embeddings client: the endpoint and key come from the caller (the CLI's configuration).
 */
import { keepAliveFetch } from './http-fetch.js';
import OpenAI from 'openai';
import { OPENAI_API_URL } from './openai.js';
import type { ModelConfig } from './resolve.js';

export interface Embedder {
  readonly model: string;
  embed(texts: string[]): Promise<number[][]>;
}

export class OpenAIEmbedder implements Embedder {
  private readonly client: OpenAI;

  constructor(
    readonly model: string,
    config: ModelConfig = {},
    private readonly batchSize = 256,
  ) {
    this.client = new OpenAI({
      apiKey: config.apiKey ?? 'not-needed',
      baseURL: config.baseURL ?? OPENAI_API_URL,
      timeout: config.timeoutMs ?? 60_000,
      maxRetries: config.maxRetries ?? 3,
      fetch: keepAliveFetch,
    });
  }

  async embed(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    for (let i = 0; i < texts.length; i += this.batchSize) {
      const batch = texts.slice(i, i + this.batchSize).map((t) => t.slice(0, 8_000) || ' ');
      // 'float': the client's default (base64) is not understood by every compatible server.
      const res = await this.client.embeddings.create({ model: this.model, input: batch, encoding_format: 'float' });
      const sorted = [...res.data].sort((a, b) => a.index - b.index);
      out.push(...sorted.map((d) => d.embedding as number[]));
    }
    return out;
  }
}

/** An embedder for the configured model name, or none when no model is configured. */
export function embedderFromConfig(model: string | undefined, config: ModelConfig = {}): Embedder | undefined {
  return model ? new OpenAIEmbedder(model, config) : undefined;
}
