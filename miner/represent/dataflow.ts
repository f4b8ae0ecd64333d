/**
 * A coarse, name-based dataflow graph of one program, for describing its decomposition by role
 * rather than by syntax. Every binding, assignment and mutation (`xs.push(e)`, `m.set(k, e)`,
 * `o[k] = e`) adds edges from what the right-hand side reads to the name it writes; callbacks'
 * parameters read the collection they iterate; a local function's name reads its whole body.
 * Two sources are tracked through the graph: the input (`context`) and model output (any call to
 * `llm`, `llmBatch`, `rlm`, `rlmBatch`, `recursive_llm` or a `lib.*` function).
 *
 * Scopes are ignored on purpose: model-written orchestrators rarely shadow names, and a graph
 * that over-approximates a little is still a good description of what flows where.
 */
import ts from 'typescript';
import { MODEL_CALL_NAMES } from '../../src/contracts/sandbox-api.js';

/**
 * Functions whose result is model output: the sandbox API's, plus `rlmBatch` and the official RLM's
 * `llm_query` / `llm_query_batched`, so that imported logs from other runtimes read the same.
 */
export const MODEL_CALLS: ReadonlySet<string> = new Set([...MODEL_CALL_NAMES, 'rlmBatch', 'llm_query', 'llm_query_batched']);

/** What a value may carry. */
export interface Taint {
  input: boolean;
  model: boolean;
}

/** Methods that change their receiver in place (its value then depends on their arguments). */
const MUTATORS = new Set(['push', 'unshift', 'set', 'add', 'splice', 'concat', 'assign', 'sort', 'reverse', 'fill', 'copyWithin', 'delete', 'clear', 'pop', 'shift']);

/** The name a call expression calls: `llm`, `lib.foo` → `lib.foo`, `xs.map` → `.map`. */
export function calleeName(call: ts.CallExpression): string | undefined {
  const e = call.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) {
    if (ts.isIdentifier(e.expression) && e.expression.text === 'lib') return `lib.${e.name.text}`;
    return `.${e.name.text}`;
  }
  return undefined;
}

export function isModelCall(call: ts.CallExpression): boolean {
  const name = calleeName(call);
  return name !== undefined && (MODEL_CALLS.has(name) || name.startsWith('lib.'));
}

/** The root variable an lvalue or receiver expression is about: `a.b[c].d` → `a`. */
export function rootName(e: ts.Expression): string | undefined {
  return rootIdentifier(e)?.text;
}

export function rootIdentifier(e: ts.Expression): ts.Identifier | undefined {
  let cur: ts.Expression = e;
  for (;;) {
    if (ts.isIdentifier(cur)) return cur;
    if (ts.isPropertyAccessExpression(cur) || ts.isElementAccessExpression(cur)) cur = cur.expression;
    else if (ts.isParenthesizedExpression(cur) || ts.isNonNullExpression(cur) || ts.isAsExpression(cur)) cur = cur.expression;
    else if (ts.isCallExpression(cur) && ts.isPropertyAccessExpression(cur.expression)) cur = cur.expression.expression;
    else if (ts.isAwaitExpression(cur)) cur = cur.expression;
    else return undefined;
  }
}

const MODEL = '\u0000model';
const INPUT = 'context';

const isFunctionLike = (n: ts.Node): n is ts.FunctionLikeDeclaration =>
  ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n);
const isBlockScope = (n: ts.Node): boolean =>
  ts.isBlock(n) || ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isCatchClause(n) || ts.isSourceFile(n) || isFunctionLike(n);

/**
 * Resolves identifiers to their declarations by lexical scope (`let`/`const`/`class` per block,
 * `var`/`function` per function, parameters per function), so that the `x` of one callback is not
 * the `x` of another. Names declared nowhere (globals such as `context`, or names of earlier blocks
 * written without a declaration) resolve to themselves.
 */
class Scopes {
  private readonly declared = new Map<ts.Node, Set<string>>();

  constructor(file: ts.SourceFile) {
    const declare = (scope: ts.Node, name: ts.BindingName): void => {
      let set = this.declared.get(scope);
      if (!set) this.declared.set(scope, (set = new Set()));
      if (ts.isIdentifier(name)) set.add(name.text);
      else for (const el of name.elements) if (!ts.isOmittedExpression(el)) declare(scope, el.name);
    };
    const functionScope = (n: ts.Node): ts.Node => {
      for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (isFunctionLike(p) || ts.isSourceFile(p)) return p;
      return file;
    };
    const blockScope = (n: ts.Node): ts.Node => {
      for (let p: ts.Node | undefined = n.parent; p; p = p.parent) if (isBlockScope(p)) return p;
      return file;
    };
    const visit = (n: ts.Node): void => {
      if (ts.isVariableDeclaration(n)) {
        const list = n.parent;
        const isVar = ts.isVariableDeclarationList(list) && (list.flags & (ts.NodeFlags.Let | ts.NodeFlags.Const)) === 0;
        // `for (const x of xs)` declares x in the for statement's scope
        const owner = ts.isVariableDeclarationList(list) && (ts.isForOfStatement(list.parent) || ts.isForInStatement(list.parent) || ts.isForStatement(list.parent)) ? list.parent : undefined;
        declare(isVar ? functionScope(n) : (owner ?? blockScope(n)), n.name);
      } else if (ts.isFunctionDeclaration(n) && n.name) {
        declare(functionScope(n), n.name);
      } else if (ts.isParameter(n) && n.parent) {
        declare(n.parent, n.name);
      } else if (ts.isCatchClause(n) && n.variableDeclaration) {
        declare(n, n.variableDeclaration.name);
      } else if (ts.isClassDeclaration(n) && n.name) {
        declare(blockScope(n), n.name);
      }
      ts.forEachChild(n, visit);
    };
    visit(file);
  }

  /** A key unique to the declaration an identifier refers to (top-level names keep their text). */
  keyOf(id: ts.Identifier): string {
    const name = id.text;
    for (let p: ts.Node | undefined = id.parent; p; p = p.parent) {
      if (ts.isSourceFile(p)) return name;
      if (this.declared.get(p)?.has(name)) return `${name}@${p.pos}`;
    }
    return name;
  }
}

export class Dataflow {
  /** name → names (and the MODEL marker) it reads. */
  private readonly deps = new Map<string, Set<string>>();
  /** name → the expressions bound or assigned to it (for following literals into prompts). */
  readonly defs = new Map<string, ts.Node[]>();
  private taints = new Map<string, Taint>();
  private readonly scopes: Scopes;

  constructor(readonly file: ts.SourceFile) {
    this.scopes = new Scopes(file);
    this.visit(file);
    this.solve();
  }

  private readonly readsCache = new Map<ts.Node, Set<string>>();

  /** Names (and the model marker) an expression reads, nested functions included (memoized: do not mutate). */
  reads(node: ts.Node): Set<string> {
    const cached = this.readsCache.get(node);
    if (cached) return cached;
    const out = new Set<string>();
    this.readsCache.set(node, out);
    const walk = (n: ts.Node): void => {
      if (ts.isIdentifier(n)) {
        const p = n.parent;
        // property names and declared names are not reads
        if (p && ts.isPropertyAccessExpression(p) && p.name === n) return;
        if (p && ts.isPropertyAssignment(p) && p.name === n) return;
        out.add(this.key(n));
        return;
      }
      if (ts.isShorthandPropertyAssignment(n)) {
        out.add(this.key(n.name));
        return;
      }
      if (ts.isCallExpression(n) && isModelCall(n)) out.add(MODEL);
      ts.forEachChild(n, walk);
    };
    walk(node);
    return out;
  }

  /** The scoped key of an identifier (see {@link Scopes}). */
  key(id: ts.Identifier): string {
    return this.scopes.keyOf(id);
  }

  /**
   * What decides whether a write happens: the conditions of the `if`s, loops, ternaries and
   * switches around it (up to its function), e.g. `if (/yes/.test(v)) count++` makes `count`
   * depend on `v`.
   */
  private controlReads(n: ts.Node): Set<string> {
    const out = new Set<string>();
    let child: ts.Node = n;
    for (let p: ts.Node | undefined = n.parent; p && !ts.isSourceFile(p); child = p, p = p.parent) {
      if (ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isArrowFunction(p) || ts.isMethodDeclaration(p)) break;
      let cond: ts.Node | undefined;
      if (ts.isIfStatement(p) && child !== p.expression) cond = p.expression;
      else if ((ts.isWhileStatement(p) || ts.isDoStatement(p)) && child !== p.expression) cond = p.expression;
      else if (ts.isForStatement(p) && child === p.statement) cond = p.condition;
      else if ((ts.isForOfStatement(p) || ts.isForInStatement(p)) && child === p.statement) cond = p.expression;
      else if (ts.isConditionalExpression(p) && child !== p.condition) cond = p.condition;
      else if (ts.isSwitchStatement(p) && child !== p.expression) cond = p.expression;
      if (cond) for (const r of this.reads(cond)) out.add(r);
    }
    return out;
  }

  private addEdge(target: string | undefined, from: Iterable<string>, def?: ts.Node): void {
    if (!target) return;
    let set = this.deps.get(target);
    if (!set) this.deps.set(target, (set = new Set()));
    for (const f of from) if (f !== target) set.add(f);
    if (def) for (const f of this.controlReads(def)) if (f !== target) set.add(f);
    if (def) {
      const list = this.defs.get(target);
      if (list) list.push(def);
      else this.defs.set(target, [def]);
    }
  }

  private bindPattern(name: ts.BindingName, from: Set<string>, def?: ts.Node): void {
    if (ts.isIdentifier(name)) this.addEdge(this.key(name), from, def);
    else for (const el of name.elements) if (!ts.isOmittedExpression(el)) this.bindPattern(el.name, from, def);
  }

  private bindTarget(target: ts.Expression, from: Set<string>, def?: ts.Node): void {
    if (ts.isArrayLiteralExpression(target) || ts.isObjectLiteralExpression(target)) {
      for (const r of this.reads(target)) this.addEdge(r, from, def);
      return;
    }
    const root = rootIdentifier(target);
    // o[k] = v: the object depends on its keys as well as its values
    const keys = new Set(from);
    for (let cur: ts.Expression = target; ts.isElementAccessExpression(cur) || ts.isPropertyAccessExpression(cur); cur = cur.expression) {
      if (ts.isElementAccessExpression(cur)) for (const r of this.reads(cur.argumentExpression)) keys.add(r);
    }
    this.addEdge(root ? this.key(root) : undefined, keys, def);
  }

  private visit(n: ts.Node): void {
    if (ts.isVariableDeclaration(n) && n.initializer) {
      this.bindPattern(n.name, this.reads(n.initializer), n.initializer);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && n.operatorToken.kind <= ts.SyntaxKind.LastAssignment) {
      this.bindTarget(n.left, this.reads(n.right), n.right);
    } else if ((ts.isPostfixUnaryExpression(n) || ts.isPrefixUnaryExpression(n)) && (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)) {
      // counts[key]++: the counter depends on its key (and, like `n++`, on the conditions around it)
      if (ts.isElementAccessExpression(n.operand)) this.bindTarget(n.operand, this.reads(n.operand.argumentExpression), n);
      else this.bindTarget(n.operand, new Set(), n);
    } else if (ts.isFunctionDeclaration(n) && n.name && n.body) {
      this.addEdge(this.key(n.name), this.reads(n.body), n.body);
    } else if ((ts.isForOfStatement(n) || ts.isForInStatement(n)) && ts.isVariableDeclarationList(n.initializer)) {
      for (const d of n.initializer.declarations) this.bindPattern(d.name, this.reads(n.expression));
    } else if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const method = n.expression.name.text;
      const recv = n.expression.expression;
      if (MUTATORS.has(method)) {
        const from = new Set<string>();
        for (const a of n.arguments) for (const r of this.reads(a)) from.add(r);
        if (method === 'assign' && ts.isIdentifier(recv) && recv.text === 'Object' && n.arguments[0]) this.bindTarget(n.arguments[0], from, n);
        else this.bindTarget(recv, from, n);
      }
      {
        // a callback's parameters read the receiver it is called over (map, forEach, replace, then, ...)
        const recvReads = this.reads(recv);
        for (const a of n.arguments) {
          if (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) for (const p of a.parameters) this.bindPattern(p.name, recvReads);
        }
      }
    }
    // a local function called with arguments: its parameters read them
    if (ts.isCallExpression(n) && ts.isIdentifier(n.expression)) this.callArgs.push(n);
    if ((ts.isFunctionDeclaration(n) && n.name) || (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer && (ts.isArrowFunction(n.initializer) || ts.isFunctionExpression(n.initializer)))) {
      const name = ts.isFunctionDeclaration(n) ? n.name?.text : (n.name as ts.Identifier).text;
      const fn = ts.isFunctionDeclaration(n) ? n : (n.initializer as ts.ArrowFunction | ts.FunctionExpression);
      if (name) this.functions.set(name, fn);
    }
    ts.forEachChild(n, (c) => this.visit(c));
  }

  private readonly callArgs: ts.CallExpression[] = [];
  readonly functions = new Map<string, ts.FunctionDeclaration | ts.ArrowFunction | ts.FunctionExpression>();

  private solve(): void {
    for (const call of this.callArgs) {
      const fn = this.functions.get((call.expression as ts.Identifier).text);
      if (!fn) continue;
      fn.parameters.forEach((p, i) => {
        const arg = call.arguments[i];
        if (arg) this.bindPattern(p.name, this.reads(arg));
      });
    }
    // fixpoint over the graph: taint flows from the sources along the edges
    const taints = new Map<string, Taint>();
    const get = (name: string): Taint => {
      let t = taints.get(name);
      if (!t) taints.set(name, (t = { input: name === INPUT, model: name === MODEL }));
      return t;
    };
    let changed = true;
    for (let round = 0; changed && round < 50; round++) {
      changed = false;
      for (const [name, from] of this.deps) {
        const t = get(name);
        for (const f of from) {
          const s = get(f);
          if (s.input && !t.input) (t.input = true), (changed = true);
          if (s.model && !t.model) (t.model = true), (changed = true);
        }
      }
    }
    this.taints = taints;
  }

  /** What a name may carry after the whole program ran. */
  taintOf(name: string): Taint {
    return this.taints.get(name) ?? { input: name === INPUT, model: name === MODEL };
  }

  /** What an expression may carry: the union over what it reads. */
  taintOfExpr(e: ts.Node): Taint {
    const out: Taint = { input: false, model: false };
    for (const r of this.reads(e)) {
      const t = this.taintOf(r);
      out.input ||= t.input;
      out.model ||= t.model;
    }
    return out;
  }

  /** Names an expression reads, followed back through their definitions (up to `depth` hops). */
  closure(e: ts.Node, depth = 4): Set<string> {
    const seen = new Set<string>();
    let frontier = [...this.reads(e)];
    for (let d = 0; d < depth && frontier.length; d++) {
      const next: string[] = [];
      for (const name of frontier) {
        if (seen.has(name)) continue;
        seen.add(name);
        for (const dep of this.deps.get(name) ?? []) next.push(dep);
      }
      frontier = next;
    }
    return seen;
  }

  /** Does a name get (re)assigned from model output inside `scope`? */
  assignedFromModelWithin(name: string, scope: ts.Node): boolean {
    for (const def of this.defs.get(name) ?? []) {
      if (def.pos >= scope.pos && def.end <= scope.end && this.taintOfExpr(def).model) return true;
    }
    return false;
  }
}
