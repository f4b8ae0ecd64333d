/**
 * Chat completions through the `openai` package, against OpenAI or any compatible server (vLLM,
 * Ollama, llama.cpp, the simulated server of src/sim). The SDK retries 429, 5xx and timeouts with
 * exponential backoff; what is left after the retries is a ModelError with a clear reason.
 */
import OpenAI from 'openai';
import { keepAliveFetch } from './http-fetch.js';
import { ModelError, type CompletionRequest, type CompletionResult, type ModelClient } from './types.js';

export interface OpenAIModelOptions {
  model: string;
  apiKey?: string;
  baseURL?: string;
  /** Per-request timeout (default 120 s). */
  timeoutMs?: number;
  /** Retries on 429, 5xx, connection errors and timeouts (default 3). */
  maxRetries?: number;
}

/** OpenAI's own endpoint: the default when no base URL is configured. */
export const OPENAI_API_URL = 'https://api.openai.com/v1';

/**
 * A signal for one call that follows the caller's and lets go of it when the call ends. The SDK adds
 * an abort listener to the signal it is given and never removes it: given a run's signal, shared by
 * all of the run's calls, that signal would collect a listener (holding an AbortController) per call,
 * and each new one costs a scan of those before it.
 */
function callSignal(parent: AbortSignal | undefined): { signal: AbortSignal | undefined; release: () => void } {
  if (!parent || parent.aborted) return { signal: parent, release: () => {} };
  const controller = new AbortController();
  const follow = (): void => controller.abort(parent.reason);
  parent.addEventListener('abort', follow, { once: true });
  return { signal: controller.signal, release: () => parent.removeEventListener('abort', follow) };
}

export class OpenAIChatModel implements ModelClient {
  readonly provider: string;
  private readonly client: OpenAI;
  /** Whether the server streams (undefined until a streamed request was answered or refused). */
  private streams?: boolean;

  constructor(private readonly options: OpenAIModelOptions) {
    this.client = new OpenAI({
      // Explicit, so that the client library does not read OPENAI_* from the environment itself.
      apiKey: options.apiKey ?? 'not-needed',
      baseURL: options.baseURL ?? OPENAI_API_URL,
      timeout: options.timeoutMs ?? 120_000,
      maxRetries: options.maxRetries ?? 3,
      // Keep-alive node:http instead of the global fetch: a third of the CPU per call (src/models/http-fetch.ts).
      fetch: keepAliveFetch,
    });
    this.provider = options.baseURL ? 'openai_compatible' : 'openai';
  }

  get model(): string {
    return this.options.model;
  }

  /**
   * One completion. With `onDelta`, it is streamed (with the usage in the last event, so the token
   * counts are the server's) where the server supports it; a server that refuses streaming with a
   * 400 is asked without it, now and from then on.
   */
  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const call = callSignal(request.signal);
    try {
      return await this.completeOn(call.signal === request.signal ? request : { ...request, signal: call.signal });
    } finally {
      call.release();
    }
  }

  private async completeOn(request: CompletionRequest): Promise<CompletionResult> {
    if (request.onDelta && this.streams !== false) {
      try {
        const result = await this.attempt(request, () => this.streamed(request, request.onDelta!));
        this.streams = true;
        return result;
      } catch (err) {
        // Refused (a 400 about streaming), or streamed without usage (streams is false then): ask whole.
        const refused = this.streams === undefined && err instanceof ModelError && err.status === 400 && /stream/i.test(err.message);
        const gaveUp = (this.streams as boolean | undefined) === false; // set by streamed() (no usage)
        if (!refused && !gaveUp) throw err;
        this.streams = false;
      }
    }
    return this.attempt(request, () => this.whole(request));
  }

  private async streamed(request: CompletionRequest, onDelta: (text: string) => void): Promise<CompletionResult> {
    const { data: stream, request_id } = await this.client.chat.completions
      .create(
        {
          model: this.options.model,
          messages: request.messages,
          stream: true,
          stream_options: { include_usage: true },
          ...(request.maxOutputTokens ? { max_completion_tokens: request.maxOutputTokens } : {}),
        },
        { signal: request.signal },
      )
      .withResponse();
    let text = '';
    let finishReason = 'unknown';
    let responseModel: string | undefined;
    let id: string | undefined;
    let usage: CompletionResult['usage'] | undefined;
    for await (const chunk of stream) {
      id ??= chunk.id;
      responseModel = chunk.model || responseModel;
      const choice = chunk.choices[0];
      const piece = choice?.delta?.content;
      if (piece) {
        text += piece;
        onDelta(piece);
      }
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (chunk.usage) {
        usage = {
          inputTokens: chunk.usage.prompt_tokens,
          outputTokens: chunk.usage.completion_tokens,
          cachedTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
          reasoningTokens: chunk.usage.completion_tokens_details?.reasoning_tokens ?? 0,
        };
      }
    }
    if (!usage) {
      // Token counts must be the server's: one that streams without usage is asked whole from now on.
      this.streams = false;
      throw new ModelError(`model ${this.options.model}: the server streamed no usage (stream_options.include_usage); asking without streaming`, 400);
    }
    return { text, finishReason, usage, responseModel, providerRequestId: request_id ?? id };
  }

  /** Runs a request, turning the SDK's errors into ModelErrors with a clear reason. */
  private async attempt(request: CompletionRequest, call: () => Promise<CompletionResult>): Promise<CompletionResult> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof ModelError) throw err;
      if (err instanceof OpenAI.APIUserAbortError || request.signal?.aborted) {
        throw new ModelError(`model call aborted: ${request.signal?.reason instanceof Error ? request.signal.reason.message : 'aborted'}`);
      }
      if (err instanceof OpenAI.APIConnectionTimeoutError) {
        throw new ModelError(`model ${this.options.model} timed out after ${this.options.timeoutMs ?? 120_000} ms (retried ${this.options.maxRetries ?? 3} times)`);
      }
      if (err instanceof OpenAI.APIError) {
        const where = this.client.baseURL;
        const hint =
          err.status === 401 ? ' Check OPENAI_API_KEY.' : err.status === 404 ? ` Check the model name and --base-url (${where}).` : err.status === 429 ? ' Rate limited even after retries.' : '';
        throw new ModelError(
          `model ${this.options.model} failed: ${err.status ?? 'connection error'} ${err.message}${hint}`,
          err.status,
          err.requestID ?? undefined,
        );
      }
      throw new ModelError(`model ${this.options.model} failed: ${(err as Error).message}`);
    }
  }

  private async whole(request: CompletionRequest): Promise<CompletionResult> {
    const res = await this.client.chat.completions.create(
      {
        model: this.options.model,
        messages: request.messages,
        ...(request.maxOutputTokens ? { max_completion_tokens: request.maxOutputTokens } : {}),
      },
      { signal: request.signal },
    );
    const choice = res.choices[0];
    return {
      text: choice?.message?.content ?? '',
      finishReason: choice?.finish_reason ?? 'unknown',
      usage: {
        inputTokens: res.usage?.prompt_tokens ?? 0,
        outputTokens: res.usage?.completion_tokens ?? 0,
        cachedTokens: res.usage?.prompt_tokens_details?.cached_tokens ?? 0,
        reasoningTokens: res.usage?.completion_tokens_details?.reasoning_tokens ?? 0,
      },
      responseModel: res.model,
      providerRequestId: res._request_id ?? res.id,
    };
  }
}
