/**
 * The typing pass falls back to `any` where the model's JavaScript gives the checker nothing to
 * infer (`let people = []` filled from `JSON.parse`). Emitted code carries no `any`: each one is
 * replaced by the first type with which the function still type-checks, tried in this order:
 *   1. what the code puts there: a variable's `any[]` becomes the type of what it pushes
 *      (`events.push(e)`), a `Record<string, any>` the type of what it stores under a key
 *      (`byDate[d] = e`), arrays of what it pushes there (`(byCard[id] ||= []).push(t)`) or sets of
 *      what it adds (`(seen[k] ||= new Set()).add(n)`);
 *   2. no annotation, where the checker now infers a type without `any` (a callback's parameter
 *      once the array it is called on has a type, a variable from its initializer);
 *   3. a few concrete types (a record of unknowns, strings, `unknown`, numbers).
 * An `any` no candidate fits is left and reported, for verify's type check and the evidence.
 */
import ts from 'typescript';
import { checkSource, type CheckedSource } from '../verify/typecheck.js';
import { nodeAtPosition } from './typing.js';

const ALTERNATIVES: Record<string, string[]> = {
  'any[]': ['Record<string, unknown>[]', 'string[]', 'unknown[]', 'number[]', 'string[][]'],
  any: ['Record<string, unknown>', 'string', 'unknown', 'number', 'string[]'],
};

/** `: any`, `: any[]`, `as any[]`, `Record<string, any>` — the spellings the typing pass writes. */
const ANY = /(:\s*|as\s+|Record<string,\s*)(any(?:\[\])?)\b(?!\w)/g;

export interface AvoidAnyResult {
  source: string;
  /** What replaced each `any`, and those that could not be replaced. */
  notes: string[];
}

export function avoidAny(source: string): AvoidAnyResult {
  let current = source;
  const notes: string[] = [];
  if (checkSource(current).diagnostics.length > 0) return { source, notes };
  for (let guard = 0; guard < 40; guard++) {
    const matches = [...current.matchAll(ANY)];
    let replaced = false;
    for (const m of matches) {
      const at = (m.index ?? 0) + m[1].length;
      const kind = m[2];
      const checked = checkSource(current);
      const fromCode = codeCandidates(checked, at, kind);
      const trials: Trial[] = [
        ...fromCode.map((alt) => ({ text: current.slice(0, at) + alt + current.slice(at + kind.length), note: `${kind} → ${alt} (from the code)` })),
        ...removal(checked, at, kind),
        ...(ALTERNATIVES[kind] ?? []).map((alt) => ({ text: current.slice(0, at) + alt + current.slice(at + kind.length), note: `${kind} → ${alt}` })),
      ];
      for (const trial of trials) {
        const next = checkSource(trial.text);
        if (next.diagnostics.length === 0 && (trial.check === undefined || trial.check(next))) {
          notes.push(trial.note);
          current = trial.text;
          replaced = true;
          break;
        }
      }
      if (replaced) break;
      notes.push(`kept ${kind} at character ${at}: no concrete type fits`);
    }
    if (!replaced) break;
  }
  return { source: current, notes: [...new Set(notes)] };
}

interface Trial {
  text: string;
  note: string;
  /** A further condition on the checked result (that an inferred type holds no `any`). */
  check?: (c: CheckedSource) => boolean;
}

/** The variable or parameter whose declared type is (or holds) the `any` at `at`, and that type node. */
function declarationOf(c: CheckedSource, at: number): { decl: ts.VariableDeclaration | ts.ParameterDeclaration; type: ts.TypeNode } | undefined {
  let n = nodeAtPosition(c.file, at);
  while (n && !ts.isVariableDeclaration(n) && !ts.isParameter(n) && !ts.isStatement(n)) n = n.parent;
  if (!n || !(ts.isVariableDeclaration(n) || ts.isParameter(n)) || !n.type || !ts.isIdentifier(n.name)) return undefined;
  if (at < n.type.getStart(c.file) || at >= n.type.getEnd()) return undefined;
  return { decl: n, type: n.type };
}

/** A written-down type without any, unknown, never or an empty object (undefined otherwise). */
function concrete(checker: ts.TypeChecker, node: ts.Node): string | undefined {
  const t = checker.getWidenedType(checker.getBaseTypeOfLiteralType(checker.getTypeAtLocation(node)));
  const text = checker.typeToString(t, node, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType);
  if (/\bany\b|\bnever\b|\bunknown\b|^\{\}$|typeof |\.\.\.|\bimport\(/.test(text) || text.length > 300) return undefined;
  return text;
}

const union = (types: ReadonlySet<string>): string | undefined => (types.size === 0 ? undefined : [...types].map((t) => (/[|&]|=>/.test(t) && types.size > 1 ? `(${t})` : t)).join(' | '));
const arrayOf = (t: string): string => (/[|&]|=>/.test(t) ? `(${t})[]` : `${t}[]`);

/** `(x)`, `x!` → x; `(x[k] ||= e)` → `x[k]` (what is written and read there is the same slot). */
function slot(n: ts.Expression): ts.Expression {
  let cur = n;
  for (;;) {
    if (ts.isParenthesizedExpression(cur) || ts.isNonNullExpression(cur)) cur = cur.expression;
    else if (ts.isBinaryExpression(cur) && [ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.EqualsToken].includes(cur.operatorToken.kind)) cur = cur.left;
    else return cur;
  }
}

/** An empty seed (`[]`, `{}`, `new Set()`, `new Map()`), or the slot itself or a seed (`x[k] || []`): says nothing of the values. */
function isSeed(n: ts.Expression, isVar: (e: ts.Expression) => boolean): boolean {
  const e = slot(n);
  if (ts.isArrayLiteralExpression(e)) return e.elements.length === 0;
  if (ts.isObjectLiteralExpression(e)) return e.properties.length === 0;
  if (ts.isNewExpression(e)) return (e.arguments ?? []).length === 0;
  if (ts.isElementAccessExpression(e)) return isVar(e.expression);
  if (ts.isBinaryExpression(e) && [ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(e.operatorToken.kind)) return isSeed(e.left, isVar) && isSeed(e.right, isVar);
  return false;
}

/**
 * Types of what the code stores in the variable declared with the `any` at `at` (see 1 above):
 * for `any[]`, the element type of what it pushes; for `Record<string, any>`, the value type.
 */
function codeCandidates(c: CheckedSource, at: number, kind: string): string[] {
  const found = declarationOf(c, at);
  if (!found || !ts.isVariableDeclaration(found.decl)) return [];
  const symbol = c.checker.getSymbolAtLocation(found.decl.name);
  if (!symbol) return [];
  const isVar = (n: ts.Expression): boolean => ts.isIdentifier(n) && c.checker.getSymbolAtLocation(n) === symbol;
  const record = ts.isTypeReferenceNode(found.type) && found.type.getText(c.file).startsWith('Record<');
  const array = kind === 'any[]' && ts.isArrayTypeNode(found.type);
  if (!record && !array) return [];
  const values = new Set<string>();
  const pushed = new Set<string>();
  const added = new Set<string>();
  const argTypes = (call: ts.CallExpression, into: Set<string>): boolean => {
    for (const a of call.arguments) {
      const t = ts.isSpreadElement(a) ? undefined : concrete(c.checker, a);
      if (t === undefined) return false;
      into.add(t);
    }
    return true;
  };
  let unusable = false;
  const visit = (n: ts.Node): void => {
    if (array && ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'push' && isVar(slot(n.expression.expression))) {
      if (!argTypes(n, values)) unusable = true;
    }
    if (record) {
      // x[k] = v, x[k] ||= v (an empty [] or new Set() seed says nothing: its pushes and adds do)
      if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isElementAccessExpression(n.left) && isVar(n.left.expression) && !isSeed(n.right, isVar)) {
        const t = concrete(c.checker, n.right);
        if (t === undefined) unusable = true;
        else values.add(t);
      }
      // x[k].push(v), (x[k] ||= []).push(v), x[k].add(v)
      if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ['push', 'add'].includes(n.expression.name.text)) {
        const target = slot(n.expression.expression);
        if (ts.isElementAccessExpression(target) && isVar(target.expression) && !argTypes(n, n.expression.name.text === 'push' ? pushed : added)) unusable = true;
      }
    }
    n.forEachChild(visit);
  };
  c.file.forEachChild(visit);
  if (unusable) return [];
  const out: string[] = [];
  const value = union(values);
  if (array) return value ? [value] : [];
  const push = union(pushed);
  const add = union(added);
  // what is stored directly, else what is pushed or added into the stored arrays / sets
  if (value && !push && !add) out.push(value);
  if (push && !add) out.push(arrayOf(push));
  if (add && !push) out.push(`Set<${add}>`);
  return out;
}

/**
 * The annotation removed (`(r: any) =>` → `(r) =>`, `let s: any = new Set(xs)` → `let s = …`),
 * accepted only when what the checker then infers for it holds no `any` (see 2 above).
 */
function removal(c: CheckedSource, at: number, kind: string): Trial[] {
  const found = declarationOf(c, at);
  if (!found || found.type.getText(c.file) !== kind) return [];
  const { decl } = found;
  if (ts.isVariableDeclaration(decl) && !decl.initializer) return [];
  if (ts.isParameter(decl) && (decl.dotDotDotToken || !(ts.isArrowFunction(decl.parent) || ts.isFunctionExpression(decl.parent)) || !ts.isCallExpression(decl.parent.parent))) return [];
  const from = ts.isParameter(decl) && decl.questionToken ? decl.questionToken.getEnd() : decl.name.getEnd();
  const source = c.file.text;
  const text = source.slice(0, from) + source.slice(found.type.getEnd());
  const namePos = decl.name.getStart(c.file);
  const name = decl.name.getText(c.file);
  return [
    {
      text,
      note: `${kind} on ${name} → inferred`,
      check: (next) => {
        const n = nodeAtPosition(next.file, namePos);
        if (!n || !ts.isIdentifier(n)) return false;
        const t = next.checker.typeToString(next.checker.getTypeAtLocation(n), n, ts.TypeFormatFlags.NoTruncation);
        return !/\bany\b/.test(t);
      },
    },
  ];
}
