/**
 * Model specs as users write them: `gpt-5-mini` (an OpenAI-compatible model), `script:FILE`
 * (scripted replies), and `<prefix>:<name>` for providers the caller registered (the CLI registers
 * `sim:root` / `sim:leaf`, the simulated models of src/sim; the runtime registers nothing).
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

export interface ModelProvider {
  /** Builds a model from the rest of the spec (after `<prefix>:`). */
  build(name: string, role: ModelRole): ModelClient;
  /** The sub-model spec that goes with a root model of this provider when none is configured. */
  defaultSubModel?: string;
}

/** Providers registered by spec prefix (e.g. "sim"), filled in by the caller (the CLI, tests). */
const providers = new Map<string, ModelProvider>();

export function registerModelProvider(prefix: string, build: (name: string, role: ModelRole) => ModelClient, options: { defaultSubModel?: string } = {}): void {
  providers.set(prefix, { build, ...options });
}

const providerOf = (spec: string): ModelProvider | undefined => {
  const colon = spec.indexOf(':');
  return colon > 0 ? providers.get(spec.slice(0, colon)) : undefined;
};

/** The sub-model a registered provider pairs with this root model spec, if any. */
export function defaultSubModelFor(rootSpec: string): string | undefined {
  return providerOf(rootSpec)?.defaultSubModel;
}

export const DEFAULT_ROOT_MODEL = 'gpt-5-mini';
export const DEFAULT_SUB_MODEL = 'gpt-5-nano';

/** A model spec that names no usable model (an unknown simulated model, a script that cannot be read). */
export class ModelSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSpecError';
  }
}

/** Whether this spec names a model on the OpenAI-compatible endpoint (not script: nor a registered provider). */
export function isEndpointModel(spec: string): boolean {
  return !spec.startsWith('script:') && !providerOf(spec);
}

export function resolveModel(spec: string, role: ModelRole, config: ModelConfig = {}): ModelClient {
  const colon = spec.indexOf(':');
  const prefix = colon > 0 ? spec.slice(0, colon) : '';
  const named = (build: () => ModelClient): ModelClient => {
    try {
      return build();
    } catch (err) {
      throw new ModelSpecError(`model ${spec}: ${(err as Error).message}`);
    }
  };
  if (prefix === 'script') {
    const file = spec.slice(colon + 1);
    if (!file) throw new ModelSpecError('script: needs a file, e.g. --model script:trajectory.json');
    return named(() => ScriptedModel.fromFile(file, role === 'root' ? 'error' : 'repeat'));
  }
  const provider = providerOf(spec);
  if (provider) return named(() => provider.build(spec.slice(colon + 1), role));
  const opts: OpenAIModelOptions = { model: spec, ...config };
  return new OpenAIChatModel(opts);
}

/** Whether an OpenAI-compatible endpoint is configured at all. */
export function hasOpenAIConfig(config: ModelConfig = {}, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(config.apiKey || config.baseURL || env.OPENAI_API_KEY || env.OPENAI_BASE_URL);
}
