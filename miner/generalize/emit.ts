/**
 * Emits the generalized program as a TypeScript function: the template's sliced statements with
 * parameter sites replaced, `FINAL(x)` turned into `return` of x as FINAL stringifies it, hoisted
 * function declarations, loops of independent model calls made into one llmBatch call (batch.ts),
 * and a typed signature
 * `export async function <name>(context: string, p1: T1, ..., opts: { o?: T } = {}): Promise<string>`.
 * The sandbox primitives (llm, llmBatch, rlm, print) stay free identifiers; nothing is imported.
 * The body is printed by the miner's printer (miner/print.ts): canonical layout, `let` bindings,
 * arrow functions. A template that calls the model gets the checked form (checked.ts): its calls go
 * through `model.llm` / `model.llmBatch`, an option `checked` (then it returns the JSON text of
 * `{ answer, pieces, failures }`), and the shared machinery after the function, between markers.
 */
import { CHECK_FAILED } from '../../src/contracts/listing.js';
import { printStatements } from '../front/print.js';
import { clone, id, isCallTo, mk, some, type NNode } from '../front/tree.js';
import { ANSWER, EmitError, fallbackAnswer, finalsToReturns, hoistFunctions, mergeRedeclarations } from './body.js';
import { batchLoops } from './batch.js';
import { countTokens } from './gain.js';
import { checkedAnswerHelper, checkedMachinery, checkedPrologue, MACHINERY_BEGIN, MACHINERY_END } from './checked.js';
import { nodeAt } from './literals.js';
import type { PlannedParam } from './params.js';

export { EmitError } from './body.js';

export interface EmittedParam {
  plan: PlannedParam;
  name: string;
  type: string;
  /**
   * Index of the top-level `const <name> = <site>` the parameter replaces (the parameter takes the
   * variable's name): the declaration goes away, or, for a literal array or object, becomes a copy.
   */
  absorbs?: number;
}

export interface EmitInput {
  name: string;
  doc: string;
  /** The template program (kind 'prog'), names and literals as written. */
  template: NNode;
  params: EmittedParam[];
  /** Name of the options object (required parameters come before it). */
  optionsName: string;
  /** Name of the local helper that stringifies a non-string answer the way FINAL does. */
  answerHelper: string;
  /** The checked form's local names, when the template calls the model. */
  checked?: CheckedNames;
  /** The type of `context` (context-type.ts): `string` unless the members' inputs were JSON. */
  contextType?: string;
}

export interface CheckedNames {
  /** The local that holds the model calls (`model.llm`, `model.llmBatch`). */
  model: string;
  /** The local array of pieces. */
  pieces: string;
  /** Whether the function parses the answers as JSON (the check then requires JSON). */
  expectsJson: boolean;
}

export interface Emitted {
  source: string;
  /** `(context: string, ...) => Promise<string>` */
  signature: string;
  /**
   * The last FINAL was guarded by the program's own check (`if (bad) print('retrying') else FINAL(x)`):
   * the function cannot retry, so when the check fails it throws an error that says so, carrying x.
   */
  guardedFinal: boolean;
  /** Loops whose independent model calls now go out as one llmBatch call (batch.ts). */
  batchedLoops: number;
  /** Tokens the batching added (description-length gain does not count them). */
  batchTokens: number;
}

const placeholder = (i: number): string => `__accrete_p${i}__`;

/** The expression that stands at a parameter's sites. */
function siteExpression(p: EmittedParam, optionsName: string): string {
  const { kind, flags } = p.plan;
  const ref = p.plan.required ? p.name : `${optionsName}.${p.name}`;
  const withDefault = p.plan.required ? ref : `(${ref} ?? ${JSON.stringify(p.plan.default)})`;
  if (kind === 're') return `(new RegExp(${withDefault}, ${JSON.stringify(flags ?? '')}))`;
  // A literal array or object is a fresh value at every evaluation, which the code may mutate.
  if (kind === 'json') return `(JSON.parse(JSON.stringify(${withDefault})) as ${p.type})`;
  return p.plan.required ? ref : withDefault;
}

function substituteSites(tree: NNode, params: EmittedParam[]): void {
  const textSites: { parent: number[]; index: number; param: number }[] = [];
  params.forEach((p, i) => {
    for (const key of p.plan.sites) {
      const path = key === '' ? [] : key.split('.').map(Number);
      const node = nodeAt(tree, path);
      if (!node || path.length === 0) throw new EmitError(`parameter site ${key} is not in the template`);
      if (node.k === 'tstr') textSites.push({ parent: path.slice(0, -1), index: path[path.length - 1], param: i });
      else {
        const parent = nodeAt(tree, path.slice(0, -1))!;
        parent.c[path[path.length - 1]] = id(placeholder(i));
      }
    }
  });
  // Text parts of template literals: `a${x}b` with the part "b" a parameter becomes `a${x}${p}`.
  // Last in document order first: a splice moves only later siblings, so no path still to visit changes (a part of a
  // template literal nested in a later part of another is spliced before the outer one).
  const pathOf = (t: { parent: number[]; index: number }) => [...t.parent, t.index];
  const later = (a: number[], b: number[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return b[i] - a[i];
    return b.length - a.length;
  };
  textSites.sort((a, b) => later(pathOf(a), pathOf(b)));
  for (const s of textSites) {
    const tpl = nodeAt(tree, s.parent)!;
    tpl.c.splice(s.index, 1, mk('tstr', [], ''), id(placeholder(s.param)), mk('tstr', [], ''));
  }
}

function docComment(doc: string): string {
  const lines = doc.replace(/\*\//g, '*\\/').trim().split('\n');
  return ['/**', ...lines.map((l) => (l.trim() ? ` * ${l.trimEnd()}` : ' *')), ' */'].join('\n');
}

type ParamListForm = 'signature' | 'implementation';

/** The parameter list: as the listing shows it, or for the implementation. */
function paramList(input: EmitInput, form: ParamListForm): string {
  const required = input.params.filter((p) => p.plan.required);
  const options = input.params.filter((p) => !p.plan.required);
  const parts = [`context: ${input.contextType ?? 'string'}`, ...required.map((p) => `${p.name}: ${p.type}`)];
  const fields = options.map((p) => `${p.name}?: ${p.type}`);
  if (input.checked) fields.push('checked?: boolean');
  if (fields.length > 0) {
    const shape = `{ ${fields.join('; ')} }`;
    parts.push(form === 'implementation' ? `${input.optionsName}: ${shape} = {}` : `${input.optionsName}?: ${shape}`);
  }
  return parts.join(', ');
}

/** llm / recursive_llm / llmBatch calls → `model.llm` / `model.llmBatch` (the checked form's switch). */
function routeModelCalls(n: NNode, model: string): void {
  if (n.k === 'call' && n.c[0].k === 'id') {
    const callee = n.c[0].v;
    if (callee === 'llm' || callee === 'recursive_llm') n.c[0] = mk('mem', [id(model)], 'llm');
    else if (callee === 'llmBatch') n.c[0] = mk('mem', [id(model)], 'llmBatch');
  }
  for (const ch of n.c) routeModelCalls(ch, model);
}

/** The helper that makes a string of the answer as FINAL does (strings as they are, others JSON). */
export function answerHelperSource(name: string): string {
  return `const ${name} = (value: unknown): string => (typeof value === 'string' ? value : value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value)));`;
}

const NEWLINE = '__accrete_nl__';
const RETURN = '__accrete_cr__';

/** Line breaks inside template literals are written as escapes, so that indenting the body cannot change the text. */
function markTemplateNewlines(n: NNode): void {
  if (n.k === 'tstr' && n.v !== undefined) n.v = n.v.replace(/\n/g, NEWLINE).replace(/\r/g, RETURN);
  for (const ch of n.c) markTemplateNewlines(ch);
}

function printBody(tree: NNode, input: EmitInput): string[] {
  if (tree.c.length === 0) return [];
  let body = printStatements(tree.c).split(NEWLINE).join('\\n').split(RETURN).join('\\r');
  input.params.forEach((p, i) => {
    body = body.split(placeholder(i)).join(siteExpression(p, input.optionsName));
  });
  return body.split(ANSWER).join(input.answerHelper).split('\n');
}

function absorbDeclarations(tree: NNode, params: EmittedParam[]): void {
  const drop = new Set<number>();
  for (const p of params) {
    if (p.absorbs === undefined) continue;
    const decl = tree.c[p.absorbs];
    if (p.plan.kind === 'json') tree.c[p.absorbs] = mk('expr', [mk('assign', [id(p.name), decl.c[0].c[1]], '=')]);
    else drop.add(p.absorbs);
  }
  if (drop.size) tree.c = tree.c.filter((_, i) => !drop.has(i));
}

/**
 * What follows a check that failed (the members printed why and tried again in a new step, never
 * answering with it): an error that says so and carries the answer computed, so that a caller
 * writing `FINAL(await lib.f(...))` cannot hand it on as if it were checked.
 */
function failedCheck(name: string, computed: NNode, printed: boolean): NNode {
  const message = mk('tpl', [
    mk('tstr', [], `${name}: ${CHECK_FAILED}${printed ? ' (see what it printed)' : ''}, so its answer is not to be trusted; the logged runs tried again in a new step — call it again with other options, or write your own code. The answer it computed: `),
    mk('call', [mk('mem', [mk('call', [id('String'), clone(computed)])], 'slice'), mk('num', [], '0'), mk('num', [], '500')]),
    mk('tstr', [], ''),
  ]);
  return mk('throw', [mk('new', [id('Error'), message])]);
}

export function emitFunction(input: EmitInput): Emitted {
  const tree = clone(input.template);
  substituteSites(tree, input.params);
  absorbDeclarations(tree, input.params);
  finalsToReturns(tree, false);
  hoistFunctions(tree);
  mergeRedeclarations(tree);
  const unbatched = clone(tree);
  const { batched } = batchLoops(tree);
  // Batching is a rewrite for speed: the tokens it adds are not counted against the function's gain.
  const batchTokens = batched > 0 ? Math.max(0, countTokens(printStatements(tree.c)) - countTokens(printStatements(unbatched.c))) : 0;
  if (input.checked) routeModelCalls(tree, input.checked.model);
  markTemplateNewlines(tree);
  const last = tree.c[tree.c.length - 1];
  const fallback = last && last.k !== 'return' && last.k !== 'throw' ? fallbackAnswer(tree) : undefined;
  if (fallback !== undefined) tree.c.push(failedCheck(input.name, fallback, some(last, (n) => isCallTo(n, 'print'))));
  const checked = input.checked;
  const helper = checked ? checkedAnswerHelper(input.answerHelper, checked.pieces, input.optionsName) : answerHelperSource(input.answerHelper);
  const prologue = checked ? [MACHINERY_BEGIN, ...checkedPrologue(checked.model, checked.pieces, input.optionsName, checked.expectsJson, input.name), ...helper.split('\n'), MACHINERY_END] : helper.split('\n');
  const lines = [...prologue, ...printBody(tree, input)];
  const ended = tree.c[tree.c.length - 1];
  if (!ended || (ended.k !== 'return' && ended.k !== 'throw')) {
    lines.push(`throw new Error(${JSON.stringify(`${input.name}: the program ended without an answer`)});`);
  }
  const head = [`export async function ${input.name}(${paramList(input, 'implementation')}): Promise<string> {`];
  const source = [
    docComment(input.doc),
    ...head,
    ...lines.map((l) => (l ? `  ${l}` : l)),
    '}',
    ...(checked ? ['', MACHINERY_BEGIN, checkedMachinery().trimEnd(), MACHINERY_END] : []),
    '',
  ].join('\n');
  return { source, signature: `(${paramList(input, 'signature')}) => Promise<string>`, guardedFinal: fallback !== undefined, batchedLoops: batched, batchTokens };
}
