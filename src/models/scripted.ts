/**
 * A scripted model: replies from a JSON file `{"responses": ["...", ...]}`, in order. This is how
 * tests and bug reports reproduce a trajectory exactly (`--model script:FILE`).
 */
import { readFileSync } from 'node:fs';
import { estimateTokens } from './tokens.js';
import { ModelError, type CompletionRequest, type CompletionResult, type ModelClient } from './types.js';

export interface ScriptedModelOptions {
  responses: string[];
  /** What to do past the last response: repeat it (sub-models) or fail (root models). */
  whenExhausted?: 'repeat' | 'error';
  name?: string;
}

export class ScriptedModel implements ModelClient {
  readonly provider = 'script';
  readonly model: string;
  private next = 0;

  constructor(private readonly options: ScriptedModelOptions) {
    this.model = options.name ?? 'script';
  }

  static fromFile(file: string, whenExhausted: 'repeat' | 'error'): ScriptedModel {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new Error(`Cannot read the model script ${file}: ${(err as Error).message}. It must be JSON: {"responses": ["...", "..."]}.`);
    }
    const responses = (parsed as { responses?: unknown }).responses;
    if (!Array.isArray(responses) || responses.length === 0 || !responses.every((r) => typeof r === 'string')) {
      throw new Error(`The model script ${file} must be JSON {"responses": ["...", ...]} with at least one string.`);
    }
    return new ScriptedModel({ responses, whenExhausted, name: `script:${file}` });
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    const { responses, whenExhausted = 'error' } = this.options;
    if (this.next >= responses.length && whenExhausted === 'error') {
      throw new ModelError(`the scripted model ${this.model} has no response left (all ${responses.length} used)`);
    }
    const text = responses[Math.min(this.next, responses.length - 1)];
    this.next++;
    const input = request.messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
    return { text, finishReason: 'stop', usage: { inputTokens: input, outputTokens: estimateTokens(text) } };
  }
}
