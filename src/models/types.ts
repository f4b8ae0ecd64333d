/**
 * The model boundary. Every model accrete talks to — OpenAI-compatible servers, scripted
 * replays, the simulated models of src/sim — implements {@link ModelClient}.
 */

import type { ChatMessage } from '../contracts/messages.js';

/** Chat messages are a shared message format (src/contracts/messages.ts). */
export type { ChatMessage, ChatRole } from '../contracts/messages.js';

export interface CompletionRequest {
  messages: ChatMessage[];
  /** Upper bound on generated tokens; the client may ignore it. */
  maxOutputTokens?: number;
  /** Aborts the request (run timeout, SIGINT, watchdog). */
  signal?: AbortSignal;
  /**
   * Asks for the reply as it is generated: a client that can stream passes each piece of text
   * here as it arrives (the result, with its token counts, is the same); others ignore it.
   */
  onDelta?: (text: string) => void;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens?: number;
  reasoningTokens?: number;
}

export interface CompletionResult {
  text: string;
  /** OpenAI finish reason: stop | length | content_filter | ... */
  finishReason: string;
  usage: Usage;
  /** The model that actually answered (gen_ai.response.model). */
  responseModel?: string;
  /** Provider-assigned id of the response (gen_ai.response.id / x-request-id). */
  providerRequestId?: string;
}

export interface ModelClient {
  /** gen_ai.request.model */
  readonly model: string;
  /** gen_ai.provider.name, e.g. "openai", "script", "sim". */
  readonly provider: string;
  complete(request: CompletionRequest): Promise<CompletionResult>;
}

/** Thrown by clients for failures that end the call; `retryable` is already exhausted. */
export class ModelError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly providerRequestId?: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
