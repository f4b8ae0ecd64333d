/**
 * What a literal site does in the template, read from where it sits: a prompt (the query of an
 * llm/rlm call or of an llmBatch item, or text inside one), a pattern, a size, a list of labels...
 * Roles weigh sites when parameters are ranked and give parameters readable names: a literal bound
 * by `const maxChars = 5200` is `maxChars`, one passed to `pack(text, 5200)` takes the name of
 * `pack`'s parameter, a prompt is `prompt`.
 */
import { collectFunctions, patternNames } from '../front/scope.js';
import type { NNode } from '../front/tree.js';
import type { LiteralSite } from './literals.js';
import { printNode } from '../front/print.js';
import { isAnswerPosition } from './answer-flow.js';

export type SiteRole = 'prompt' | 'labels' | 'pattern' | 'size' | 'separator' | 'mode' | 'value' | 'text';

export interface RoleInfo {
  role: SiteRole;
  /** Names suggested by the code around the site, best first. */
  hints: string[];
  /** 2: a name the code gave it (a variable, a parameter); 1: from its use; 0: generic. */
  quality: number;
  /** Role `mode`: the string values the code branches on (`cutBy === "lines"`). */
  choices?: string[];
  /** Where the code uses it, when that is inside a helper it is handed to (`d.includes(mention)`). */
  usage?: string;
  /** Role `text`: what the text is for, when its place says (`heading + rows.join("\n")` as the answer, `found || "other"`, `r["Amount"]`). */
  use?: TextUse;
}

export type TextUse = 'heading' | 'fallback' | 'field';

const ROLE_WEIGHT: Record<SiteRole, number> = { prompt: 5, labels: 4, pattern: 3, value: 3, size: 2, separator: 1, mode: 1, text: 1 };

export function roleWeight(role: SiteRole): number {
  return ROLE_WEIGHT[role];
}

const MODEL_FNS = new Set(['llm', 'rlm', 'recursive_llm']);

/** True when `n` (with its ancestors) is the query of a model call. */
export function isPromptPosition(parent: NNode | undefined, index: number, grand: NNode | undefined): boolean {
  if (!parent) return false;
  if (parent.k === 'call' && index === 1 && parent.c[0].k === 'id' && parent.c[0].v !== undefined && MODEL_FNS.has(parent.c[0].v)) return true;
  if (parent.k === 'prop' && parent.v === 'query' && grand?.k === 'obj') return true;
  return false;
}

const SEPARATOR_METHODS = new Set(['split', 'join']);
const EQUALITY = new Set(['===', '!==', '==', '!=']);
const PATTERN_METHODS = new Set(['test', 'exec', 'match', 'matchAll', 'replace', 'replaceAll', 'search', 'includes', 'startsWith', 'endsWith', 'indexOf', 'lastIndexOf']);
const SIZE_METHODS = new Set(['slice', 'substring', 'substr', 'padStart', 'padEnd', 'repeat', 'toFixed', 'at']);

/** The role of a literal site of `root`. */
export function siteRole(root: NNode, site: LiteralSite, fns: ReadonlyMap<string, NNode> = collectFunctions([root])): RoleInfo {
  const chain: NNode[] = [root];
  for (const i of site.path) chain.push(chain[chain.length - 1].c[i]);
  const kind = site.literal.kind;
  // Inside a prompt (directly, or as text of a template literal or concatenation that is one)?
  let top = chain.length - 1;
  for (let d = chain.length - 1; d >= 1; d--) {
    const node = chain[d];
    if (!(d === chain.length - 1 || node.k === 'tpl' || (node.k === 'bin' && node.v === '+'))) break;
    top = d;
    if (isPromptPosition(chain[d - 1], site.path[d - 1], chain[d - 2])) return { role: 'prompt', hints: ['instruction', 'prompt'], quality: 1 };
  }
  // `new RegExp("\\b" + name + "[^.]*")`: text of a regular expression's source is a pattern
  if (kind === 'str' || kind === 'tstr') {
    for (let d = chain.length - 1; d >= 1; d--) {
      const parent = chain[d - 1];
      if (parent.k === 'new' && parent.c[0].k === 'id' && parent.c[0].v === 'RegExp' && site.path[d - 1] === 1) return { role: 'pattern', hints: ['pattern'], quality: 1 };
      if (!(parent.k === 'tpl' || (parent.k === 'bin' && parent.v === '+'))) break;
    }
  }
  const bound = kind === 'num' ? undefined : declaredName(chain.slice(0, top + 1));
  if (bound !== undefined && usedAsPrompt(root, bound)) return { role: 'prompt', hints: [bound, 'instruction', 'prompt'], quality: 2 };
  if (kind === 're') return { role: 'pattern', hints: [declaredName(chain) ?? 'pattern', 'pattern'], quality: declaredName(chain) ? 2 : 1 };
  if (kind === 'json') {
    const name = declaredName(chain);
    return { role: 'labels', hints: name ? [name, 'labels'] : ['labels'], quality: name ? 2 : 1 };
  }
  const parent = chain[chain.length - 2];
  const index = site.path[site.path.length - 1];
  // text of a template literal or concatenation handed to a local function is that function's argument
  const argOf = chain[top - 1];
  const argIndex = site.path[top - 1];
  if (argOf?.k === 'call' && argIndex >= 1 && argOf.c[0].k === 'id' && argOf.c[0].v !== undefined && fns.has(argOf.c[0].v) && (kind === 'str' || kind === 'tstr')) {
    const callee = argOf.c[0].v;
    const param = fns.get(callee)?.c[1]?.c[argIndex - 1];
    const name = param ? patternNames(param)[0] : undefined;
    if (name && top < chain.length - 1 && usedAsPrompt(fns.get(callee)!, name)) return { role: 'prompt', hints: [name, `${callee}${name[0].toUpperCase()}${name.slice(1)}`], quality: 2 };
  }
  if (parent?.k === 'call' && index >= 1) {
    const callee = parent.c[0];
    if (callee.k === 'id' && callee.v !== undefined) {
      const fn = fns.get(callee.v);
      const param = fn?.c[1]?.c[index - 1];
      const name = param ? patternNames(param)[0] : undefined;
      if (name) {
        const hints = [name, `${callee.v}${name[0].toUpperCase()}${name.slice(1)}`];
        const choices = kind === 'str' && fn ? branchChoices(fn, name) : undefined;
        if (choices) return { role: 'mode', hints, quality: 2, choices };
        const role: SiteRole = kind === 'num' ? 'size' : fn && usedAsPrompt(fn, name) ? 'prompt' : 'text';
        // `mention` of `search(question, mention)` used as `d.includes(mention)`: it selects, as a pattern does
        const selects = role === 'text' && fn ? patternUse(fn, name) : undefined;
        if (selects) return { role: 'pattern', hints, quality: 2, usage: selects };
        return { role, hints, quality: 2 };
      }
    }
    if (callee.k === 'mem' && callee.v !== undefined) {
      if (SEPARATOR_METHODS.has(callee.v)) return { role: 'separator', hints: ['separator'], quality: 1 };
      if (PATTERN_METHODS.has(callee.v)) return { role: 'pattern', hints: [kind === 'str' ? 'needle' : 'pattern'], quality: 1 };
      // `reply.slice(0, 60)`: how much of something is kept — a limit, not a chunk size
      if (callee.v === 'slice' && index === 2 && parent.c[1]?.k === 'num' && parent.c[1].v === '0' && kind === 'num') return { role: 'size', hints: ['limit', 'size'], quality: 1 };
      if (SIZE_METHODS.has(callee.v) && kind === 'num') return { role: 'size', hints: ['size'], quality: 1 };
    }
  }
  if (kind === 'str' && parent) {
    // `"Top 3:\n" + rows.join("\n")` as the answer: the text the answer starts with
    if (parent.k === 'bin' && parent.v === '+' && index === 0 && isAnswerPosition(root, site.path)) {
      return { role: 'text', hints: /\n$/.test(String(site.literal.value)) ? ['heading', 'prefix'] : ['prefix', 'heading'], quality: 1, use: 'heading' };
    }
    // `labels.find(…) || "other"`: what is used when nothing is found
    if (parent.k === 'bin' && (parent.v === '||' || parent.v === '??') && index === 1) return { role: 'text', hints: ['fallback'], quality: 1, use: 'fallback' };
    // `r["Requested Amount"]`: the field read from each record
    if (parent.k === 'idx' && index === 1) return { role: 'text', hints: ['field', 'key'], quality: 1, use: 'field' };
  }
  // `r.level === "error"`: the value the data is tested against (named for what it is compared with)
  if (kind === 'str' && parent?.k === 'bin' && EQUALITY.has(parent.v ?? '')) {
    const other = parent.c.find((c) => c !== chain[chain.length - 1]);
    const name = other && (other.k === 'mem' || other.k === 'id') ? other.v : other?.k === 'idx' ? lookupName(other) : undefined;
    return { role: 'value', hints: name ? [name, 'value'] : ['value'], quality: name ? 1 : 0 };
  }
  const declared = declaredName(chain);
  if (declared) return { role: kind === 'num' ? 'size' : 'text', hints: [declared], quality: 2 };
  if (kind === 'num') return { role: 'size', hints: [isComparison(parent) ? 'threshold' : 'size'], quality: 0 };
  const key = parent?.k === 'prop' ? parent.v : undefined;
  return { role: 'text', hints: key ? [key, 'text'] : ['text'], quality: key ? 1 : 0 };
}

/**
 * The string values a local function's parameter is compared with, when comparing is all the
 * function does with it (`if (cutBy === "lines") ... else ...`): a choice between ways of working,
 * not text that reaches the answer or a prompt. Undefined otherwise.
 */
function branchChoices(fn: NNode, name: string): string[] | undefined {
  const choices = new Set<string>();
  let otherUse = false;
  let uses = 0;
  const visit = (n: NNode, parent: NNode | undefined): void => {
    if (n.k === 'id' && n.v === name) {
      uses++;
      const cmp = parent?.k === 'bin' && ['===', '!==', '==', '!='].includes(parent.v ?? '') ? parent : undefined;
      const other = cmp ? cmp.c.find((c) => c !== n) : undefined;
      if (other?.k === 'str' && other.v !== undefined) choices.add(other.v);
      else otherUse = true;
      return;
    }
    for (const c of n.c) visit(c, n);
  };
  // the body only: the parameter list names it once
  for (const c of fn.c.slice(2)) visit(c, fn);
  return !otherUse && uses > 0 && choices.size > 0 ? [...choices] : undefined;
}

function isComparison(n: NNode | undefined): boolean {
  return n !== undefined && n.k === 'bin' && ['<', '<=', '>', '>=', '*'].includes(n.v ?? '');
}

/** What a lookup reads, from the table's name: `labelOf[r.id]` → label, `countByCity[c]` → count; undefined for a bare index (`rows[i]`). */
function lookupName(idx: NNode): string | undefined {
  const table = idx.c[0];
  const name = table.k === 'id' || table.k === 'mem' ? table.v : undefined;
  const read = name?.replace(/(Of|For|By[A-Z]\w*|Map|Table|Lookup)$/, '');
  return read && read !== name && read.length >= 3 ? read : undefined;
}

/** `x.includes(name)`, `re.test(name)`-like uses of a parameter inside a function, printed; undefined when it has none. */
function patternUse(fn: NNode, name: string): string | undefined {
  let found: string | undefined;
  const visit = (n: NNode): void => {
    if (found) return;
    if (n.k === 'call' && n.c[0].k === 'mem' && PATTERN_METHODS.has(n.c[0].v ?? '') && n.c[1]?.k === 'id' && n.c[1].v === name) {
      const text = printNode(n).replace(/\s+/g, ' ');
      if (text.length <= 70) found = text;
      return;
    }
    n.c.forEach(visit);
  };
  if (fn.c[2]) visit(fn.c[2]);
  return found;
}

/** Whether the variable `name` is (part of) the query of a model call somewhere in the tree. */
export function usedAsPrompt(root: NNode, name: string): boolean {
  const chain: NNode[] = [];
  const indices: number[] = [];
  const walk = (n: NNode): boolean => {
    if (n.k === 'id' && n.v === name) {
      // Climb through string building (`name + "..."`, template literals) to the position it ends up in.
      for (let d = chain.length - 1; d >= 0; d--) {
        if (isPromptPosition(chain[d], indices[d], chain[d - 1])) return true;
        const node = chain[d];
        if (!(node.k === 'tpl' || (node.k === 'bin' && node.v === '+'))) return false;
      }
      return false;
    }
    chain.push(n);
    for (let i = 0; i < n.c.length; i++) {
      indices.push(i);
      const found = walk(n.c[i]);
      indices.pop();
      if (found) {
        chain.pop();
        return true;
      }
    }
    chain.pop();
    return false;
  };
  return walk(root);
}

/** `const name = <site>` (or `name = <site>`): the bound name. */
function declaredName(chain: NNode[]): string | undefined {
  const parent = chain[chain.length - 2];
  if (parent?.k === 'decl' && parent.c[1] === chain[chain.length - 1] && parent.c[0].k === 'id') return parent.c[0].v;
  if (parent?.k === 'assign' && parent.v === '=' && parent.c[1] === chain[chain.length - 1] && parent.c[0].k === 'id') return parent.c[0].v;
  return undefined;
}

