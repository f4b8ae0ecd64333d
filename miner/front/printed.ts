/**
 * Slicing through the root model: when the run ends with `FINAL("an answer the model typed")`, the
 * answer depends on what the model read, that is on the values printed in the steps before.
 * This module decides when that is the case (every FINAL of the last block gets a literal), which
 * printed values are the slicing criteria (prints in earlier steps whose arguments depend on the
 * input or on model output, other than peeks at the input's size or head), and rewrites a sliced
 * program so that it returns what was printed, joined as it was printed (for generalize).
 */
import type { EffectsAnalyzer } from './scope.js';
import { JS_GLOBALS } from './names.js';
import { lowerSourceFile, parseBlock } from './lower.js';
import { id, isCallTo, mk, type NNode } from './tree.js';

function isGlobalId(n: NNode): boolean {
  return n.k === 'id' && n.v !== undefined && JS_GLOBALS.has(n.v);
}

/** An expression that references no variable (literals, templates and operators over them, global helpers such as JSON.stringify). */
export function isLiteralAnswer(e: NNode | undefined): boolean {
  if (!e) return false;
  switch (e.k) {
    case 'id':
      return isGlobalId(e);
    case 'fn':
    case 'await':
    case 'this':
    case 'super':
    case 'yield':
      return false;
    default:
      return e.c.every((ch) => ch.k === 'none' || ch.k === 'tstr' || isLiteralAnswer(ch));
  }
}

/** The FINAL calls written directly in a statement (also inside nested statements and callbacks). */
function finalCalls(n: NNode, out: NNode[] = []): NNode[] {
  if (n.k === 'call' && isCallTo(n, 'FINAL')) out.push(n);
  for (const ch of n.c) finalCalls(ch, out);
  return out;
}

/**
 * True when the answer was typed: the statements that hold the slicing criteria call FINAL only
 * directly (not through a local function) and only with literals. `callsFinal` says which
 * statements call FINAL in any way.
 */
export function answersWithLiteral(stmts: readonly NNode[], callsFinal: (s: NNode) => boolean): boolean {
  let any = false;
  for (const s of stmts) {
    if (!callsFinal(s)) continue;
    const calls = finalCalls(s);
    if (calls.length === 0) return false;
    for (const c of calls) if (c.c.length !== 2 || !isLiteralAnswer(c.c[1])) return false;
    any = true;
  }
  return any;
}

/** Methods and statics that only look at a value's shape or a fixed piece of it. */
const PEEK_METHODS: ReadonlySet<string> = new Set(['slice', 'substring', 'substr', 'trim', 'trimStart', 'trimEnd', 'split', 'toString', 'join', 'keys', 'values', 'entries', 'stringify', 'isArray', 'toFixed', 'min', 'max', 'round', 'floor', 'ceil']);

/**
 * A peek: an expression over the input (and names bound to peeks) that only looks at its size,
 * type or a fixed piece of it, such as `context.length`, `typeof context`, `context.slice(0, 500)`,
 * `lines.length` for `const lines = context.split("\n")`.
 */
function isPeek(e: NNode, peekNames: ReadonlySet<string>): boolean {
  switch (e.k) {
    case 'str':
    case 'num':
    case 'bool':
    case 'null':
    case 'tstr':
    case 'none':
      return true;
    case 'id':
      return e.v !== undefined && (e.v === 'context' || peekNames.has(e.v) || JS_GLOBALS.has(e.v));
    case 'mem':
    case 'idx':
    case 'pre':
    case 'bin':
    case 'cond':
    case 'tpl':
    case 'arr':
    case 'spread':
      return e.c.every((ch) => isPeek(ch, peekNames));
    case 'call': {
      const callee = e.c[0];
      const args = e.c.slice(1);
      if (!args.every((a) => isPeek(a, peekNames))) return false;
      if (isGlobalId(callee)) return true;
      return callee.k === 'mem' && callee.v !== undefined && PEEK_METHODS.has(callee.v) && isPeek(callee.c[0], peekNames);
    }
    default:
      return false;
  }
}

/** True for `print(...)` expression statements. */
function isPrint(s: NNode): boolean {
  return s.k === 'expr' && isCallTo(s.c[0], 'print');
}

/** Print statements nested in a statement (not inside function bodies: those print when called). */
function printsIn(s: NNode, out: NNode[] = []): NNode[] {
  if (isPrint(s)) {
    out.push(s);
    return out;
  }
  for (const ch of s.c) if (ch.k !== 'fn') printsIn(ch, out);
  return out;
}

/**
 * The print statements among `stmts[0, before)` that are slicing criteria: those in a top-level
 * statement that reads the input or model output (directly or through names computed from them),
 * with at least one argument that is more than a peek at the input; of these, the ones of the last
 * step that printed any (`stepOf` gives a statement's step). The model typically explores, then
 * computes and prints, then types the answer it read in the last output; what earlier steps
 * printed was exploration or an approach it dropped (it counted labels with a regex that matched
 * nothing, then parsed the replies as JSON and answered from that), and where it still matters
 * the last step's values depend on it.
 */
export function printCriteria(stmts: readonly NNode[], before: number, an: EffectsAnalyzer, stepOf: (i: number) => number): { prints: Set<NNode>; step?: number } {
  let out = new Set<NNode>();
  let outStep: number | undefined;
  const tainted = new Set<string>(['context']);
  const peekNames = new Set<string>();
  for (let i = 0; i < before && i < stmts.length; i++) {
    const s = stmts[i];
    const eff = an.effects(s);
    let source = eff.modelCall;
    if (!source) for (const u of eff.uses) if (tainted.has(u)) source = true;
    if (!source) continue;
    for (const d of eff.strong) tainted.add(d);
    for (const d of eff.weak) tainted.add(d);
    for (const d of eff.declares) tainted.add(d);
    if (s.k === 'var' && s.c.length === 1 && s.c[0].c[0]?.k === 'id' && s.c[0].c[1] && isPeek(s.c[0].c[1], peekNames)) {
      const name = s.c[0].c[0].v;
      if (name !== undefined) peekNames.add(name);
    }
    for (const p of printsIn(s)) {
      const args = p.c[0].c.slice(1);
      if (!args.some((a) => !isPeek(a, peekNames))) continue;
      if (outStep !== stepOf(i)) {
        out = new Set();
        outStep = stepOf(i);
      }
      out.add(p);
    }
  }
  return { prints: out, step: outStep };
}

function namesIn(n: NNode, out: Set<string>): Set<string> {
  if (n.k === 'id' && n.v !== undefined) out.add(n.v);
  for (const ch of n.c) namesIn(ch, out);
  return out;
}

function fresh(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 2; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

const str = (v: string): NNode => mk('str', [], v);

function lowered(code: string): NNode[] {
  const parsed = parseBlock(code);
  if (!parsed.ok) throw new Error(`printed.ts: ${parsed.reason}`);
  return lowerSourceFile(parsed.sf);
}

/**
 * Rewrites a program sliced from printed values so that it returns them: a list of printed lines
 * is declared first, every print pushes its line (its values shown as print shows them, joined by
 * a space) and every literal FINAL returns the lines joined by newlines. The input is not modified.
 */
export function answerFromPrinted(stmts: readonly NNode[]): NNode[] {
  const taken = new Set<string>();
  for (const s of stmts) namesIn(s, taken);
  const lines = fresh('printed', taken);
  const show = fresh('showPrinted', taken);
  const header = lowered(
    `const ${lines} = [];\n` +
      `const ${show} = (...values) => values.map((v) => (typeof v === "string" ? v : JSON.stringify(v, null, 2) ?? String(v))).join(" ");`,
  );
  const rewrite = (n: NNode): NNode => {
    if (isPrint(n)) {
      const args = n.c[0].c.slice(1).map(rewrite);
      return mk('expr', [mk('call', [mk('mem', [id(lines)], 'push'), mk('call', [id(show), ...args])])]);
    }
    if (n.k === 'call' && isCallTo(n, 'FINAL') && n.c.length === 2 && isLiteralAnswer(n.c[1])) {
      return mk('call', [n.c[0], mk('call', [mk('mem', [id(lines)], 'join'), str('\n')])]);
    }
    return { k: n.k, v: n.v, c: n.c.map(rewrite) };
  };
  return [...header, ...stmts.map(rewrite)];
}
