/**
 * The miner's own syntax tree: a small, uniform, JSON-serializable tree that the TypeScript AST is
 * lowered into (types stripped, parentheses dropped). Every later pass (slice, canonicalize, rename,
 * skeleton, embed, anti-unification) works on it.
 *
 * Node kinds ({@link NodeKind}, a closed union; children in `c`, in source order):
 *   statements: prog, block, var(v=let|const|var|function|class){decl}, decl{pattern, init?},
 *     expr{e}, if{cond, then, else?}, for{init|none, cond|none, incr|none, body},
 *     forof(v=const|let|var|''){target, iterable, body}, forin(same), while{cond, body},
 *     do{body, cond}, return{e?}, break(v=label?), continue(v=label?), throw{e},
 *     try{block, catch|none, finally|none}, catch{param|none, block}, switch{e, case...},
 *     case{test, stmts...}, default{stmts...}, label(v=name){stmt}
 *   expressions: id(v=name), str(v), num(v), re(v), bool(v), null, this, super,
 *     tpl{tstr(v), e, tstr, e, ..., tstr}, tagged{tag, tpl}, arr{elems}, hole, spread{e},
 *     obj{prop(v=key){value} | cprop{key, value} | spread}, mem(v=name){obj}, idx{obj, key},
 *     call{callee, args...}, new{callee, args...}, bin(v=op){l, r}, assign(v=op){target, value},
 *     pre(v=op){e}, post(v=op){e}, cond{test, then, else}, seq{a, b},
 *     fn(v=flags: 'async'|'gen'|'async gen'|''){name|none, params{param...}, body(block|expr)},
 *     param{pattern, default?}, rest{pattern}, await{e}, yield(v='*'?){e?}
 *   patterns: id, opat{bind(v=key){target, default?} | cbind{key, target, default?} | rest},
 *     apat{elems: target | dflt{target, default} | hole | rest}
 *   fallback: 'ts:<SyntaxKind>' with lowered children.
 */

/** Statement kinds (and the parts of statements: declarators, catch clauses, switch clauses). */
export type StatementKind =
  | 'prog'
  | 'block'
  | 'var'
  | 'decl'
  | 'expr'
  | 'if'
  | 'for'
  | 'forof'
  | 'forawait'
  | 'forin'
  | 'while'
  | 'do'
  | 'return'
  | 'break'
  | 'continue'
  | 'throw'
  | 'try'
  | 'catch'
  | 'switch'
  | 'case'
  | 'default'
  | 'label';

/** Expression kinds, with the parts of literals, functions and classes. */
export type ExpressionKind =
  | 'id'
  | 'str'
  | 'num'
  | 're'
  | 'bool'
  | 'null'
  | 'this'
  | 'super'
  | 'tpl'
  | 'tstr'
  | 'tagged'
  | 'arr'
  | 'hole'
  | 'spread'
  | 'obj'
  | 'prop'
  | 'cprop'
  | 'accessor'
  | 'mem'
  | 'idx'
  | 'call'
  | 'new'
  | 'bin'
  | 'assign'
  | 'pre'
  | 'post'
  | 'cond'
  | 'seq'
  | 'await'
  | 'yield'
  | 'fn'
  | 'params'
  | 'param'
  | 'rest'
  | 'class'
  | 'method'
  | 'field'
  | 'extends';

/** Binding pattern kinds (an `id` is a pattern too). */
export type PatternKind = 'opat' | 'bind' | 'cbind' | 'apat' | 'dflt';

/** Syntax the lowering has no dedicated kind for: `ts:<SyntaxKind>` with lowered children. */
export type FallbackKind = `ts:${string}`;

/**
 * Every kind a tree can hold: what lower.ts produces, `none` for an absent optional child, and
 * `?` for a hole of anti-unification (cluster/antiunify.ts).
 */
export type KnownKind = StatementKind | ExpressionKind | PatternKind | 'none' | '?';
export type NodeKind = KnownKind | FallbackKind;

export interface NNode {
  k: NodeKind;
  v?: string;
  c: NNode[];
}

/** Every node has the same shape ({k, v, c}, v possibly undefined) so that property access stays monomorphic. */
export function mk(k: NodeKind, c: NNode[] = [], v?: string): NNode {
  return { k, v, c };
}

/**
 * The end of a switch that handles every known kind: only fallback kinds reach it, so adding a
 * kind to {@link KnownKind} without handling it is a compile error. Returns the kind.
 */
export function onlyFallback(k: FallbackKind): FallbackKind {
  return k;
}

export function id(name: string): NNode {
  return { k: 'id', v: name, c: [] };
}

export function none(): NNode {
  return { k: 'none', v: undefined, c: [] };
}

export function isNone(n: NNode | undefined): boolean {
  return n === undefined || n.k === 'none';
}

export function isId(n: NNode | undefined, name?: string): boolean {
  return n !== undefined && n.k === 'id' && (name === undefined || n.v === name);
}

/** `callee(args)` where callee is the identifier `name`. */
export function isCallTo(n: NNode | undefined, name: string): boolean {
  return n !== undefined && n.k === 'call' && isId(n.c[0], name);
}

/** `recv.method(args)`; returns the receiver or undefined. */
export function methodCall(n: NNode | undefined, method?: string): { recv: NNode; method: string; args: NNode[] } | undefined {
  if (!n || n.k !== 'call') return undefined;
  const callee = n.c[0];
  if (!callee || callee.k !== 'mem' || callee.v === undefined) return undefined;
  if (method !== undefined && callee.v !== method) return undefined;
  return { recv: callee.c[0], method: callee.v, args: n.c.slice(1) };
}

/** A function bound to a name: a declarator `decl{f, fn}` (`function f`, `const f = () => …`) or `f = function …`. */
export function functionBinding(n: NNode): { name: string; fn: NNode } | undefined {
  if (n.k !== 'decl' && !(n.k === 'assign' && n.v === '=')) return undefined;
  const target = n.c[0];
  const value = n.c[1];
  if (target === undefined || target.k !== 'id' || !target.v || value === undefined || value.k !== 'fn') return undefined;
  return { name: target.v, fn: value };
}

/** The name of a function declaration statement (`function f() {}`, lowered to `var(function){decl{f, fn}}`). */
export function declaredFunctionName(s: NNode): string | undefined {
  if (s.k !== 'var' || s.v !== 'function') return undefined;
  const target = s.c[0]?.c[0];
  return target !== undefined && target.k === 'id' ? target.v : undefined;
}

/**
 * The one declarator of a `let`/`const`/`var` statement that declares exactly one binding with an
 * initializer (`const x = e`): its target pattern and initializer. Function and class declarations
 * are not bindings here.
 */
export function soleBinding(s: NNode | undefined): { target: NNode; init: NNode } | undefined {
  if (s === undefined || s.k !== 'var' || s.v === 'function' || s.v === 'class' || s.c.length !== 1) return undefined;
  const d = s.c[0];
  const init = d.c[1];
  return init === undefined ? undefined : { target: d.c[0], init };
}

/**
 * An expression statement assigning to a bare name (`x = e`, `x += e`): the name, the operator and
 * the value. With `op`, only that operator.
 */
export function nameAssignment(s: NNode | undefined, op?: string): { name: string; op: string; value: NNode } | undefined {
  if (s === undefined || s.k !== 'expr') return undefined;
  const a = s.c[0];
  if (a === undefined || a.k !== 'assign' || a.v === undefined || (op !== undefined && a.v !== op)) return undefined;
  const target = a.c[0];
  if (target === undefined || target.k !== 'id' || target.v === undefined) return undefined;
  return { name: target.v, op: a.v, value: a.c[1] };
}

/** The catch clause of a `try` statement: its parameter pattern (or `none`) and its block. */
export function catchClause(t: NNode): { param: NNode; body: NNode } | undefined {
  if (t.k !== 'try') return undefined;
  const cat = t.c[1];
  return cat !== undefined && cat.k === 'catch' ? { param: cat.c[0], body: cat.c[1] } : undefined;
}

export type LoopKind = 'for' | 'forof' | 'forawait' | 'forin' | 'while' | 'do';

/** Index of a loop's body among its children. */
export const LOOP_BODY_INDEX: Readonly<Record<LoopKind, number>> = { for: 3, forof: 2, forawait: 2, forin: 2, while: 1, do: 0 };

export function isLoopKind(k: NodeKind): k is LoopKind {
  return k in LOOP_BODY_INDEX;
}

export function clone(n: NNode): NNode {
  return { k: n.k, v: n.v, c: n.c.map(clone) };
}

export function size(n: NNode): number {
  let s = 1;
  for (const ch of n.c) s += size(ch);
  return s;
}

export function depth(n: NNode): number {
  let d = 0;
  for (const ch of n.c) d = Math.max(d, depth(ch));
  return d + 1;
}

/** Structural equality (kinds, values, children). */
export function equal(a: NNode, b: NNode): boolean {
  if (a.k !== b.k || a.v !== b.v || a.c.length !== b.c.length) return false;
  for (let i = 0; i < a.c.length; i++) if (!equal(a.c[i], b.c[i])) return false;
  return true;
}

/** True if some node satisfies `pred`; `into` decides whether to descend into a node's children. */
export function some(n: NNode, pred: (node: NNode) => boolean, into: (node: NNode) => boolean = () => true): boolean {
  if (pred(n)) return true;
  if (!into(n)) return false;
  for (const ch of n.c) if (some(ch, pred, into)) return true;
  return false;
}

/** Calls `visit` on every node, parents before children. */
export function forEachNode(n: NNode, visit: (node: NNode) => void): void {
  visit(n);
  for (const ch of n.c) forEachNode(ch, visit);
}

export const STATEMENT_LIST_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['prog', 'block', 'case', 'default']);

/** Loops other than `for await` (which several passes leave alone). */
export const LOOP_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['for', 'forof', 'forin', 'while', 'do']);

/** Number of leading children of a statement-list node that are not statements (the `case` test). */
export function listStart(n: NNode): number {
  return n.k === 'case' ? 1 : 0;
}
