/**
 * The "direct" baseline: one plain call to a model with the query and the input truncated to the
 * model's window - what you get without a REPL. Works with any ModelClient.
 */
import type { ModelClient, Usage } from '../models/types.js';
import { buildSubCallMessages } from '../contracts/messages.js';
import { DEFAULT_LEAF_WINDOW } from './leaf-model.js';
import type { Task } from './types.js';

export interface DirectOptions {
  /** Characters of the input sent (head kept). Default 8000, the sim leaf's window. */
  windowChars?: number;
  signal?: AbortSignal;
}

export interface DirectResult {
  answer: string;
  usage: Usage;
  ms: number;
}

export async function runDirect(task: Task, model: ModelClient, options: DirectOptions = {}): Promise<DirectResult> {
  const window = options.windowChars ?? DEFAULT_LEAF_WINDOW;
  const started = performance.now();
  const result = await model.complete({ messages: buildSubCallMessages(task.query, task.context.slice(0, window)), signal: options.signal });
  return { answer: result.text.trim(), usage: result.usage, ms: performance.now() - started };
}
