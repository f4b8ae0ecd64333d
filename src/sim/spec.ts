/**
 * Model specs for the simulated models, e.g. `sim:root`, `sim:leaf`,
 * `sim:leaf?window=16000&errorRate=0.05&seed=7&latencyMs=20`. `registerSimProvider()` makes
 * `resolveModel('sim:...')` (src/models/resolve.ts) build them.
 *
 * Parameters (all optional): seed, window (the leaf's window; for the root, the window it sizes
 * chunks for - keep both equal), errorRate (leaf), bugRate and sloppyRate (root), latencyMs
 * (fixed per call) and msPerToken (per output token).
 */
import { registerModelProvider, type ModelRole } from '../models/resolve.js';
import type { ModelClient } from '../models/types.js';
import { SimLeafModel } from './leaf-model.js';
import { SimRootModel } from './root-model.js';

export interface SimSpec {
  kind: 'root' | 'leaf';
  seed?: number;
  window?: number;
  errorRate?: number;
  bugRate?: number;
  sloppyRate?: number;
  latencyMs?: number;
  msPerToken?: number;
}

const NUMERIC = ['seed', 'window', 'errorRate', 'bugRate', 'sloppyRate', 'latencyMs', 'msPerToken'] as const;

/** Parses the part after `sim:`; `role` picks the kind when the name is empty. */
export function parseSimSpec(name: string, role: ModelRole = 'root'): SimSpec {
  const [kindText, queryText = ''] = name.split('?', 2);
  const kind = kindText === '' ? (role === 'root' ? 'root' : 'leaf') : kindText;
  if (kind !== 'root' && kind !== 'leaf') {
    throw new Error(`Unknown simulated model "sim:${kindText}": use sim:root (writes RLM code) or sim:leaf (answers llm() sub-calls).`);
  }
  const spec: SimSpec = { kind };
  for (const [key, value] of new URLSearchParams(queryText)) {
    if (!(NUMERIC as readonly string[]).includes(key)) {
      throw new Error(`Unknown parameter "${key}" in sim:${name}; known: ${NUMERIC.join(', ')}.`);
    }
    const n = Number(value);
    if (value === '' || !Number.isFinite(n) || n < 0) throw new Error(`Parameter ${key} in sim:${name} must be a non-negative number (got "${value}").`);
    spec[key as (typeof NUMERIC)[number]] = n;
  }
  return spec;
}

export function createSimModelFromSpec(name: string, role: ModelRole = 'root'): ModelClient {
  const s = parseSimSpec(name, role);
  const latency = s.latencyMs !== undefined || s.msPerToken !== undefined ? { fixedMs: s.latencyMs, perOutputTokenMs: s.msPerToken } : undefined;
  if (s.kind === 'root') {
    return new SimRootModel({ seed: s.seed, leafWindow: s.window, bugRate: s.bugRate, sloppyRate: s.sloppyRate, latency });
  }
  return new SimLeafModel({ seed: s.seed, window: s.window, errorRate: s.errorRate, latency });
}

/** Registers the `sim:` prefix with the model resolver (the CLI and tests call it; the runtime never does). */
export function registerSimProvider(): void {
  registerModelProvider('sim', (name, role) => createSimModelFromSpec(name, role), { defaultSubModel: 'sim:leaf' });
}
