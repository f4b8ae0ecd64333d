/**
 * Names and docs of generated functions (LILO-style: from the abstraction's uses). With a model
 * configured, an OpenAI-compatible chat model is shown the skeleton, the template and two member
 * queries and asked for a lowerCamelCase name and a one-paragraph doc; a name that does not match
 * FUNCTION_NAME, or no usable reply, falls back to the deterministic name. Without a model, the
 * name comes from the skeleton (`split(lines) |> filter(match) |> map(llm) |> count |> FINAL` →
 * `countMatchingLinesWithLlm`) and the first prompt's verb, the doc from the skeleton, the growth
 * class, the parameters and the prompt templates.
 */
import { FUNCTION_NAME } from '../../src/library/format.js';
import { resolveModel, type ModelConfig } from '../../src/models/resolve.js';
import type { ModelClient } from '../../src/models/types.js';

export interface NamingParam {
  name: string;
  type: string;
  required: boolean;
  /** Options: the default; required parameters: an example value. */
  example: unknown;
}

export interface NamingInput {
  clusterId: string;
  skeleton: string;
  growth: string | null;
  /** The generalized program (the function's body as emitted before naming). */
  template: string;
  /** Prompt texts of the template's model calls (as written in the medoid). */
  prompts: string[];
  /** Queries of (up to) two member runs. */
  queries: string[];
  params: NamingParam[];
  members: number;
}

export interface Naming {
  name: string;
  doc: string;
}

/** A name and doc for a candidate, or undefined to use the deterministic ones. */
export type Namer = (input: NamingInput) => Promise<Naming | undefined>;

export const MAX_NAME_LENGTH = 64;

const VERBS = new Set([
  'find', 'extract', 'classify', 'label', 'count', 'summarize', 'summarise', 'review', 'list', 'answer', 'identify', 'detect', 'check',
  'translate', 'rate', 'score', 'tag', 'compare', 'match', 'select', 'rank', 'locate', 'search', 'analyze', 'analyse', 'describe',
  'collect', 'gather', 'determine', 'decide', 'name', 'pair', 'group', 'filter', 'grade', 'audit', 'verify', 'report',
]);
/** Verbs that read better with a preposition before the unit: findInLines, extractFromSections. */
const PREPOSITION: Record<string, string> = { find: 'In', search: 'In', locate: 'In', answer: 'From', extract: 'From', collect: 'From', gather: 'From' };
/** The skeleton's last op, when it says what the answer is. */
const TERMINAL_VERBS: Record<string, string> = { count: 'count', sort: 'rank' };
/** The skeleton's last op, when the prompts say nothing better. */
const FALLBACK_VERBS: Record<string, string> = { index: 'pick', join: 'collect', reduce: 'combine' };
/** A prompt that asks a question answers it. */
const QUESTION_WORDS = new Set(['what', 'which', 'who', 'where', 'when', 'how', 'does', 'is', 'are', 'do']);

const cap = (w: string) => (w ? w[0].toUpperCase() + w.slice(1) : w);

function unitOf(ops: string[]): string {
  const split = ops.map((o) => /^split\((\w+)\)$/.exec(o)?.[1]).find((u): u is string => u !== undefined);
  if (!split) return 'Text';
  const u = split.replace(/[^A-Za-z]/g, '');
  return cap(u.endsWith('s') ? u : `${u}s`);
}

function promptVerb(prompts: readonly string[]): string | undefined {
  for (const p of prompts) {
    const first = /^[^A-Za-z]*([A-Za-z]+)/.exec(p)?.[1]?.toLowerCase();
    if (first && VERBS.has(first)) return first === 'summarise' ? 'summarize' : first === 'analyse' ? 'analyze' : first;
    if (first && QUESTION_WORDS.has(first)) return 'answer';
  }
  return undefined;
}

/** The deterministic name: verb, "Matching" when lines are filtered first, the unit, how the model is used. */
export function skeletonName(skeleton: string, prompts: readonly string[] = []): string {
  const ops = skeleton.split('|>').map((o) => o.trim()).filter(Boolean);
  const body = ops.filter((o) => o !== 'FINAL');
  const last = body[body.length - 1] ?? '';
  const verb = TERMINAL_VERBS[last] ?? promptVerb(prompts) ?? FALLBACK_VERBS[last.replace(/\(.*$/, '')] ?? 'map';
  const firstModel = body.findIndex((o) => /llm|rlm|lib\./.test(o));
  const filtered = body.slice(0, firstModel < 0 ? body.length : firstModel).some((o) => o.startsWith('filter('));
  const recursive = body.some((o) => o.startsWith('recurse('));
  const model = body.some((o) => o.includes('rlm')) ? 'WithRlm' : firstModel >= 0 ? 'WithLlm' : '';
  const name = `${verb}${PREPOSITION[verb] ?? ''}${filtered ? 'Matching' : ''}${unitOf(body)}${recursive ? 'Recursively' : ''}${model}`;
  return name.slice(0, MAX_NAME_LENGTH);
}

/** `name`, or `name2`, `name3`, ... when taken (within one pass); always ≤ 64 characters. */
export function uniqueFunctionName(name: string, taken: ReadonlySet<string>): string {
  const base = name.slice(0, MAX_NAME_LENGTH);
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) {
    const suffix = String(i);
    const candidate = base.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}

const GROWTH_TEXT: Record<string, string> = {
  constant: 'a fixed number of model calls, whatever the input size',
  linear: 'model calls that grow linearly with the input (one per chunk)',
  logarithmic: 'model calls that grow logarithmically with the input (a recursive reduction)',
};

const quote = (s: string, max = 160) => JSON.stringify(s.length > max ? `${s.slice(0, max)}…` : s);
const example = (v: unknown, max = 80): string => (typeof v === 'string' ? quote(v, max) : (() => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > max ? `${text.slice(0, max)}…` : text;
})());

/** The deterministic doc: what the pipeline does, its parameters and prompts, where it came from. */
export function skeletonDoc(input: NamingInput): string {
  const lines: string[] = [];
  lines.push(`Runs the decomposition \`${input.skeleton}\` over \`context\` and returns the answer as a string.`);
  const growth = input.growth ? GROWTH_TEXT[input.growth] : undefined;
  if (growth) lines.push(`It makes ${growth}.`);
  const required = input.params.filter((p) => p.required);
  const options = input.params.filter((p) => !p.required);
  const params = required.map((p) => `\`${p.name}\` (${p.type}, e.g. ${example(p.example)})`);
  if (params.length) lines.push(`Parameters: ${params.join('; ')}.`);
  const opts = options.map((p) => `\`${p.name}\` (${p.type}, default ${example(p.example, 60)})`);
  if (opts.length) lines.push(`Options: ${opts.join('; ')}.`);
  if (input.prompts.length) lines.push(`Prompt templates: ${input.prompts.slice(0, 3).map((p) => quote(p)).join('; ')}.`);
  lines.push(`Generalized from ${input.members} logged runs of cluster ${input.clusterId}${input.queries[0] ? `, e.g. ${quote(input.queries[0], 120)}` : ''}.`);
  return lines.join('\n');
}

const NAMER_SYSTEM = 'You name reusable TypeScript functions that were mined from programs a language model wrote. Reply with JSON only.';

function namerPrompt(input: NamingInput): string {
  const code = input.template.length > 6_000 ? `${input.template.slice(0, 6_000)}\n// ...` : input.template;
  return [
    `Pipeline skeleton: ${input.skeleton}`,
    `Growth of model calls with the input: ${input.growth ?? 'unknown'}`,
    'The function (its name is a placeholder):',
    '```ts',
    code,
    '```',
    'Queries of two runs it was mined from:',
    ...input.queries.slice(0, 2).map((q) => `- ${q}`),
    '',
    'Reply with {"name": "...", "doc": "..."}: name is a descriptive lowerCamelCase identifier (letters and digits, at most 64 characters);',
    'doc is one paragraph that says what the function does, what its parameters mean and what it returns.',
  ].join('\n');
}

/** Reads `{"name", "doc"}` out of a model reply; undefined when it is not usable. */
export function parseNaming(text: string): Naming | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end <= start) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text.slice(start, end + 1));
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { name, doc } = value as { name?: unknown; doc?: unknown };
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) return undefined;
  if (typeof doc !== 'string' || doc.trim().length === 0) return undefined;
  return { name, doc: doc.trim().slice(0, 2_000) };
}

/** A namer that asks a chat model; any failure (error, bad JSON, invalid name) means "use the fallback". */
export function modelNamer(client: ModelClient): Namer {
  return async (input) => {
    try {
      const result = await client.complete({
        messages: [
          { role: 'system', content: NAMER_SYSTEM },
          { role: 'user', content: namerPrompt(input) },
        ],
        maxOutputTokens: 600,
      });
      return parseNaming(result.text);
    } catch {
      return undefined;
    }
  };
}

/** The namer for a model spec (e.g. `gpt-5-nano`, resolved as a sub-call model), or none without one. */
export function namerFromSpec(spec: string | undefined, config: ModelConfig = {}): Namer | undefined {
  return spec ? modelNamer(resolveModel(spec, 'sub', config)) : undefined;
}
