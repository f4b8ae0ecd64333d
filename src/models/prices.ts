/** USD per million tokens for models whose price is public. Unknown models cost 0 (and say so). */
export interface Price {
  input: number;
  cachedInput: number;
  output: number;
}

const PRICES: Record<string, Price> = {
  'gpt-5': { input: 1.25, cachedInput: 0.125, output: 10 },
  'gpt-5-mini': { input: 0.25, cachedInput: 0.025, output: 2 },
  'gpt-5-nano': { input: 0.05, cachedInput: 0.005, output: 0.4 },
  'gpt-4.1': { input: 2, cachedInput: 0.5, output: 8 },
  'gpt-4.1-mini': { input: 0.4, cachedInput: 0.1, output: 1.6 },
  'gpt-4.1-nano': { input: 0.1, cachedInput: 0.025, output: 0.4 },
  'gpt-4o': { input: 2.5, cachedInput: 1.25, output: 10 },
  'gpt-4o-mini': { input: 0.15, cachedInput: 0.075, output: 0.6 },
  o3: { input: 2, cachedInput: 0.5, output: 8 },
  'o4-mini': { input: 1.1, cachedInput: 0.275, output: 4.4 },
};

/** The price of a model, matching dated snapshots (gpt-4o-2024-08-06) to their base name. */
export function priceOf(model: string): Price | undefined {
  const name = model.replace(/^openai\//, '');
  if (PRICES[name]) return PRICES[name];
  const base = name.replace(/-\d{4}-\d{2}-\d{2}$/, '');
  return PRICES[base];
}

export function costUsd(model: string, usage: { inputTokens: number; outputTokens: number; cachedTokens?: number }): number {
  const p = priceOf(model);
  if (!p) return 0;
  const cached = usage.cachedTokens ?? 0;
  return ((usage.inputTokens - cached) * p.input + cached * p.cachedInput + usage.outputTokens * p.output) / 1_000_000;
}
