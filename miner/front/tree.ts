/**
 * The miner's own syntax tree: a small, uniform, JSON-serializable tree that the TypeScript AST is
 * lowered into (types stripped, parentheses dropped). Every later pass (slice, canonicalize, rename,
 * skeleton, embed, anti-unification) works on it.
 *
 * Node kinds (children in `c`, in source order):
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
export interface NNode {
  k: string;
  v?: string;
  c: NNode[];
}

/** Every node has the same shape ({k, v, c}, v possibly undefined) so that property access stays monomorphic. */
export function mk(k: string, c: NNode[] = [], v?: string): NNode {
  return { k, v, c };
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

export const STATEMENT_LIST_KINDS: ReadonlySet<string> = new Set(['prog', 'block', 'case', 'default']);

export const LOOP_KINDS: ReadonlySet<string> = new Set(['for', 'forof', 'forin', 'while', 'do']);

/** Number of leading children of a statement-list node that are not statements (the `case` test). */
export function listStart(n: NNode): number {
  return n.k === 'case' ? 1 : 0;
}
