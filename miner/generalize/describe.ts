/**
 * The deterministic doc of a generated function, written as English from what the members show:
 * what it does in one sentence (the prompt's verb, the unit it cuts the input into, how it combines
 * the answers), what input it expects (the delimiter or JSON shape), what each parameter means and
 * its default, exactly what it returns (the shape of the members' answers, with an example), how
 * many model calls it makes against the input size, when not to use it, and the checked form.
 */
import type { InputShape } from './input-shape.js';
import type { Placeholder } from './params.js';
import type { SiteRole, TextUse } from './roles.js';
import { FORMAT_WORDS, type AnswerFormat } from './subgroup.js';

export interface DescribedParam {
  name: string;
  type: string;
  required: boolean;
  /** Options: the default; required parameters: the most common member value (an example). */
  example: unknown;
  role: SiteRole;
  /** The members' queries name its values (the user supplies them). */
  fromQuery: boolean;
  /** Distinct values among the members. */
  distinct: number;
  /** Role `mode`: the values it chooses between. */
  choices?: string[];
  /** A text part of a template literal (the values the code fills in sit around it). */
  part?: boolean;
  /** An instruction with named placeholders the function fills in (instruction-template.ts). */
  placeholders?: Placeholder[];
  /** Wording with placeholders that the function returns. */
  answer?: boolean;
  /** Where the code uses it (`reply.slice(0, maxChars)`), for a number the doc cannot otherwise explain. */
  use?: string;
  /** Text whose place in the code says what it is for (a heading of the answer, a fallback, a record's field). */
  textUse?: TextUse;
  /** A chunk budget moved off the members' most common value, which sent more than the sub-model's answers ever drew on. */
  pastWindow?: { common: number; window: number };
  /** Used by the combining stage (an instruction sent with the answers, a budget for them), not by the calls over the input. */
  combines?: boolean;
}

export interface DescribeInput {
  shape: InputShape;
  /** Prompt texts of the template's model calls. */
  prompts: string[];
  queries: string[];
  /** The logged answers of the members the function stands for (its sub-group). */
  answers: string[];
  /** How those answers are written. */
  format?: AnswerFormat;
  /** Members whose answers were written in another format (so the function does not fit their questions). */
  unlike?: { query: string; format: AnswerFormat }[];
  params: DescribedParam[];
  /** Name of the options object. */
  optionsName?: string;
  /** The checked form (`{ checked: true }`) exists. */
  checked: boolean;
  /** The skeleton's operations (`split(lines)`, `map(llm)`, `count`, ...). */
  ops: string[];
  growth: string | null;
  members: number;
  clusterId: string;
  /** The verb the name uses (from the prompt or the skeleton). */
  verb: string;
}

const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1).trimEnd()}…` : s);
const quote = (s: string, max = 120) => JSON.stringify(clip(s, max));
const shown = (v: unknown, max = 60): string => (typeof v === 'string' ? quote(v, max) : clip(JSON.stringify(v) ?? String(v), max));

/** "review" → "Reviews", "match" → "Matches", "classify" → "Classifies". */
export function thirdPerson(verb: string): string {
  const v = verb.toLowerCase();
  const s = /(s|sh|ch|x|z)$/.test(v) ? `${v}es` : /[^aeiou]y$/.test(v) ? `${v.slice(0, -1)}ies` : `${v}s`;
  return s[0].toUpperCase() + s.slice(1);
}

function combinePhrase(ops: readonly string[]): string {
  const after = ops.slice(ops.findIndex((o) => /llm|rlm/.test(o)) + 1).map((o) => o.replace(/\(.*$/, ''));
  const picksOne = after.includes('index');
  if (after.includes('sort') && picksOne) return after.includes('reduce') || after.includes('count') ? 'combines the answers and takes the top one' : 'ranks the results and takes the top one';
  if (after.includes('count')) return 'counts the results';
  if (after.includes('sort')) return 'ranks the results';
  if (after.includes('vote')) return 'takes the majority answer';
  if (picksOne && after.includes('filter')) return 'takes the first answer that passes its filter';
  if (picksOne) return 'picks one answer';
  if (after.includes('parse')) return 'parses the answers and combines them';
  if (after.includes('join')) return 'joins the answers';
  return 'combines the answers';
}

function doesSentence(d: DescribeInput): string {
  const { shape } = d;
  const over = shape.unit === 'text' ? '`context`' : `the ${shape.filtered ? 'matching ' : ''}${shape.unit} of \`context\``;
  const chunked = shape.chunk ? (shape.chunk.of === 'characters' ? `, packed into chunks of at most ${shape.chunk.size} characters,` : `, ${shape.chunk.size} at a time,`) : '';
  const instruction = d.prompts[0] ? ` with the instruction ${quote(d.prompts[0], 140)}` : '';
  if (shape.calls === 'none') return `${thirdPerson(d.verb)} ${over} without model calls and ${combinePhrase(d.ops)}.`;
  // a second model stage over the answers is what combines them, whatever the code does around it
  const combine = shape.combines ? `asks the model to combine the answers${shape.combines.instruction ? ` with the instruction ${quote(shape.combines.instruction, 140)}` : ''}` : combinePhrase(d.ops);
  return `${thirdPerson(d.verb)} ${over}${chunked} by asking the model${instruction}, then ${combine}.`;
}

function paramMeaning(p: DescribedParam, shape: InputShape): string {
  const base =
    p.role === 'prompt'
      ? p.part
        ? 'a part of the instruction sent with every piece, the text between the values the code fills in (a task for the model, not the user\'s question)'
        : p.combines
          ? `the instruction sent with the answers to the pieces, to combine them into one (a task for the model, not the user's question)${placeholderNote(p.placeholders)}`
          : `the instruction sent with every piece (a task for the model, not the user's question)${placeholderNote(p.placeholders)}`
      : p.role === 'labels'
        ? `the ${/key/i.test(p.name) ? 'fields to match on' : 'allowed labels'} (a list)`
        : p.role === 'pattern'
          ? patternMeaning(p, shape)
          : p.role === 'size'
            ? sizeMeaning(p, shape)
            : p.role === 'separator'
              ? 'the delimiter'
              : p.role === 'value'
                ? `the value the code compares its data with (\`=== ${p.name}\`)`
              : p.role === 'mode'
                ? modeMeaning(p)
                : p.placeholders?.length
                  ? `the wording of ${p.answer ? 'the answer' : 'the text it builds there'}, as the members wrote it${placeholderNote(p.placeholders)}`
                  : p.textUse
                    ? TEXT_USES[p.textUse](p)
                    : p.use
                      ? `text the code uses, as in \`${p.use}\``
                      : 'text inserted into the answer or the prompt';
  const source = p.fromQuery ? '; take it from the user\'s question' : '';
  // an instruction is shown whole enough to be adapted, not just recognized
  const max = p.role === 'prompt' ? 240 : 60;
  const past = p.pastWindow
    ? ` (most logged runs used ${p.pastWindow.common}, but no model answer drew on text past about ${p.pastWindow.window} characters of a call, so more than that is not read)`
    : '';
  const dflt = p.required ? `e.g. ${shown(p.example, max)}` : `default ${shown(p.example, max)}${past}`;
  return `\`${p.name}\` (${p.type}): ${base}${source}; ${dflt}.`;
}

/** A pattern: a regular expression's source, or plain text that `.includes(…)` / `.startsWith(…)` looks for. */
function patternMeaning(p: DescribedParam, shape: InputShape): string {
  const units = shape.unit === 'text' ? 'parts' : shape.unit;
  const plain = /\.(includes|startsWith|endsWith|indexOf|lastIndexOf)\(/.exec(p.use ?? '')?.[1];
  if (plain) return `plain text (not a regular expression) that selects the ${units} to use: those ${plain === 'startsWith' ? 'starting with' : plain === 'endsWith' ? 'ending with' : 'containing'} it${usedAs(p)}`;
  return `a regular expression (source text) that selects the ${units} to use`;
}

const usedAs = (p: DescribedParam): string => (p.use ? `, as in \`${p.use}\`` : '');

/** What a text parameter is for, when its place in the code says (roles.ts). */
const TEXT_USES: Record<TextUse, (p: DescribedParam) => string> = {
  heading: () => 'the text the answer starts with, before the results',
  fallback: (p) => `the value used when nothing else is found${usedAs(p)}`,
  field: (p) => `the field read from each record${usedAs(p)}`,
};

/** A number: the chunk budget (what one model call gets), an overlap, or else what the code does with it. */
function sizeMeaning(p: DescribedParam, shape: InputShape): string {
  if (/overlap/i.test(p.name)) return 'how many characters consecutive pieces share (smaller than the size)';
  if (p.combines) return 'the most characters of answers in one model call that combines them';
  const chunk = shape.chunk;
  if (chunk && (p.example === chunk.size || (chunk.of === 'characters' && /^(size|maxChars|chunkSize|budget)$/.test(p.name)))) {
    return chunk.of === 'characters' ? 'the most characters in one model call' : `how many ${shape.unit === 'text' ? 'units' : shape.unit} go into one model call`;
  }
  return p.use ? `a number the code uses, as in \`${p.use}\`` : 'a number the code uses';
}

/** What the function fills into an instruction: `; the function puts {kinds} (the kinds, joined by ", ") where the text has it: keep it`. */
function placeholderNote(placeholders: readonly Placeholder[] | undefined): string {
  if (!placeholders?.length) return '';
  const each = placeholders.map((ph) => `\`{${ph.name}}\` (${ph.what})`);
  const list = each.length === 1 ? each[0] : `${each.slice(0, -1).join(', ')} and ${each[each.length - 1]}`;
  return `; the function puts ${list} where the text has ${each.length === 1 ? 'it' : 'them'}: keep ${each.length === 1 ? 'it' : 'them'} in yours`;
}

/** A choice the function branches on; the shared cutting helper's (cuts.ts) in its own words. */
function modeMeaning(p: DescribedParam): string {
  const choices = p.choices ?? [];
  if (/cut/i.test(p.name) && choices.includes('lines') && choices.includes('chars')) {
    return 'how the input is cut: "lines" packs whole lines into each piece, "chars" cuts every `size` characters';
  }
  return `a choice the function branches on: ${choices.map((c) => JSON.stringify(c)).join(' or ')}`;
}

/**
 * The `key: value` line format an instruction asks for, as it writes it (`"path: kind"`), and what one
 * line stands for when it says (`… per defect`, `for each finding`).
 */
export function lineFormat(prompts: readonly string[]): { format: string; item?: string } | undefined {
  for (const p of prompts) {
    // a quoted `key: value` (the quotes a pair, the opening one not inside a word: "Don't explain: …" is no format)
    const m = /(?<![A-Za-z])(["'`])([A-Za-z][\w ./<>-]{0,24}): ?([A-Za-z<][\w ./<>-]{0,24})\1|“([A-Za-z][\w ./<>-]{0,24}): ?([A-Za-z<][\w ./<>-]{0,24})”/.exec(p);
    if (!m) continue;
    const item = /\bper ([a-z]{3,})\b/i.exec(p.slice(m.index))?.[1] ?? /\bfor each ([a-z]{3,})\b/i.exec(p)?.[1];
    const [key, value] = m[2] !== undefined ? [m[2], m[3]] : [m[4], m[5]];
    return { format: `${key}: ${value}`, ...(item && !/^(line|file|one)$/i.test(item) ? { item: item.toLowerCase() } : {}) };
  }
  return undefined;
}

/** What the members returned, as a shape and an example. */
export function returnsSentence(answers: readonly string[], ops: readonly string[], prompts: readonly string[] = []): string {
  const used = answers.filter((a) => a.trim().length > 0);
  const joinsLines = ops.some((o) => o.startsWith('join'));
  if (used.length === 0) return 'Returns a string (the logged runs returned nothing to show its shape).';
  const lines = used.flatMap((a) => a.split('\n').filter((l) => l.trim().length > 0));
  const counts = used.map((a) => a.split('\n').filter((l) => l.trim()).length);
  const range = Math.min(...counts) === Math.max(...counts) ? `${counts[0]}` : `${Math.min(...counts)}–${Math.max(...counts)}`;
  const linesWord = range === '1' ? 'line' : 'lines';
  const example = clip(lines[0], 70);
  const empty = joinsLines ? ', or an empty string when there is none' : '';
  if (lines.every((l) => /^-?\d+(\.\d+)?$/.test(l.trim())) && counts.every((c) => c === 1)) return `Returns a number as text, e.g. \`${example}\`.`;
  if (counts.some((c) => c > 1)) {
    const named = lineFormat(prompts);
    const shape = lines.every((l) => /^[^:\n]{1,80}: \S/.test(l))
      ? `\`${named?.format ?? 'name: value'}\` lines`
      : lines.every((l) => /^\S.* - \S/.test(l))
        ? '`A - B` lines'
        : lines.every((l) => /^\s*[-*] /.test(l) || /^\S/.test(l)) && lines.some((l) => /^\s*[-*] /.test(l))
          ? 'text with a bulleted list'
          : 'lines of text';
    if (shape === 'text with a bulleted list') return `Returns ${shape} (the logged runs returned ${range} ${linesWord}), e.g. \`${example}\`.`;
    return `Returns ${shape}, one per ${named?.item ?? 'item'}${empty} (the logged runs returned ${range} ${linesWord}), e.g. \`${example}\`.`;
  }
  const words = used.map((a) => a.trim().split(/\s+/).length);
  if (Math.max(...words) <= 4) return `Returns a short answer, e.g. \`${example}\`.`;
  return `Returns one paragraph of text, e.g. ${quote(used[0], 90)}.`;
}

function callsSentence(shape: InputShape, growth: string | null): string {
  if (shape.calls === 'none') return 'Model calls: none.';
  if (growth === 'constant') return 'Model calls: a fixed number, whatever the input size.';
  const per = shape.chunk
    ? shape.chunk.of === 'characters'
      ? `one per chunk of at most ${shape.chunk.size} characters (about input length / ${shape.chunk.size})`
      : `one per ${shape.chunk.size} ${shape.unit === 'text' ? 'pieces' : shape.unit}`
    : `one per ${shape.unit === 'text' ? 'piece' : shape.unit.replace(/s$/, '')}`;
  const how =
    shape.calls === 'batch' ? ', sent together in one batch' : shape.calls === 'parallel' ? ', all at once' : shape.calls === 'recursive' ? ', each a recursive sub-run' : ', one after another';
  const then = shape.combines ? (shape.combines.calls === 'one' ? ', then one more to combine the answers' : ', then more to combine the answers') : '';
  return `Model calls: ${per}${how}${then}.`;
}

function notForSentence(d: DescribeInput): string {
  const parts: string[] = [];
  if (d.shape.delimiter?.startsWith('a line starting')) parts.push(`input without ${d.shape.delimiter.replace(/^a line/, 'lines')} (it then finds nothing to ask about)`);
  else if (d.shape.json) parts.push('input that is not JSON');
  if (d.shape.filtered) parts.push(`${d.shape.unit} the pattern does not select (the model never sees them)`);
  const unlike = unlikeQuestions(d);
  if (unlike) parts.push(unlike);
  else {
    parts.push('questions its instruction does not ask');
    // one short answer: a question after several things needs one call per thing
    if (d.format === 'short' || d.format === 'number') parts.push(`a question that asks for several things at once (it answers ${FORMAT_WORDS[d.format]}: call it once for each)`);
  }
  return `Not for ${parts.join('; ')}.`;
}

/**
 * The questions of members that answered in another format than the function does (two codes on
 * two lines where it answers one short line): the function was not made for them, and says so with
 * their own words, so that a caller can compare its question with them.
 */
function unlikeQuestions(d: DescribeInput): string | undefined {
  if (!d.format || !d.unlike?.length) return undefined;
  const byFormat = new Map<AnswerFormat, string[]>();
  for (const u of d.unlike) byFormat.set(u.format, [...new Set([...(byFormat.get(u.format) ?? []), u.query])]);
  const [format, queries] = [...byFormat.entries()].sort((a, b) => b[1].length - a[1].length)[0];
  const examples = exampleQueries(queries).map((q) => quote(q, 100)).join(' or ');
  const several = d.format === 'short' || d.format === 'number' ? `; it answers ${FORMAT_WORDS[d.format]}, so for a question that asks for several things, call it once for each` : '';
  return `questions like ${examples} (runs that asked them answered with ${FORMAT_WORDS[format]}, which this function does not produce${several})`;
}

/** Two of the questions the function was mined from, as unlike each other as they come (one when all read alike). */
function exampleQueries(queries: readonly string[]): string[] {
  const distinct = [...new Set(queries.map((q) => q.trim()).filter(Boolean))];
  if (distinct.length <= 1) return distinct;
  const words = (q: string) => new Set(q.toLowerCase().match(/[a-z]{3,}/g) ?? []);
  const first = words(distinct[0]);
  const similarity = (q: string) => {
    const w = words(q);
    const shared = [...w].filter((x) => first.has(x)).length;
    return shared / Math.max(1, w.size + first.size - shared);
  };
  const other = distinct.slice(1).reduce((a, b) => (similarity(b) < similarity(a) ? b : a));
  return [distinct[0], other];
}

/** The doc, one statement a line. */
export function describeFunction(d: DescribeInput): string {
  const lines = [doesSentence(d), `Input: ${d.shape.input}`];
  const required = d.params.filter((p) => p.required);
  const options = d.params.filter((p) => !p.required);
  if (required.length) lines.push(`Parameters: ${required.map((p) => paramMeaning(p, d.shape)).join(' ')}`);
  if (options.length) lines.push(`Options (\`${d.optionsName ?? 'opts'}\`): ${options.map((p) => paramMeaning(p, d.shape)).join(' ')}`);
  lines.push(returnsSentence(d.answers, d.ops, d.prompts));
  lines.push(callsSentence(d.shape, d.growth));
  lines.push(notForSentence(d));
  if (d.checked) {
    lines.push(
      `Checked form: with \`{ checked: true }\` it returns the JSON text of \`{ answer, pieces, failures }\` instead (JSON.parse it): every model call's answer is checked (empty, NONE where the instruction does not allow it${d.shape.parses === 'json' ? ', no JSON' : ''}), retried once, and those still failing — or whose call failed — are listed in \`failures\` (their query and context) so the caller can redo just those. Without it, a model call that fails throws an error naming the piece.`,
    );
  }
  const examples = exampleQueries(d.queries).map((q) => quote(q, 110));
  lines.push(`Mined from ${d.members} logged runs (cluster ${d.clusterId})${examples.length ? `, e.g. ${examples.join(' or ')}` : ''}.`);
  return lines.join('\n');
}
