/**
 * What a generalized program expects of its input and does with it, read from the template's code
 * (not from the skeleton's labels, which call any regular-expression split "sentences"): the unit
 * it cuts `context` into and the delimiter that marks one (lines, paragraphs, `## ` sections,
 * `// File: ` files, sentences, JSON records), whether it keeps only units matching a pattern, the
 * size of the chunks it packs units into, how it reads the model's answers (JSON, lines, numbers),
 * and whether it batches its model calls. Names and docs are written from this.
 */
import { combiningCalls } from './answer-flow.js';
import { printNode } from '../front/print.js';
import { LOOP_KINDS, methodCall, mk, type NNode } from '../front/tree.js';
import { SANDBOX_NAMES } from '../../src/contracts/sandbox-api.js';
import { helperCuts } from './cuts.js';
import { splitRegex } from './literals.js';

export interface InputShape {
  /** Plural noun for the unit: "lines", "files", "sections", ... ("text" when it is not cut). */
  unit: string;
  /** The delimiter as a reader would write it (`"\n"`, "a line starting with `## `"), when known. */
  delimiter?: string;
  /** A sentence on what `context` must look like. */
  input: string;
  /** Units are kept only when they match a pattern (a filter with a regular expression or a parameter). */
  filtered: boolean;
  /** The budget units are packed into (characters, or units per chunk). */
  chunk?: { size: number; of: 'characters' | 'units' };
  /** How the model's answers are read. */
  parses: 'json' | 'lines' | 'number' | 'text';
  /** Model calls made: in one llmBatch, one at a time, or through rlm. */
  calls: 'batch' | 'parallel' | 'sequential' | 'recursive' | 'none';
  /** The context is parsed as JSON rather than cut as text. */
  json: boolean;
  /** The model is asked again about its own answers (a combining stage): how often, and its instruction when the code writes it as text. */
  combines?: { calls: 'one' | 'more'; instruction?: string };
}

interface Delimiter {
  unit: string;
  describe: string;
}

/** A regular expression or string split delimiter, explained. */
export function explainDelimiter(text: string, isRegex: boolean): Delimiter {
  const body = isRegex ? splitRegex(text).source : text;
  // `^(?=## )` (multiline) or `\n(?=## )`: a cut before each header line
  const header = /^(?:\^|(?:\\r\??)?\\n|\n)\(\?=(.+)\)$/.exec(body)?.[1] ?? (isRegex ? undefined : /^\n(.+)$/.exec(body)?.[1]);
  if (header !== undefined) {
    const literal = header.replace(/\\(.)/g, '$1');
    const unit = /^\/\/\s*File|^File/i.test(literal) ? 'files' : /^#+\s?$/.test(literal) ? 'sections' : /^-{3,}$/.test(literal) ? 'records' : 'sections';
    return { unit, describe: `a line starting with \`${literal}\`` };
  }
  if (body === '\n' || body === '\\n' || body === '\\r?\\n') return { unit: 'lines', describe: 'line breaks' };
  if (/^(\\n){2,}$|^\\n\\s\*\\n$|^\\n\{2,\}$|^\n\n+$/.test(body) || body === '\n\n') return { unit: 'paragraphs', describe: 'blank lines' };
  if (/\[\.!\?\]|\(\?<=\[\.!\?\]\)/.test(body)) return { unit: 'sentences', describe: 'sentence ends (`.`, `!`, `?`)' };
  if (/^-{3,}$|^\\n-{3,}\\n$|^\n-{3,}\n$/.test(body)) return { unit: 'records', describe: `\`${body.replace(/\n/g, '\\n')}\` lines` };
  if (/^#+ ?$|^\\n#+ ?$|^\n#+ ?$/.test(body)) return { unit: 'sections', describe: `\`${body.trim()}\` headers` };
  return { unit: 'parts', describe: `\`${body.replace(/\n/g, '\\n')}\`` };
}

function walk(n: NNode, visit: (n: NNode) => void): void {
  visit(n);
  for (const ch of n.c) walk(ch, visit);
}

const literalText = (n: NNode | undefined): { text: string; regex: boolean } | undefined =>
  n?.k === 'str' && n.v !== undefined ? { text: n.v, regex: false } : n?.k === 're' && n.v !== undefined ? { text: n.v, regex: true } : undefined;

/** The first `context.split(...)` (or a split of a name bound to context), else the first split of anything. */
function contextSplit(tree: NNode): { text: string; regex: boolean } | undefined {
  let fromContext: { text: string; regex: boolean } | undefined;
  let any: { text: string; regex: boolean } | undefined;
  walk(tree, (n) => {
    const m = methodCall(n, 'split');
    const lit = m ? literalText(m.args[0]) : undefined;
    if (!m || !lit) return;
    if (m.recv.k === 'id' && m.recv.v === 'context') fromContext ??= lit;
    if (m.recv.k === 'call' && methodCall(m.recv)?.recv.k === 'id' && methodCall(m.recv)?.recv.v === 'context') fromContext ??= lit;
    any ??= lit;
  });
  return fromContext ?? any;
}

/** Numbers compared with a `.length` sum or used as a slice step: the chunk budget. */
function chunkBudget(tree: NNode): { size: number; of: 'characters' | 'units' } | undefined {
  let chars: number | undefined;
  let units: number | undefined;
  walk(tree, (n) => {
    if (n.k === 'bin' && ['>', '>=', '<', '<='].includes(n.v ?? '') && n.c[1]?.k === 'num' && /\.length\b/.test(printNode(n.c[0]))) {
      const v = Number(n.c[1].v);
      if (v >= 100) chars ??= v;
    }
    if (n.k === 'assign' && n.v === '+=' && n.c[1]?.k === 'num') {
      const v = Number(n.c[1].v);
      if (v > 1) units ??= v;
    }
  });
  // `groupLines(context, 4400)`, `groupUnits(docs, 4400)`: the input (or its cut units) and a budget handed to a helper that packs it
  const cutUnits = contextUnitNames(tree);
  walk(tree, (n) => {
    // a local helper (a named function, not a method or the sandbox API) given the input first
    if (n.k !== 'call' || n.c[0].k !== 'id' || SANDBOX_NAMES.includes(n.c[0].v ?? '')) return;
    if (n.c[1]?.k !== 'id' || (n.c[1].v !== 'context' && !cutUnits.has(n.c[1].v ?? ''))) return;
    const budget = n.c.slice(2).find((a) => a.k === 'num' && Number(a.v) >= 100);
    if (budget) chars ??= Number(budget.v);
  });
  if (chars !== undefined) return { size: chars, of: 'characters' };
  if (units !== undefined) return { size: units, of: 'units' };
  return undefined;
}

function hasCall(tree: NNode, pred: (callee: string) => boolean): boolean {
  let found = false;
  walk(tree, (n) => {
    if (n.k === 'call' && n.c[0].k === 'id' && pred(n.c[0].v ?? '')) found = true;
    if (n.k === 'call' && n.c[0].k === 'mem' && n.c[0].c[0].k === 'id' && pred(`${n.c[0].c[0].v}.${n.c[0].v}`)) found = true;
  });
  return found;
}

/** Names bound to an expression whose code matches `pattern` (`let lines = context.split("\n")` for /\.split\(/). */
function namesBoundTo(tree: NNode, pattern: RegExp): Set<string> {
  const out = new Set<string>();
  walk(tree, (n) => {
    if (n.k === 'decl' && n.c[0]?.k === 'id' && n.c[0].v !== undefined && n.c[1] && pattern.test(printNode(n.c[1]))) out.add(n.c[0].v);
  });
  return out;
}

/** Names bound to an expression that splits something (`let lines = text.split("\n")`). */
const splitNames = (tree: NNode): Set<string> => namesBoundTo(tree, /\.split\(/);

/** Names bound to the units cut from `context` (`let docs = context.split(...)`). */
const contextUnitNames = (tree: NNode): Set<string> => namesBoundTo(tree, /^context\.split\(/);

/** A filter of the split units whose predicate tests a regular expression (or a parameter), not just the split's own header. */
function filtersByPattern(tree: NNode): boolean {
  const units = splitNames(tree);
  let found = false;
  walk(tree, (n) => {
    const m = methodCall(n, 'filter');
    if (!m || !m.args[0]) return;
    const recv = printNode(m.recv);
    if (!/\.split\(/.test(recv) && !(m.recv.k === 'id' && units.has(m.recv.v ?? ''))) return;
    if (/\.test\(|\.match\(|new RegExp|\.includes\(/.test(printNode(m.args[0]))) found = true;
  });
  return found;
}

function loopCallsModelOneByOne(tree: NNode): boolean {
  let found = false;
  const inLoop = (n: NNode, depth: number): void => {
    const loop = ['for', 'forof', 'forin', 'while', 'do'].includes(n.k);
    if (depth > 0 && n.k === 'await' && n.c[0]?.k === 'call' && n.c[0].c[0].k === 'id' && ['llm', 'recursive_llm'].includes(n.c[0].c[0].v ?? '')) found = true;
    if (n.k === 'fn') return;
    for (const ch of n.c) inLoop(ch, depth + (loop ? 1 : 0));
  };
  inLoop(tree, 0);
  return found;
}

/** Model calls made inside `Promise.all(...)` (`Promise.all(chunks.map((c) => llm(...)))`): all at once. */
function modelCallsInPromiseAll(tree: NNode): boolean {
  let found = false;
  walk(tree, (n) => {
    if (found || n.k !== 'call' || n.c[0].k !== 'mem' || n.c[0].v !== 'all' || n.c[0].c[0].k !== 'id' || n.c[0].c[0].v !== 'Promise') return;
    walk(n, (m) => {
      if (m.k === 'call' && m.c[0].k === 'id' && ['llm', 'recursive_llm'].includes(m.c[0].v ?? '')) found = true;
    });
  });
  return found;
}

/** The units cut from `context` are taken from the second on (`lines.slice(1)`, `context.split("\n").slice(1)`): a header the code drops. */
function skipsFirstUnit(tree: NNode): boolean {
  const units = contextUnitNames(tree);
  let found = false;
  walk(tree, (n) => {
    const m = methodCall(n, 'slice');
    if (!m || m.args.length !== 1 || m.args[0].k !== 'num' || m.args[0].v !== '1') return;
    const fromSplit = m.recv.k === 'id' ? units.has(m.recv.v ?? '') : methodCall(m.recv, 'split')?.recv.k === 'id' && methodCall(m.recv, 'split')?.recv.v === 'context';
    if (fromSplit) found = true;
  });
  return found;
}

/** Reads the input shape of a template program (kind 'prog', literals as written). */
export function inputShape(template: NNode): InputShape {
  // The shared cutting helper (cuts.ts) says how it cuts in its arguments; its own body would read as a split by lines.
  const cut = helperCuts(template).find((c) => c.text.k === 'id' && c.text.v === 'context');
  const tree = cut ? mk('prog', template.c.filter((_, i) => i !== cut.definition), template.v) : template;
  if (cut) {
    const base = shapeOf(tree);
    const lines = cut.cutBy === 'lines';
    return {
      ...base,
      unit: lines ? 'lines' : 'text',
      ...(lines ? { delimiter: 'line breaks' } : {}),
      chunk: { size: cut.size, of: 'characters' },
      input: base.json ? base.input : lines ? '`context` is text made of lines, separated by line breaks.' : '`context` is plain text.',
    };
  }
  return shapeOf(tree);
}

function shapeOf(tree: NNode): InputShape {
  const json = hasCall(tree, (c) => c === 'JSON.parse') && /JSON\.parse\(context\)/.test(printNode(tree));
  const split = json ? undefined : contextSplit(tree);
  const delimiter = split ? explainDelimiter(split.text, split.regex) : undefined;
  const unit = json ? 'records' : delimiter?.unit ?? 'text';
  const filtered = filtersByPattern(tree);
  const chunk = chunkBudget(tree);
  const printed = printNode(tree);
  const parses: InputShape['parses'] = /JSON\.parse\((?!context\)|JSON\.stringify)/.test(printed)
    ? 'json'
    : /\.split\("\\n"\)|\.split\(\/\\r\?\\n\/\)/.test(printed) && /\.exec\(|\.match\(/.test(printed)
      ? 'lines'
      : /\b(parseInt|parseFloat|Number)\(/.test(printed)
        ? 'number'
        : 'text';
  const calls: InputShape['calls'] = hasCall(tree, (c) => c === 'rlm' || c === 'rlmBatch')
    ? 'recursive'
    : loopCallsModelOneByOne(tree)
      ? 'sequential'
      : hasCall(tree, (c) => c === 'llmBatch')
        ? 'batch'
        : modelCallsInPromiseAll(tree)
          ? 'parallel'
        : hasCall(tree, (c) => c === 'llm' || c === 'recursive_llm')
          ? 'sequential'
          : 'none';
  const input = json
    ? '`context` is JSON (an array of records, or an object holding one).'
    : delimiter
      ? `\`context\` is text made of ${unit}, separated by ${delimiter.describe}${delimiter.describe.startsWith('a line starting') && /\.startsWith\(/.test(printed) ? '; text before the first one is ignored' : ''}${skipsFirstUnit(tree) ? `; the first of its ${unit} is skipped (a header)` : ''}.`
      : '`context` is plain text.';
  const combines = combiningStage(tree);
  return { unit, ...(delimiter ? { delimiter: delimiter.describe } : {}), input, filtered, ...(chunk ? { chunk } : {}), parses, calls, json, ...(combines ? { combines } : {}) };
}

/** The combining stage (answer-flow.ts): one call, or more (a batch, a loop, several places), and its instruction's text. */
function combiningStage(tree: NNode): InputShape['combines'] {
  const found = combiningCalls(tree);
  if (found.length === 0) return undefined;
  const [first] = found;
  const batch = first.c[0].v === 'llmBatch' || first.c[0].v === 'rlmBatch';
  let query: NNode | undefined = batch ? undefined : first.c[1];
  if (batch && first.c[1]) walk(first.c[1], (n) => {
    if (!query && n.k === 'prop' && n.v === 'query') query = n.c[0];
  });
  const one = found.length === 1 && !batch && !inLoop(tree, first);
  return { calls: one ? 'one' : 'more', ...(query?.k === 'str' && query.v ? { instruction: query.v } : {}) };
}

/** Whether `target` sits in a loop's body or in a callback (`xs.map((x) => …)`) of `tree`. */
function inLoop(tree: NNode, target: NNode): boolean {
  const visit = (n: NNode, looped: boolean): boolean => n === target ? looped : n.c.some((ch) => visit(ch, looped || LOOP_KINDS.has(n.k) || n.k === 'forawait' || (n.k === 'call' && ch.k === 'fn')));
  return visit(tree, false);
}
