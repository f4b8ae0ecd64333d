/**
 * Rewrites of the template's statements into a function body: `FINAL(x);` → `return answer(x);`
 * (a FINAL anywhere else cannot be a return), function declarations moved to the front of their list
 * (they were hoisted when they ran), a name declared again in a later step merged into an
 * assignment, and the answer to return when the program's last check around its FINAL fails.
 */
import { PURE_METHODS } from '../front/names.js';
import { id, isCallTo, mk, STATEMENT_LIST_KINDS, listStart, type NNode } from '../front/tree.js';

export class EmitError extends Error {}

/** The placeholder callee of `return answer(x)` (the emitter names the real helper). */
export const ANSWER = '__accrete_answer__';

function containsFinal(n: NNode): boolean {
  return isCallTo(n, 'FINAL') || isCallTo(n, 'FINAL_VAR') || n.c.some(containsFinal);
}

/** `FINAL(x);` statements → `return answer(x);`; FINAL anywhere else cannot be expressed as a return. */
export function finalsToReturns(list: NNode, inFunction: boolean): void {
  const start = STATEMENT_LIST_KINDS.has(list.k) ? listStart(list) : 0;
  for (let i = start; i < list.c.length; i++) {
    const s = list.c[i];
    if (s.k === 'expr' && isCallTo(s.c[0], 'FINAL')) {
      if (inFunction) throw new EmitError('FINAL is called inside a nested function; it cannot become the function\'s return');
      const args = s.c[0].c.slice(1);
      if (args.length !== 1 || containsFinal(args[0])) throw new EmitError('FINAL must be called with exactly one argument');
      list.c[i] = mk('return', [mk('call', [id(ANSWER), args[0]])]);
      continue;
    }
    if (s.k === 'expr' && isCallTo(s.c[0], 'FINAL_VAR')) throw new EmitError('FINAL_VAR with a computed name cannot be generalized');
    walkForFinals(s, inFunction);
  }
}

function walkForFinals(n: NNode, inFunction: boolean): void {
  if (n.k === 'fn') {
    if (containsFinal(n)) throw new EmitError('FINAL is called inside a nested function; it cannot become the function\'s return');
    return;
  }
  if (STATEMENT_LIST_KINDS.has(n.k)) {
    finalsToReturns(n, inFunction);
    return;
  }
  if (n.k === 'call' && (isCallTo(n, 'FINAL') || isCallTo(n, 'FINAL_VAR'))) throw new EmitError('FINAL is used as a value; only `FINAL(x);` statements can become returns');
  for (const ch of n.c) walkForFinals(ch, inFunction);
}

/** Function declarations move to the front of their statement list (they were hoisted when they ran). */
export function hoistFunctions(n: NNode): void {
  for (const ch of n.c) hoistFunctions(ch);
  if (n.k !== 'prog' && n.k !== 'block') return;
  const isFn = (s: NNode) => s.k === 'var' && s.v === 'function';
  if (!n.c.some(isFn)) return;
  n.c = [...n.c.filter(isFn), ...n.c.filter((s) => !isFn(s))];
}

/**
 * A name declared twice at the top (a later step redefining an earlier one, as the REPL allows)
 * is declared once: the later declarations become assignments.
 */
export function mergeRedeclarations(prog: NNode): void {
  const seen = new Set<string>();
  prog.c = prog.c.map((s) => {
    if (s.k !== 'var' || s.v === 'function' || s.v === 'class') return s;
    if (!s.c.every((d) => d.c[0].k === 'id' && d.c[0].v !== undefined)) {
      return s;
    }
    const names = s.c.map((d) => d.c[0].v!);
    if (!names.some((n) => seen.has(n))) {
      names.forEach((n) => seen.add(n));
      return s;
    }
    if (!names.every((n) => seen.has(n)) || s.c.some((d) => !d.c[1])) throw new EmitError(`"${names.join(', ')}" is declared twice in a way that cannot be merged`);
    const assigns = s.c.map((d) => mk('assign', [d.c[0], d.c[1]], '='));
    return mk('expr', [assigns.reduce((a, b) => mk('seq', [a, b]))]);
  });
}

/** Names declared anywhere inside `n` (variables, parameters, loop bindings). */
function declaredInside(n: NNode): Set<string> {
  const out = new Set<string>();
  const walk = (x: NNode): void => {
    if ((x.k === 'decl' || x.k === 'param') && x.c[0]?.k === 'id' && x.c[0].v !== undefined) out.add(x.c[0].v);
    x.c.forEach(walk);
  };
  walk(n);
  return out;
}

function referencedNames(n: NNode): string[] {
  const out: string[] = [];
  const walk = (x: NNode): void => {
    if (x.k === 'id' && x.v !== undefined) out.push(x.v);
    if (x.k === 'mem') {
      walk(x.c[0]);
      return;
    }
    x.c.forEach(walk);
  };
  walk(n);
  return out;
}

/**
 * When the program ends with a check around its FINAL (`if (check) { return answer(x); }`, with or
 * without an else) and x is a top-level variable or a pure expression over names declared outside
 * the check, the expression x: the answer to return when the check fails.
 */
export function fallbackAnswer(prog: NNode): NNode | undefined {
  const last = prog.c[prog.c.length - 1];
  if (last.k !== 'if') return undefined;
  let found: NNode | undefined;
  const walk = (n: NNode): void => {
    if (n.k === 'fn') return;
    if (n.k === 'return' && isCallTo(n.c[0], ANSWER)) found = n.c[0].c[1];
    n.c.forEach(walk);
  };
  walk(last);
  if (!found) return undefined;
  if (found.k === 'id' && found.v !== undefined) {
    const name = found.v;
    const declared = prog.c.some((s) => s.k === 'var' && s.v !== 'function' && s.v !== 'class' && s.c.some((d) => d.c[0].k === 'id' && d.c[0].v === name));
    return declared ? found : undefined;
  }
  if (!isPureExpression(found)) return undefined;
  const inside = declaredInside(last);
  return referencedNames(found).some((x) => inside.has(x)) ? undefined : found;
}

const PURE_CALLEES = new Set(['String', 'Number', 'Boolean', 'isNaN', 'isFinite', 'parseInt', 'parseFloat']);
const PURE_STATICS = new Set(['Object.keys', 'Object.values', 'Object.entries', 'Array.isArray', 'JSON.stringify', 'Number.isFinite', 'Number.isInteger']);

/** No assignment, update, await or call that could change anything. */
export function isPureExpression(n: NNode): boolean {
  if (n.k === 'fn') return n.c[2].k !== 'block' && isPureExpression(n.c[2]);
  if (['assign', 'post', 'await', 'yield', 'new', 'class', 'tagged'].includes(n.k)) return false;
  if (n.k === 'pre' && (n.v === '++' || n.v === '--' || n.v === 'delete')) return false;
  if (n.k === 'call') {
    const callee = n.c[0];
    const ok =
      (callee.k === 'id' && PURE_CALLEES.has(callee.v ?? '')) ||
      (callee.k === 'mem' && (PURE_METHODS.has(callee.v ?? '') || (callee.c[0].k === 'id' && PURE_STATICS.has(`${callee.c[0].v}.${callee.v}`)) || (callee.c[0].k === 'id' && callee.c[0].v === 'Math')));
    if (!ok) return false;
    return n.c.slice(1).every(isPureExpression) && (callee.k !== 'mem' || isPureExpression(callee.c[0]));
  }
  return n.c.every(isPureExpression);
}

/** Declarations replaced by parameters of the same name: dropped, or (arrays, objects) a fresh copy. */
