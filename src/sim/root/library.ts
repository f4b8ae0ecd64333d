/**
 * Library use: the root model reads the `## Library functions` section of the system prompt
 * (its format is in src/contracts/listing.ts), picks a function whose name and doc fit
 * the task, and calls it with arguments mapped from its parameter names.
 */
import { LIBRARY_HEADING } from '../../contracts/listing.js';
import type { Intent } from './intent.js';
import { finish, lit } from './snippets.js';
import type { FinishStyle } from './plan.js';

export interface ListedFunction {
  name: string;
  params: Array<{ name: string; optional: boolean }>;
  doc: string;
  /** The whole listing line (signature and doc), for matching. */
  line: string;
}

/** Splits at depth-0 occurrences of `sep`. */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ('([{<'.includes(ch)) depth++;
    else if (')]}>'.includes(ch) && !(ch === '>' && text[i - 1] === '=')) depth--;
    if (depth === 0 && text.startsWith(sep, i)) {
      out.push(cur);
      cur = '';
      i += sep.length - 1;
      continue;
    }
    cur += ch;
  }
  out.push(cur);
  return out;
}

function parseLine(line: string): ListedFunction | undefined {
  const m = /^- lib\.([A-Za-z_$][\w$]*)(.*)$/.exec(line.trim());
  if (!m) return undefined;
  const rest = m[2];
  if (!rest.startsWith('(')) {
    const doc = rest.replace(/^:\s*/, '');
    return { name: m[1], params: [], doc, line };
  }
  // Params: up to the matching parenthesis.
  let depth = 0;
  let end = 0;
  for (; end < rest.length; end++) {
    if (rest[end] === '(') depth++;
    else if (rest[end] === ')' && --depth === 0) break;
  }
  const inside = rest.slice(1, end);
  const params = splitTop(inside, ',')
    .map((p) => /^\s*(?:\.\.\.)?([A-Za-z_$][\w$]*)\s*(\?)?/.exec(p))
    .filter((p): p is RegExpExecArray => p !== null)
    .map((p) => ({ name: p[1], optional: p[2] === '?' || /=/.test(p.input) }));
  // After the params: optional ": ReturnType", then ": doc".
  const after = rest.slice(end + 1);
  const parts = splitTop(after, ': ');
  // "(params): ReturnType: doc" or "(params): doc": a return type is not prose.
  const hasType = parts.length >= 3 && !/[a-z]{2,} [a-z]{2,}/i.test(parts[1].replace(/<[^>]*>|\{[^}]*\}/g, ''));
  const doc = parts.slice(hasType ? 2 : 1).join(': ').trim();
  return { name: m[1], params, doc, line };
}

export function parseLibrary(system: string): ListedFunction[] {
  const at = system.indexOf(LIBRARY_HEADING);
  if (at < 0) return [];
  const out: ListedFunction[] = [];
  for (const line of system.slice(at).split('\n')) {
    const f = parseLine(line);
    if (f) out.push(f);
    // a doc's further lines follow its function's line, indented (src/contracts/listing.ts)
    else if (out.length > 0 && /^ {2}\S/.test(line)) out[out.length - 1].doc += `\n${line.trim()}`;
  }
  return out;
}

const FAMILY_WORDS: Record<Intent['family'], RegExp[]> = {
  needle: [/needle/, /secret/, /\bcodes?\b.*\bproject|project.*\bcodes?\b/, /\blook ?up\b|\bfind fact/],
  'classify-count': [/classif/, /\bcount/, /\blabel/, /categor/, /tally/, /frequen/],
  // (not /match/: skeletons say filter(match) for any filtering program)
  pairwise: [/\bpairs?\b/, /\bsame\b/, /entit/, /people|person/],
  'multi-doc-qa': [/document/, /question/, /\bqa\b/, /hop/, /answer/],
  summary: [/summar/, /digest/, /key finding/, /map.?reduce/],
  'code-review': [/review/, /defect/, /\bbugs?\b/, /\blint/],
  generic: [],
};

function words(f: ListedFunction): string {
  return `${f.name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ')} ${f.line.replace(/^- lib\.\S+?\(/, '(')}`.toLowerCase();
}

/** Content words of a question (three letters or more), lower case; capitalized words inside a sentence are names, which vary from question to question. */
function contentWords(text: string): Set<string> {
  const words = text.match(/[A-Za-z]{3,}/g) ?? [];
  return new Set(words.filter((w, i) => i === 0 || !/^[A-Z]/.test(w)).map((w) => w.toLowerCase()));
}

function overlap(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / Math.max(1, a.size + b.size - shared);
}

/** The quoted questions after `marker` on its line of a doc (`… e.g. "q1" or "q2" (…)`), before any parenthesis. */
function quotedAfter(doc: string, marker: RegExp): string[] {
  const m = marker.exec(doc);
  if (!m) return [];
  const line = doc.slice(m.index + m[0].length).split('\n')[0];
  const quotes = [...line.matchAll(/"((?:[^"\\]|\\.)*)"|\(/g)];
  const end = quotes.findIndex((q) => q[0] === '(');
  return (end < 0 ? quotes : quotes.slice(0, end)).map((q) => q[1]);
}

/**
 * Whether the doc says the function is not for questions like this one: the query is closer to the
 * questions its "Not for questions like …" names than to the examples it was mined from — what a
 * model reading the doc does when the listing shows both.
 */
export function docExcludes(f: ListedFunction, query: string): boolean {
  const unlike = quotedAfter(f.doc, /Not for[^"]*questions like /);
  if (unlike.length === 0) return false;
  const like = quotedAfter(f.doc, /Mined from [^"]*e\.g\. /);
  const q = contentWords(query);
  const closest = (qs: string[]) => Math.max(0, ...qs.map((x) => overlap(q, contentWords(x))));
  return closest(unlike) > closest(like);
}

/** The listed function that best fits the intent, if any fits (and its doc does not rule the query out). */
export function pickLibraryFunction(intent: Intent, library: readonly ListedFunction[], query?: string): ListedFunction | undefined {
  let best: ListedFunction | undefined;
  let bestScore = 0;
  for (const f of library) {
    if (query !== undefined && docExcludes(f, query)) continue;
    const text = words(f);
    const own = FAMILY_WORDS[intent.family].filter((re) => re.test(text)).length;
    const other = Math.max(0, ...Object.entries(FAMILY_WORDS).filter(([k]) => k !== intent.family).map(([, res]) => res.filter((re) => re.test(text)).length));
    const score = own - 0.5 * other;
    if (own > 0 && score > bestScore) {
      best = f;
      bestScore = score;
    }
  }
  return best;
}

function argFor(param: string, intent: Intent, query: string, budget: number): string | undefined {
  const p = param.toLowerCase();
  if (/^(context|text|input|ctx|doc|docs|documents?|corpus|haystack|code|source|report|records|data|content|s|str)$/.test(p)) return 'context';
  if (/query|question|prompt|task|instruction/.test(p)) return lit(query);
  if (/label|categor|classes/.test(p)) return intent.family === 'classify-count' ? JSON.stringify(intent.labels) : undefined;
  if (/kinds|defect|types|checks/.test(p)) return intent.family === 'code-review' ? JSON.stringify(intent.kinds) : undefined;
  if (/keys|fields|attrib|condition|by|on/.test(p)) return intent.family === 'pairwise' ? JSON.stringify(intent.fields) : undefined;
  if (/project|key|name|target|entity|company|subject|needle/.test(p)) {
    if (intent.family === 'needle') return lit(intent.projects[0]);
    if (intent.family === 'multi-doc-qa') return lit(intent.entity);
    return undefined;
  }
  if (/chunk|size|budget|max|window|limit/.test(p)) return String(budget);
  if (/mode/.test(p) && intent.family === 'classify-count') return lit(intent.mode);
  return undefined;
}

/** A program that calls the library function and finishes with its result. */
export function libraryProgram(f: ListedFunction, intent: Intent, query: string, budget: number, resultVar: string, answerVar: string, style: FinishStyle): string {
  const args: string[] = [];
  const mapped = f.params.map((p) => ({ p, arg: argFor(p.name, intent, query, budget) }));
  // Drop unknown trailing optional params; pass undefined for unknown required ones.
  while (mapped.length > 0 && mapped[mapped.length - 1].arg === undefined && mapped[mapped.length - 1].p.optional) mapped.pop();
  for (const { arg } of mapped) args.push(arg ?? 'undefined');
  if (f.params.length === 0) args.push('context');
  const toText =
    intent.family === 'classify-count' && intent.mode === 'top'
      ? `${resultVar} && typeof ${resultVar} === 'object' && !Array.isArray(${resultVar}) ? Object.entries(${resultVar}).sort((a, b) => b[1] - a[1])[0][0] : String(${resultVar})`
      : `typeof ${resultVar} === 'string' ? ${resultVar} : Array.isArray(${resultVar}) ? ${resultVar}.map((x) => (Array.isArray(x) ? x.join(' - ') : typeof x === 'string' ? x : JSON.stringify(x))).join('\\n') : JSON.stringify(${resultVar})`;
  return [
    `const ${resultVar} = await lib.${f.name}(${args.join(', ')});`,
    `print(typeof ${resultVar} === 'string' ? ${resultVar}.slice(0, 500) : JSON.stringify(${resultVar}).slice(0, 500));`,
    `const ${answerVar} = ${toText};`,
    finish(style, answerVar),
  ].join('\n');
}
