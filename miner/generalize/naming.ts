/**
 * Names and docs of generated functions (LILO-style: from the abstraction's uses). With a model
 * configured, an OpenAI-compatible chat model is shown the template, two member queries and the
 * deterministic doc (as the points to cover) and asked for a lowerCamelCase name and a doc; a name
 * that does not match FUNCTION_NAME, or no usable reply, falls back to the deterministic ones.
 * Without a model, the name is the first prompt's verb, the unit the code really cuts the input into
 * (read from its split, not from the skeleton's label) and how the model is used
 * (`reviewFilesWithLlm`); the doc is describe.ts's English. Names that collide get a descriptive
 * qualifier from the prompt or the query, never a number.
 */
import { FUNCTION_NAME } from '../../src/library/format.js';
import { resolveModel, type ModelConfig } from '../../src/models/resolve.js';
import type { ModelClient } from '../../src/models/types.js';
import { describeFunction, type DescribeInput } from './describe.js';
import type { InputShape } from './input-shape.js';

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
  /** What the code does with its input (unit, delimiter, chunks, parsing). */
  shape?: InputShape;
  /** Everything the deterministic doc is written from. */
  describe?: DescribeInput;
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

function unitOf(ops: string[], shape?: InputShape): string {
  if (shape) return cap(shape.unit === 'text' ? 'Text' : shape.unit);
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
export function skeletonName(skeleton: string, prompts: readonly string[] = [], shape?: InputShape): string {
  const ops = skeleton.split('|>').map((o) => o.trim()).filter(Boolean);
  const body = ops.filter((o) => o !== 'FINAL');
  const last = body[body.length - 1] ?? '';
  const verb = TERMINAL_VERBS[last] ?? promptVerb(prompts) ?? FALLBACK_VERBS[last.replace(/\(.*$/, '')] ?? (shape?.calls === 'none' ? 'search' : 'map');
  const firstModel = body.findIndex((o) => /llm|rlm|lib\./.test(o));
  const filtered = shape ? shape.filtered : body.slice(0, firstModel < 0 ? body.length : firstModel).some((o) => o.startsWith('filter('));
  const recursive = body.some((o) => o.startsWith('recurse('));
  const model = shape
    ? shape.calls === 'recursive' ? 'WithRlm' : shape.calls === 'none' ? '' : 'WithLlm'
    : body.some((o) => o.includes('rlm')) ? 'WithRlm' : firstModel >= 0 ? 'WithLlm' : '';
  const name = `${verb}${PREPOSITION[verb] ?? ''}${filtered ? 'Matching' : ''}${unitOf(body, shape)}${recursive ? 'Recursively' : ''}${model}`;
  return name.slice(0, MAX_NAME_LENGTH);
}

const STOP_WORDS = new Set(
  ('the a an and or of in on for to with from by as at is are be this that these those it its each every all any below above ' +
    'one per line lines text reply answer output only nothing else if there none return returns give list find which what who how ' +
    'do does make sure include including into your you me my please them they their than then when where whose about such ' +
    'based given using following read here just most more very also been being have has had should would could will must').split(' '),
);

/** Content words of prompts and queries, in order of appearance, as qualifiers for a colliding name. */
export function qualifierWords(texts: readonly string[]): string[] {
  const out: string[] = [];
  for (const t of texts) {
    for (const w of t.replace(/\$\{[^}]*\}/g, ' ').split(/[^A-Za-z]+/)) {
      const lw = w.toLowerCase();
      if (lw.length < 4 || STOP_WORDS.has(lw) || out.includes(lw)) continue;
      out.push(lw);
    }
  }
  return out;
}

/**
 * `name` when free; else `name` qualified by the first content word (of the prompts, then the
 * queries) that makes it free and is not in it already (`summarizeSectionsWithLlmFindings`); never a
 * number. Always ≤ 64 characters.
 */
export function uniqueFunctionName(name: string, taken: ReadonlySet<string>, qualifiers: readonly string[] = []): string {
  const base = name.slice(0, MAX_NAME_LENGTH);
  if (!taken.has(base)) return base;
  const words = [...qualifiers.map((q) => q.toLowerCase()), 'other', 'alternative', 'variant'];
  let current = base;
  for (let round = 0; round < 3; round++) {
    for (const w of words) {
      if (current.toLowerCase().includes(w)) continue;
      const candidate = `${current}${cap(w)}`;
      if (candidate.length <= MAX_NAME_LENGTH && !taken.has(candidate)) return candidate;
    }
    current = `${current}${cap(words.find((w) => !current.toLowerCase().includes(w)) ?? 'more')}`.slice(0, MAX_NAME_LENGTH - 12);
  }
  let extra = 'Alt';
  while (taken.has(`${base.slice(0, MAX_NAME_LENGTH - extra.length)}${extra}`)) extra += 'Alt';
  return `${base.slice(0, MAX_NAME_LENGTH - extra.length)}${extra}`;
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
  if (input.describe) return describeFunction(input.describe);
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
    ...(input.describe ? ['', 'What is known about it (a draft doc; keep every fact, make it read well):', describeFunction(input.describe)] : []),
    '',
    'Reply with {"name": "...", "doc": "..."}: name is a descriptive lowerCamelCase identifier (letters only, at most 64 characters,',
    'naming what it does and the unit of input it works on, never a number); doc says in plain sentences: what it does (one sentence),',
    'what input it expects (delimiter or JSON shape), each parameter\'s meaning and default, exactly what it returns, how many model',
    'calls it makes against the input size, and when not to use it.',
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
  // A numbered name (`answerFromText2`) says nothing: the fallback is better.
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name) || /\d/.test(name)) return undefined;
  if (typeof doc !== 'string' || doc.trim().length === 0) return undefined;
  return { name, doc: doc.trim().slice(0, 2_000) };
}

/** What a naming call sent and got back, for the caller to log. */
export interface NamingCall {
  input: NamingInput;
  messages: { role: 'system' | 'user'; content: string }[];
  /** The reply, or undefined when the call failed. */
  result?: Awaited<ReturnType<ModelClient['complete']>>;
  error?: string;
  latencyMs: number;
  /** What the reply gave, or undefined (the deterministic name and doc are used). */
  naming: Naming | undefined;
}

/**
 * A namer that asks a chat model; any failure (error, bad JSON, invalid name) means "use the
 * fallback". `onCall` sees every call (miner/generalize/namer-log.ts logs them like any model call).
 */
export function modelNamer(client: ModelClient, onCall?: (call: NamingCall) => Promise<void>): Namer {
  return async (input) => {
    const messages: NamingCall['messages'] = [
      { role: 'system', content: NAMER_SYSTEM },
      { role: 'user', content: namerPrompt(input) },
    ];
    const started = performance.now();
    let call: NamingCall;
    try {
      const result = await client.complete({ messages, maxOutputTokens: 600 });
      call = { input, messages, result, latencyMs: Math.round(performance.now() - started), naming: parseNaming(result.text) };
    } catch (err) {
      call = { input, messages, error: err instanceof Error ? err.message : String(err), latencyMs: Math.round(performance.now() - started), naming: undefined };
    }
    await onCall?.(call);
    return call.naming;
  };
}

/** The namer for a model spec (e.g. `gpt-5-nano`, resolved as a sub-call model), or none without one. */
export function namerFromSpec(spec: string | undefined, config: ModelConfig = {}): Namer | undefined {
  return spec ? modelNamer(resolveModel(spec, 'sub', config)) : undefined;
}
