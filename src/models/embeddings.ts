/**
 * Text embeddings through an OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, vLLM, Ollama,
 * the simulated server's `sim-embed`). Used for semantic embeddings of mined programs and for
 * retrieving library functions, when an embedding model is configured.
 */
import OpenAI from 'openai';
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
      apiKey: config.apiKey ?? process.env.OPENAI_API_KEY ?? 'not-needed',
      baseURL: config.baseURL ?? process.env.OPENAI_BASE_URL,
      timeout: config.timeoutMs ?? 60_000,
      maxRetries: config.maxRetries ?? 3,
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

/** The configured embedder: `ACCRETE_EMBEDDING_MODEL` (or an explicit model name), else none. */
export function embedderFromConfig(model: string | undefined = process.env.ACCRETE_EMBEDDING_MODEL, config: ModelConfig = {}): Embedder | undefined {
  return model ? new OpenAIEmbedder(model, config) : undefined;
}
