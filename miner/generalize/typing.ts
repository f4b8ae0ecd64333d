/**
 * Types for the model's untyped JavaScript, so that the emitted function type-checks under strict.
 * The checker drives a few rounds of repairs; each round re-checks:
 *   1. a parameter of a local function with no type takes the (widened) types of the arguments
 *      its call sites pass (`pack(text, maxChars)` called as `pack(context, 5200)` → string, number);
 *   2. an empty `[]` / `{}` passed as an argument (a reduce seed) is cast to `any[]` /
 *      `Record<string, any>` (the checker would infer `never[]` / `{}`), a variable indexed by a
 *      string is declared a `Record<string, ...>`;
 *   3. whatever is still implicitly `any` is annotated `any` explicitly: the body stays the model's
 *      dynamically typed code, while the signature is typed;
 *   4. a value the checker calls possibly null or undefined, which the model's code used as present
 *      (`m[1]` after a `match`), is asserted present (`m!`): the same behaviour, checked;
 *   5. a `Date` in arithmetic (`new Date(b) - new Date(a)`, which JavaScript computes on the dates'
 *      time values and TypeScript rejects) reads its time value explicitly (`new Date(b).getTime()`):
 *      the same number;
 *   6. `Object.entries(x)` / `Object.values(x)` of an `x` the checker knows nothing about (`any`:
 *      `JSON.parse`'s result, an untyped `let`) gives `unknown` values, which the code then uses as
 *      what they are; the argument is cast to `Record<string, any>` (values as untyped as the rest of
 *      the body, made concrete by avoid-any.ts like every other `any`).
 * Finally `asAnswer(x)` is simplified to `x` where x is a string (then the helper goes away).
 * Diagnostics that remain are the caller's to report.
 */
import ts from 'typescript';
import { checkSource, formatDiagnostic, type CheckedSource } from '../verify/typecheck.js';

export interface TypingResult {
  source: string;
  /** What was annotated, for the candidate's evidence. */
  repairs: string[];
  /** Diagnostics left after the repairs (empty when the source type-checks). */
  errors: string[];
}

interface Edit {
  pos: number;
  end: number;
  text: string;
  note: string;
}

/** 7019: a rest parameter (`(...values) =>`, as the printed-output rewrite writes) implicitly any[]. */
const IMPLICIT_ANY_PARAM = new Set([7006, 7031, 7019]);
const IMPLICIT_ANY_VAR = new Set([7005, 7034, 7018]);
const IMPLICIT_INDEX = new Set([7053]);
/**
 * "possibly null / undefined" (18047-18049, 2531-2533, 2722): the model's JavaScript used the value
 * as present (`m[1]` after `match`); asserting it keeps exactly what the code did — the same
 * TypeError when it is absent — while the checker accepts it.
 */
const POSSIBLY_ABSENT = new Set([18047, 18048, 18049, 2531, 2532, 2533, 2722]);
/** "The left-hand / right-hand side of an arithmetic operation must be of type 'any', 'number', …". */
const ARITHMETIC_OPERAND = new Set([2362, 2363]);
/** "'x' is of type 'unknown'" (18046), "Object is of type 'unknown'" (2571). */
const UNKNOWN_VALUE = new Set([18046, 2571]);

function applyEdits(source: string, edits: Edit[]): string {
  const unique = new Map(edits.map((e) => [`${e.pos}:${e.end}:${e.text}`, e]));
  const sorted = [...unique.values()].sort((a, b) => b.pos - a.pos || b.end - a.end);
  let out = source;
  let lastPos = Number.POSITIVE_INFINITY;
  for (const e of sorted) {
    if (e.end > lastPos || (e.pos === lastPos && e.end === e.pos)) continue; // overlapping: the next round redoes it
    out = out.slice(0, e.pos) + e.text + out.slice(e.end);
    lastPos = e.pos;
  }
  return out;
}

/** The innermost node containing `pos`. */
export function nodeAtPosition(file: ts.SourceFile, pos: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (n: ts.Node): void => {
    if (pos >= n.getStart(file) && pos < n.getEnd()) {
      found = n;
      n.forEachChild(visit);
    }
  };
  file.forEachChild(visit);
  return found;
}

function enclosing<T extends ts.Node>(n: ts.Node | undefined, is: (x: ts.Node) => x is T): T | undefined {
  let cur = n;
  while (cur && !is(cur)) cur = cur.parent;
  return cur;
}

/** A type that can be written down and says something (not any, never, unknown or an empty object). */
function writableType(checker: ts.TypeChecker, t: ts.Type, at: ts.Node): string | undefined {
  const widened = checker.getWidenedType(checker.getBaseTypeOfLiteralType(t));
  const text = checker.typeToString(widened, at, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType);
  if (/\bany\b|\bnever\b|\bunknown\b|^\{\}$|typeof |\.\.\./.test(text)) return undefined;
  return text;
}

/** The name a function is bound to (`function f`, `let f = (...) => ...`). */
function boundName(fn: ts.SignatureDeclaration): ts.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) return fn.name;
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && parent.initializer === fn) return parent.name;
  return undefined;
}

/** Types of the arguments passed at `index` by the call sites of the function bound to `name`. */
function callSiteType(c: CheckedSource, name: ts.Identifier, index: number): string | undefined {
  const symbol = c.checker.getSymbolAtLocation(name);
  if (!symbol) return undefined;
  const types = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && c.checker.getSymbolAtLocation(n.expression) === symbol) {
      const arg = n.arguments[index];
      const t = !arg ? 'undefined' : ts.isSpreadElement(arg) ? undefined : writableType(c.checker, c.checker.getTypeAtLocation(arg), arg);
      if (t !== undefined) types.add(t);
    }
    n.forEachChild(visit);
  };
  c.file.forEachChild(visit);
  return types.size === 0 ? undefined : [...types].join(' | ');
}

function paramEdit(c: CheckedSource, param: ts.ParameterDeclaration, fallback: boolean): Edit | undefined {
  if (param.type) return undefined;
  const fn = param.parent;
  const name = boundName(fn);
  let type: string | undefined;
  // A rest parameter takes arguments of any kind: unknown[] (its uses have to narrow them).
  if (param.dotDotDotToken) type = 'unknown[]';
  else if (name) type = callSiteType(c, name, fn.parameters.indexOf(param));
  if (type === undefined && !fallback) return undefined;
  type ??= param.dotDotDotToken ? 'any[]' : 'any';
  const end = param.name.getEnd();
  const insertAt = param.questionToken ? param.questionToken.getEnd() : end;
  // An arrow function with one unparenthesized parameter needs parentheses for the annotation.
  const needsParens = ts.isArrowFunction(fn) && fn.parameters.length === 1 && c.file.text[param.getStart(c.file) - 1] !== '(' && !c.file.text.slice(fn.getStart(c.file), param.getStart(c.file)).includes('(');
  if (needsParens) return { pos: param.getStart(c.file), end: param.getEnd(), text: `(${param.getText(c.file)}: ${type})`, note: `parameter ${param.name.getText(c.file)}: ${type}` };
  return { pos: insertAt, end: insertAt, text: `: ${type}`, note: `parameter ${param.name.getText(c.file)}: ${type}` };
}

function isEmptyLiteralArgument(n: ts.Node): n is ts.ArrayLiteralExpression | ts.ObjectLiteralExpression {
  if (!(ts.isArrayLiteralExpression(n) && n.elements.length === 0) && !(ts.isObjectLiteralExpression(n) && n.properties.length === 0)) return false;
  return ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as ts.Expression);
}

/** `[]` / `{}` passed as call arguments, cast so that the checker does not infer `never[]` / `{}`. */
function emptyLiteralEdits(c: CheckedSource): Edit[] {
  const edits: Edit[] = [];
  const visit = (n: ts.Node): void => {
    if (isEmptyLiteralArgument(n)) {
      const text = ts.isArrayLiteralExpression(n) ? '([] as any[])' : '({} as Record<string, any>)';
      edits.push({ pos: n.getStart(c.file), end: n.getEnd(), text, note: `empty ${ts.isArrayLiteralExpression(n) ? 'array' : 'object'} argument cast` });
    }
    n.forEachChild(visit);
  };
  c.file.forEachChild(visit);
  return edits;
}

/** The value type of an object literal's properties, if they all share one writable type. */
function recordValueType(c: CheckedSource, init: ts.Expression | undefined): string {
  if (!init || !ts.isObjectLiteralExpression(init) || init.properties.length === 0) return 'any';
  const types = new Set<string>();
  for (const p of init.properties) {
    if (!ts.isPropertyAssignment(p)) return 'any';
    const t = writableType(c.checker, c.checker.getTypeAtLocation(p.initializer), p);
    if (t === undefined) return 'any';
    types.add(t);
  }
  return types.size === 1 ? [...types][0] : 'any';
}

function indexEdit(c: CheckedSource, node: ts.Node | undefined): Edit | undefined {
  const access = enclosing(node, ts.isElementAccessExpression);
  if (!access || !ts.isIdentifier(access.expression)) return undefined;
  const decl = c.checker.getSymbolAtLocation(access.expression)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || decl.type || !ts.isIdentifier(decl.name)) return undefined;
  const type = `Record<string, ${recordValueType(c, decl.initializer)}>`;
  return { pos: decl.name.getEnd(), end: decl.name.getEnd(), text: `: ${type}`, note: `variable ${decl.name.text}: ${type}` };
}

function variableEdit(c: CheckedSource, node: ts.Node | undefined): Edit | undefined {
  const decl = enclosing(node, ts.isVariableDeclaration);
  if (!decl || decl.type || !ts.isIdentifier(decl.name)) return undefined;
  const init = decl.initializer;
  const type = init && ts.isArrayLiteralExpression(init) ? 'any[]' : 'any';
  return { pos: decl.name.getEnd(), end: decl.name.getEnd(), text: `: ${type}`, note: `variable ${decl.name.text}: ${type}` };
}

/** `x` → `x!` (parenthesized unless it is a name, a property or element access, or a call). */
function nonNullEdit(c: CheckedSource, start: number, length: number): Edit | undefined {
  const node = spannedExpression(c, start, length);
  if (!node) return undefined;
  const text = node.getText(c.file);
  const simple = ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node) || ts.isParenthesizedExpression(node);
  return { pos: node.getStart(c.file), end: node.getEnd(), text: simple ? `${text}!` : `(${text})!`, note: `asserted present: ${text.length > 40 ? `${text.slice(0, 40)}…` : text}` };
}

/** The whole expression a diagnostic spans (the outermost node starting at `start` that ends at `start + length`). */
function spannedExpression(c: CheckedSource, start: number, length: number): ts.Expression | undefined {
  let node = nodeAtPosition(c.file, start);
  while (node && node.parent && node.parent.getStart(c.file) === start && node.parent.getEnd() <= start + length) node = node.parent;
  return node && ts.isExpression(node) && node.getEnd() === start + length ? node : undefined;
}

/**
 * A `Date` operand of arithmetic → its time value (`d` → `d.getTime()`): what JavaScript's `-`, `*`,
 * `/`, `%` do to a Date anyway (valueOf), written so that the checker sees a number. Other operand
 * types are left alone: a string there may be a field typed by trial (context-usage.ts) that should
 * be a number, which a conversion would hide.
 */
function dateOperandEdit(c: CheckedSource, start: number, length: number): Edit | undefined {
  const node = spannedExpression(c, start, length);
  if (!node) return undefined;
  const type = c.checker.getTypeAtLocation(node);
  if (c.checker.typeToString(type) !== 'Date') return undefined;
  const text = node.getText(c.file);
  // `new Date(x).getTime()` parses as `(new Date(x)).getTime()`; `new Date` without arguments does not
  const bare = ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node) || ts.isParenthesizedExpression(node) || (ts.isNewExpression(node) && node.arguments !== undefined) || ts.isNonNullExpression(node);
  return { pos: node.getStart(c.file), end: node.getEnd(), text: bare ? `${text}.getTime()` : `(${text}).getTime()`, note: `a Date in arithmetic reads its time value: ${text.length > 40 ? `${text.slice(0, 40)}…` : text}` };
}

/** `Object.entries(x)` / `Object.values(x)` with `x` of type any: `x as Record<string, any>` (see 6 above). */
function untypedEntriesEdits(c: CheckedSource): Edit[] {
  const edits: Edit[] = [];
  const visit = (n: ts.Node): void => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      ts.isIdentifier(n.expression.expression) &&
      n.expression.expression.text === 'Object' &&
      ['entries', 'values'].includes(n.expression.name.text) &&
      n.arguments.length === 1 &&
      !ts.isSpreadElement(n.arguments[0]) &&
      c.checker.getTypeAtLocation(n.arguments[0]).flags & ts.TypeFlags.Any
    ) {
      const arg = n.arguments[0];
      const text = arg.getText(c.file);
      const simple = ts.isIdentifier(arg) || ts.isPropertyAccessExpression(arg) || ts.isElementAccessExpression(arg) || ts.isCallExpression(arg) || ts.isParenthesizedExpression(arg);
      edits.push({ pos: arg.getStart(c.file), end: arg.getEnd(), text: `${simple ? text : `(${text})`} as Record<string, any>`, note: `Object.${n.expression.name.text} of an untyped value: ${text.length > 40 ? `${text.slice(0, 40)}…` : text} as a record` });
    }
    n.forEachChild(visit);
  };
  c.file.forEachChild(visit);
  return edits;
}

function roundEdits(c: CheckedSource, round: number): Edit[] {
  const edits: Edit[] = [];
  const fallback = round >= 2;
  for (const d of c.diagnostics) {
    if (d.file !== c.file || d.start === undefined) continue;
    const node = nodeAtPosition(c.file, d.start);
    let e: Edit | undefined;
    if (IMPLICIT_ANY_PARAM.has(d.code)) {
      const param = enclosing(node, ts.isParameter);
      if (param) e = paramEdit(c, param, fallback);
    } else if (IMPLICIT_INDEX.has(d.code)) e = indexEdit(c, node);
    else if (IMPLICIT_ANY_VAR.has(d.code) && fallback) e = variableEdit(c, node);
    else if (POSSIBLY_ABSENT.has(d.code) && d.length !== undefined) e = nonNullEdit(c, d.start, d.length);
    else if (ARITHMETIC_OPERAND.has(d.code) && d.length !== undefined) e = dateOperandEdit(c, d.start, d.length);
    if (e) edits.push(e);
  }
  if (c.diagnostics.some((d) => UNKNOWN_VALUE.has(d.code))) edits.push(...untypedEntriesEdits(c));
  if (round >= 1 && c.diagnostics.some((d) => !IMPLICIT_ANY_PARAM.has(d.code))) edits.push(...emptyLiteralEdits(c));
  return edits;
}

/** `asAnswer(x)` → `x` where x is already a string; the helper is removed when nothing calls it. */
function simplifyAnswers(source: string, helper: string): string {
  const c = checkSource(source);
  const edits: Edit[] = [];
  let calls = 0;
  let declaration: ts.VariableStatement | undefined;
  const visit = (n: ts.Node): void => {
    if (ts.isVariableStatement(n) && n.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === helper)) declaration = n;
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === helper && n.arguments.length === 1) {
      calls++;
      const arg = n.arguments[0];
      const t = c.checker.getTypeAtLocation(arg);
      if (t.flags & ts.TypeFlags.StringLike) {
        edits.push({ pos: n.getStart(c.file), end: n.getEnd(), text: arg.getText(c.file), note: '' });
        calls--;
      }
    }
    n.forEachChild(visit);
  };
  c.file.forEachChild(visit);
  if (calls === 0 && declaration) {
    const start = declaration.getFullStart();
    edits.push({ pos: start, end: declaration.getEnd(), text: '', note: '' });
  }
  const out = applyEdits(source, edits);
  return checkSource(out).diagnostics.length <= c.diagnostics.length ? out : source;
}

export const MAX_TYPING_ROUNDS = 6;

/** Repairs the emitted source until it type-checks (or no repair applies). */
export function repairTypes(source: string, answerHelper: string | undefined): TypingResult {
  let current = source;
  const repairs: string[] = [];
  let checked = checkSource(current);
  for (let round = 0; round < MAX_TYPING_ROUNDS && checked.diagnostics.length > 0; round++) {
    const edits = roundEdits(checked, round);
    if (edits.length === 0) {
      if (round >= 2) break;
      continue;
    }
    current = applyEdits(current, edits);
    repairs.push(...edits.map((e) => e.note));
    checked = checkSource(current);
  }
  if (checked.diagnostics.length === 0 && answerHelper !== undefined) {
    current = simplifyAnswers(current, answerHelper);
    checked = checkSource(current);
  }
  return { source: current, repairs: [...new Set(repairs)], errors: checked.diagnostics.map(formatDiagnostic) };
}
