/**
 * Model specs as users write them: `gpt-5-mini` (an OpenAI-compatible model), `script:FILE`
 * (scripted replies), `sim:root` / `sim:leaf` (the simulated models of src/sim).
 */
import { OpenAIChatModel, type OpenAIModelOptions } from './openai.js';
import { ScriptedModel } from './scripted.js';
import type { ModelClient } from './types.js';

export type ModelRole = 'root' | 'sub';

export interface ModelConfig {
  apiKey?: string;
  baseURL?: string;
  timeoutMs?: number;
  maxRetries?: number;
}

/** Providers registered by spec prefix (e.g. "sim"); they build a model from the rest of the spec. */
const providers = new Map<string, (name: string, role: ModelRole) => ModelClient>();

export function registerModelProvider(prefix: string, build: (name: string, role: ModelRole) => ModelClient): void {
  providers.set(prefix, build);
}

export const DEFAULT_ROOT_MODEL = 'gpt-5-mini';
export const DEFAULT_SUB_MODEL = 'gpt-5-nano';

export function resolveModel(spec: string, role: ModelRole, config: ModelConfig = {}): ModelClient {
  const colon = spec.indexOf(':');
  const prefix = colon > 0 ? spec.slice(0, colon) : '';
  if (prefix === 'script') {
    const file = spec.slice(colon + 1);
    if (!file) throw new Error('script: needs a file, e.g. --model script:trajectory.json');
    return ScriptedModel.fromFile(file, role === 'root' ? 'error' : 'repeat');
  }
  const provider = providers.get(prefix);
  if (provider) return provider(spec.slice(colon + 1), role);
  const opts: OpenAIModelOptions = { model: spec, ...config };
  return new OpenAIChatModel(opts);
}

/** Whether an OpenAI-compatible endpoint is configured at all. */
export function hasOpenAIConfig(config: ModelConfig = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(config.apiKey || config.baseURL || env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
}
