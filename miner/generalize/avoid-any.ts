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
 *   3. a few fixed types, `unknown` first (a value the code only passes on or tests is not claimed to
 *      be a string), only once 1 and 2 fit none of the `any`s left: a fixed type chosen for a
 *      callback's parameter while the array it is called on is untyped would stay, right or not,
 *      once that array is typed.
 * An `any` no candidate fits is left and reported, for verify's type check and the evidence.
 */
import ts from 'typescript';
import { checkSource, type CheckedSource } from '../verify/typecheck.js';
import { nodeAtPosition } from './typing.js';

const ALTERNATIVES: Record<string, string[]> = {
  'any[]': ['unknown[]', 'Record<string, unknown>[]', 'string[]', 'number[]', 'string[][]'],
  any: ['unknown', 'Record<string, unknown>', 'string', 'number', 'string[]'],
};

/** `: any`, `: any[]`, `as any[]`, `Record<string, any>` — the spellings the typing pass writes. */
const ANY = /(:\s*|as\s+|Record<string,\s*)(any(?:\[\])?)(?![\w[])/g;

export interface AvoidAnyResult {
  source: string;
  /** What replaced each `any`, and those that could not be replaced. */
  notes: string[];
}

export function avoidAny(source: string): AvoidAnyResult {
  let current = source;
  const notes: string[] = [];
  if (checkSource(current).diagnostics.length > 0) return { source, notes };
  const kept = new Set<number>();
  /** Replaces the first `any` that a trial fits; the fixed list only when `fixed` (see the order above). */
  const replaceOne = (fixed: boolean): boolean => {
    kept.clear();
    for (const m of current.matchAll(ANY)) {
      const at = (m.index ?? 0) + m[1].length;
      const kind = m[2];
      const checked = checkSource(current);
      const fromCode = codeCandidates(checked, at, kind);
      const trials: Trial[] = [
        ...fromCode.map((alt) => ({ text: current.slice(0, at) + alt + current.slice(at + kind.length), note: `${kind} → ${alt} (from the code)` })),
        ...removal(checked, at, kind),
        ...(fixed ? (ALTERNATIVES[kind] ?? []).map((alt) => ({ text: current.slice(0, at) + alt + current.slice(at + kind.length), note: `${kind} → ${alt}` })) : []),
      ];
      for (const trial of trials) {
        const next = checkSource(trial.text);
        if (next.diagnostics.length === 0 && (trial.check === undefined || trial.check(next))) {
          notes.push(trial.note);
          current = trial.text;
          return true;
        }
      }
      // a variable of records the code reads fields off (see 3 above)
      if (!fixed && declarationOf(checked, at)?.decl.kind === ts.SyntaxKind.VariableDeclaration) {
        const write = (type: string): string => current.slice(0, at) + type + current.slice(at + kind.length);
        const bare = withoutParameterAnys(current, at);
        const probeWith = (type: string): string => bare.text.slice(0, bare.at) + type + bare.text.slice(bare.at + kind.length);
        const shapes = kind === 'any[]' ? [(e: string) => `${e}[]`] : isRecordValue(current, at) ? [(e: string) => e] : [(e: string) => `${e}[]`, (e: string) => e];
        for (const shape of shapes) {
          const type = probeRecord((element) => probeWith(shape(element)));
          if (type !== undefined && checkSource(write(shape(type))).diagnostics.length === 0) {
            notes.push(`${kind} → ${shape(type)} (the fields the code reads)`);
            current = write(shape(type));
            return true;
          }
        }
      }
      kept.add(at);
    }
    return false;
  };
  current = typeParsedVariables(current, notes);
  // what the code says first, everywhere (a fixed type chosen early for a callback's parameter would
  // stay once the array it is called on is typed); the fixed list only when nothing else is left
  const collections = (): boolean => {
    const next = typeEmptyCollections(current, notes);
    if (next === undefined) return false;
    current = next;
    return true;
  };
  for (let guard = 0; guard < 60 && (collections() || replaceOne(false) || replaceOne(true)); guard++);
  for (const at of kept) notes.push(`kept any at character ${at}: no concrete type fits`);
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

/**
 * `arr.reduce((acc, x) => …, [] as any[])`: the seed's type is the accumulator's, so what the
 * callback pushes on its first parameter says it (`acc.push([x])` → `T[][]`).
 */
function reduceSeedOf(c: CheckedSource, at: number): { name: ts.Identifier; type: ts.TypeNode } | undefined {
  let n = nodeAtPosition(c.file, at);
  while (n && !ts.isAsExpression(n) && !ts.isStatement(n)) n = n.parent;
  if (!n || !ts.isAsExpression(n) || !ts.isArrayLiteralExpression(n.expression) || n.expression.elements.length > 0) return undefined;
  let arg: ts.Node = n;
  while (ts.isParenthesizedExpression(arg.parent)) arg = arg.parent;
  const call = arg.parent;
  if (!ts.isCallExpression(call) || call.arguments[1] !== arg || !ts.isPropertyAccessExpression(call.expression) || !['reduce', 'reduceRight'].includes(call.expression.name.text)) return undefined;
  const fn = call.arguments[0];
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) || !fn.parameters[0] || !ts.isIdentifier(fn.parameters[0].name)) return undefined;
  return { name: fn.parameters[0].name, type: n.type };
}

/** A written-down type without any or never, not unknown or an empty object (undefined otherwise). */
function concrete(checker: ts.TypeChecker, node: ts.Node): string | undefined {
  const t = checker.getWidenedType(checker.getBaseTypeOfLiteralType(checker.getTypeAtLocation(node)));
  const text = checker.typeToString(t, node, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType);
  // a record may have a field of unknown type (`{ id: unknown; why: string }`); the value itself may not
  if (/\bany\b|\bnever\b|^unknown(\[\])*$|^\{\}$|typeof |\.\.\.|\bimport\(/.test(text) || text.length > 400) return undefined;
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
  const declared = declarationOf(c, at);
  const found = declared && ts.isVariableDeclaration(declared.decl) && ts.isIdentifier(declared.decl.name) ? { name: declared.decl.name, type: declared.type } : reduceSeedOf(c, at);
  if (!found) return [];
  const symbol = c.checker.getSymbolAtLocation(found.name);
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
  if (array) return value ? [arrayOf(value)] : [];
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

/** The `any` at `at` is the value type of a `Record<string, any>`. */
const isRecordValue = (source: string, at: number): boolean => /Record<string,\s*$/.test(source.slice(Math.max(0, at - 20), at));

/** Candidate types of a record's field, tried after `unknown` (what a field the code only passes on or tests stays). */
const FIELD_TYPES = ['string', 'number', 'boolean', 'string[]', 'Record<string, unknown>'];

/** `{ a: unknown; b: string }` as written and as the checker prints it. */
const recordText = (fields: ReadonlyMap<string, string>): string => (fields.size === 0 ? '{}' : `{ ${[...fields].map(([k, t]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${t};`).join(' ')} }`);
const IMPLICIT_ANY_PARAMETER = new Set([7006, 7031]);

/** Every callback parameter's `: any` removed (`(r: any) =>` → `(r) =>`), as the probe reads the code; `at` kept in place. */
function withoutParameterAnys(source: string, at: number): { text: string; at: number } {
  const file = ts.createSourceFile('probe.ts', source, ts.ScriptTarget.ES2022, true);
  const cuts: [number, number][] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isParameter(n) && n.type && n.type.getText(file) === 'any' && !n.dotDotDotToken && (ts.isArrowFunction(n.parent) || ts.isFunctionExpression(n.parent)) && ts.isCallExpression(n.parent.parent)) {
      cuts.push([n.questionToken ? n.questionToken.getEnd() : n.name.getEnd(), n.type.getEnd()]);
    }
    n.forEachChild(visit);
  };
  file.forEachChild(visit);
  let text = source;
  let moved = at;
  for (const [from, to] of cuts.sort((a, b) => b[0] - a[0])) {
    text = text.slice(0, from) + text.slice(to);
    if (from < at) moved -= to - from;
  }
  return { text, at: moved };
}

const PROPERTY_MISSING = /^Property '([^']+)' does not exist on type '(.*)'\.$/s;

/**
 * The record type of values the code reads fields off, found with the checker: typed first as `{}`
 * (where `sourceWith(element)` writes the element type into the function), every "Property 'f' does
 * not exist on type '{}'" is a field the code reads — through every name and call the checker
 * follows the value — added as `unknown` until no new one appears; then each field that is not
 * fine as `unknown` takes the first of a few types that lowers the errors. Undefined unless the
 * function then type-checks.
 */
export function probeRecord(sourceWith: (element: string) => string): string | undefined {
  const fields = new Map<string, string>();
  // the callbacks' parameters are probed without their `any` (which would hide every read): their
  // implicit-any errors say only that the element type is still open
  const count = (c: CheckedSource): number => c.diagnostics.filter((d) => !IMPLICIT_ANY_PARAMETER.has(d.code)).length;
  const squash = (t: string): string => t.replace(/\s+/g, '');
  let errors = Number.MAX_SAFE_INTEGER;
  for (let round = 0; round < 6; round++) {
    const element = recordText(fields);
    const c = checkSource(sourceWith(element));
    let grew = false;
    for (const d of c.diagnostics) {
      const m = PROPERTY_MISSING.exec(ts.flattenDiagnosticMessageText(d.messageText, ' '));
      if (d.code === 2339 && m && squash(m[2]) === squash(element) && !fields.has(m[1])) {
        fields.set(m[1], 'unknown');
        grew = true;
      }
    }
    errors = count(c);
    if (!grew) break;
  }
  if (fields.size === 0 || fields.size > 24) return undefined;
  for (const name of fields.keys()) {
    if (errors === 0) break;
    let best: { type: string; errors: number } | undefined;
    for (const type of FIELD_TYPES) {
      const n = count(checkSource(sourceWith(recordText(new Map(fields).set(name, type)))));
      if (n < errors && (!best || n < best.errors)) best = { type, errors: n };
      if (n === 0) break;
    }
    if (best) {
      fields.set(name, best.type);
      errors = best.errors;
    }
  }
  return errors === 0 ? recordText(fields) : undefined;
}

/** `JSON.parse(…)` somewhere in `n` (the model's JSON, which the checker types as any). */
function parsesJson(n: ts.Node): boolean {
  if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && ts.isIdentifier(n.expression.expression) && n.expression.expression.text === 'JSON' && n.expression.name.text === 'parse') return true;
  return n.forEachChild(parsesJson) ?? false;
}

/**
 * A variable the code initializes from `JSON.parse` with no annotation is `any` without saying so
 * (`let reviews = typeof context === "string" ? JSON.parse(context) : context`), and so is every
 * callback over it: it is annotated with the records the code reads off it (probeRecord), an array
 * of them when the code uses it as one.
 */
function typeParsedVariables(source: string, notes: string[]): string {
  let current = source;
  for (let guard = 0; guard < 10; guard++) {
    const c = checkSource(current);
    const targets: ts.VariableDeclaration[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && !n.type && n.initializer && parsesJson(n.initializer) && c.checker.getTypeAtLocation(n.name).flags & ts.TypeFlags.Any) targets.push(n);
      n.forEachChild(visit);
    };
    c.file.forEachChild(visit);
    let typed = false;
    for (const decl of targets) {
      const at = decl.name.getEnd();
      const write = (type: string): string => `${current.slice(0, at)}: ${type}${current.slice(at)}`;
      const bare = withoutParameterAnys(current, at);
      const probeWith = (type: string): string => `${bare.text.slice(0, bare.at)}: ${type}${bare.text.slice(bare.at)}`;
      for (const shape of [(e: string) => `${e}[]`, (e: string) => e]) {
        const type = probeRecord((element) => probeWith(shape(element)));
        if (type !== undefined && checkSource(write(shape(type))).diagnostics.length === 0) {
          notes.push(`${(decl.name as ts.Identifier).text} (parsed JSON) → ${shape(type)} (the fields the code reads)`);
          current = write(shape(type));
          typed = true;
          break;
        }
      }
      if (typed) break;
    }
    if (!typed) break;
  }
  return current;
}

/**
 * `new Map()` / `new Set()` with no type arguments is a `Map<any, any>` / `Set<any>` that no text
 * shows: it takes the types of what the code sets (`seen.set(key, { ...e, t })`) or adds there,
 * once those have concrete types.
 */
function typeEmptyCollections(source: string, notes: string[]): string | undefined {
  const c = checkSource(source);
  let result: string | undefined;
  const visit = (n: ts.Node): void => {
    if (result !== undefined) return;
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && !n.type && n.initializer && ts.isNewExpression(n.initializer) && ts.isIdentifier(n.initializer.expression) && ['Map', 'Set'].includes(n.initializer.expression.text) && !n.initializer.typeArguments && (n.initializer.arguments ?? []).length === 0) {
      const init = n.initializer;
      const isMap = (init.expression as ts.Identifier).text === 'Map';
      const symbol = c.checker.getSymbolAtLocation(n.name);
      const slots: Set<string>[] = isMap ? [new Set(), new Set()] : [new Set()];
      let usable = true;
      const uses = (m: ts.Node): void => {
        if (ts.isCallExpression(m) && ts.isPropertyAccessExpression(m.expression) && m.expression.name.text === (isMap ? 'set' : 'add') && ts.isIdentifier(m.expression.expression) && c.checker.getSymbolAtLocation(m.expression.expression) === symbol) {
          slots.forEach((slot, i) => {
            const a = m.arguments[i];
            const t = a && !ts.isSpreadElement(a) ? concrete(c.checker, a) : undefined;
            if (t === undefined) usable = false;
            else slot.add(t);
          });
        }
        m.forEachChild(uses);
      };
      c.file.forEachChild(uses);
      const args = slots.map(union);
      if (!usable || args.some((a) => a === undefined)) return;
      const text = `new ${isMap ? 'Map' : 'Set'}<${args.join(', ')}>()`;
      const next = source.slice(0, init.getStart(c.file)) + text + source.slice(init.getEnd());
      if (checkSource(next).diagnostics.length === 0) {
        notes.push(`${n.name.text}: ${text} (from the code)`);
        result = next;
      }
      return;
    }
    n.forEachChild(visit);
  };
  c.file.forEachChild(visit);
  return result;
}
