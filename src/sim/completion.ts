/**
 * Turns a simulated model's reply text into a {@link CompletionResult}: token usage, the
 * `maxOutputTokens` cut (finish reason "length"), a deterministic response id, and the latency.
 */
import type { CompletionRequest, CompletionResult } from '../models/types.js';
import { latencyFor, sleep, type LatencyModel } from './latency.js';
import { hashString } from './rng.js';
import { countMessageTokens, countTokens } from './tokens.js';

function cutToTokens(text: string, maxTokens: number): string {
  // Binary search on the prefix length: countTokens is monotone in the prefix.
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (countTokens(text.slice(0, mid)) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo);
}

export async function finishCompletion(
  model: string,
  request: CompletionRequest,
  reply: string,
  latency: LatencyModel | undefined,
): Promise<CompletionResult> {
  let text = reply;
  let finishReason = 'stop';
  let outputTokens = countTokens(text);
  const max = request.maxOutputTokens;
  if (max !== undefined && max > 0 && outputTokens > max) {
    text = cutToTokens(text, max);
    outputTokens = countTokens(text);
    finishReason = 'length';
  }
  const inputTokens = countMessageTokens(request.messages);
  await sleep(latencyFor(latency, outputTokens), request.signal);
  const id = hashString(text, hashString(request.messages.map((m) => m.content).join('\u0001'))).toString(36);
  return {
    text,
    finishReason,
    usage: { inputTokens, outputTokens },
    responseModel: model,
    providerRequestId: `sim-${id}`,
  };
}
