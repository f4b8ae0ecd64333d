/**
 * Name-level data-flow facts about a statement: which outer variables it reads, defines or may
 * mutate (through `x = ...`, `x.k = ...`, `x.push(...)`, `map.set(...)`, closures and calls of
 * local functions). Approximations always err towards more uses and more definitions, which makes
 * slicing keep more, never less.
 */
import { isKeptGlobal, MODEL_CALLS, PURE_METHODS, MUTATING_STATICS, JS_GLOBALS } from './names.js';
import { catchClause, functionBinding, methodCall, nameAssignment, type NNode } from './tree.js';

export interface Effects {
  /** Outer names read. */
  uses: Set<string>;
  /** Outer names unconditionally (re)bound by the statement itself (declarations, `x = e` at the top). */
  strong: Set<string>;
  /** Outer names that may be written or mutated. */
  weak: Set<string>;
  /** Names the statement declares in the enclosing scope. */
  declares: Set<string>;
  /** Contains a call of FINAL. */
  final: boolean;
  /** Contains a model call (llm, rlm, llmBatch) or a lib.* call. */
  modelCall: boolean;
  /** Contains break/continue that leave the statement, or return (outside nested functions). */
  jump: boolean;
  /** Contains a print (output only). */
  print: boolean;
}

function emptyEffects(): Effects {
  return { uses: new Set(), strong: new Set(), weak: new Set(), declares: new Set(), final: false, modelCall: false, jump: false, print: false };
}

/** Names bound by a binding pattern (declarations, parameters, loop targets). */
export function patternNames(p: NNode, out: string[] = []): string[] {
  switch (p.k) {
    case 'id':
      if (p.v !== undefined) out.push(p.v);
      break;
    case 'opat':
    case 'apat':
      for (const el of p.c) patternNames(el, out);
      break;
    case 'bind':
    case 'dflt':
    case 'rest':
    case 'param':
      if (p.c[0]) patternNames(p.c[0], out);
      break;
    case 'cbind':
      if (p.c[1]) patternNames(p.c[1], out);
      break;
    default:
      break;
  }
  return out;
}

const NO_NAMES: ReadonlySet<string> = new Set();

/** Names declared with let/const/function/class directly in a statement list. */
export function blockDecls(stmts: readonly NNode[], out: Set<string> = new Set()): Set<string> {
  for (const s of stmts) {
    if (s.k === 'var' && s.v !== 'var') for (const d of s.c) for (const n of patternNames(d.c[0])) out.add(n);
  }
  return out;
}

function blockDeclsOrEmpty(stmts: readonly NNode[], start: number): ReadonlySet<string> {
  let out: Set<string> | undefined;
  for (let i = start; i < stmts.length; i++) {
    const s = stmts[i];
    if (s.k === 'var' && s.v !== 'var') {
      out ??= new Set();
      for (const d of s.c) for (const n of patternNames(d.c[0])) out.add(n);
    }
  }
  return out ?? NO_NAMES;
}

/** `var` declarations anywhere in a function body (not crossing nested functions). */
export function hoistedVars(n: NNode, out: Set<string> = new Set()): Set<string> {
  if (n.k === 'fn' || n.k === 'class') return out;
  if (n.k === 'var' && n.v === 'var') for (const d of n.c) for (const name of patternNames(d.c[0])) out.add(name);
  if ((n.k === 'forof' || n.k === 'forin' || n.k === 'forawait') && n.v === 'var') for (const name of patternNames(n.c[0])) out.add(name);
  for (const ch of n.c) if (isStatementish(ch)) hoistedVars(ch, out);
  return out;
}

function isStatementish(n: NNode): boolean {
  switch (n.k) {
    case 'block':
    case 'var':
    case 'if':
    case 'for':
    case 'forof':
    case 'forawait':
    case 'forin':
    case 'while':
    case 'do':
    case 'try':
    case 'catch':
    case 'switch':
    case 'case':
    case 'default':
    case 'label':
      return true;
    default:
      return false;
  }
}

/**
 * The variable at the root of a member chain (`a` in `a.b[c].d`), if any. Method calls on the way
 * count as reads of the same object (`groups` in `groups.get(k).push(x)`), so mutations through
 * them are attributed to it (conservative for slicing).
 */
export function rootName(n: NNode): string | undefined {
  let cur: NNode | undefined = n;
  for (;;) {
    if (cur && (cur.k === 'mem' || cur.k === 'idx')) cur = cur.c[0];
    else if (methodCall(cur)) cur = methodCall(cur)?.recv;
    else break;
  }
  return cur && cur.k === 'id' ? cur.v : undefined;
}

/** Every function bound to a name anywhere in the program: `function f`, `const f = () => ...`, `f = function ...`. */
export function collectFunctions(roots: readonly NNode[]): Map<string, NNode> {
  const fns = new Map<string, NNode>();
  const walk = (n: NNode): void => {
    const bound = functionBinding(n);
    if (bound) fns.set(bound.name, bound.fn);
    for (const ch of n.c) walk(ch);
  };
  for (const r of roots) walk(r);
  return fns;
}

const GLOBAL_OBJECTS = new Set(['JSON', 'Math', 'Object', 'Array', 'Promise', 'Number', 'String', 'Date', 'Reflect', 'Intl', 'Symbol', 'BigInt', 'console']);

/**
 * Computes {@link Effects} of statements (and functions), with summaries of the local functions a
 * statement references. One instance per version of the tree (results are cached per node).
 */
export class EffectsAnalyzer {
  private readonly cache = new WeakMap<NNode, Effects>();
  private readonly summaries = new Map<string, Effects>();
  private readonly inProgress = new Set<string>();

  constructor(private readonly fns: ReadonlyMap<string, NNode>) {}

  effects(stmt: NNode): Effects {
    const hit = this.cache.get(stmt);
    if (hit) return hit;
    const w = new Walk(this);
    w.statementTop(stmt);
    this.cache.set(stmt, w.eff);
    return w.eff;
  }

  /** Effects of calling local function `name` (its free reads and writes). */
  summary(name: string): Effects | undefined {
    const fn = this.fns.get(name);
    if (!fn) return undefined;
    const done = this.summaries.get(name);
    if (done) return done;
    if (this.inProgress.has(name)) return undefined;
    this.inProgress.add(name);
    const w = new Walk(this);
    w.expr(fn);
    this.inProgress.delete(name);
    // Calling a function defines nothing strongly.
    for (const s of w.eff.strong) w.eff.weak.add(s);
    w.eff.strong.clear();
    w.eff.declares.clear();
    this.summaries.set(name, w.eff);
    return w.eff;
  }

  isFunction(name: string): boolean {
    return this.fns.has(name);
  }
}

class Walk {
  readonly eff: Effects = emptyEffects();
  private readonly scopes: ReadonlySet<string>[] = [];
  private fnDepth = 0;
  private loopDepth = 0;
  private readonly merged = new Set<string>();
  /** >0 while walking a function that is only defined here (its writes happen where it is called). */
  private definitionOnly = 0;

  constructor(private readonly an: EffectsAnalyzer) {}

  private isLocal(name: string): boolean {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i].has(name)) return true;
    return false;
  }

  private ref(name: string | undefined): void {
    if (name === undefined || this.isLocal(name)) return;
    this.eff.uses.add(name);
    if (this.an.isFunction(name) && !this.merged.has(name)) {
      this.merged.add(name);
      const s = this.an.summary(name);
      if (s) this.merge(s);
    }
  }

  private merge(s: Effects): void {
    for (const u of s.uses) this.eff.uses.add(u);
    for (const u of s.weak) this.eff.weak.add(u);
    this.eff.final ||= s.final;
    this.eff.modelCall ||= s.modelCall;
    this.eff.print ||= s.print;
  }

  private write(name: string | undefined, strong: boolean): void {
    if (name === undefined || this.isLocal(name) || this.definitionOnly > 0) return;
    if (strong) this.eff.strong.add(name);
    else this.eff.weak.add(name);
  }

  private mutate(target: NNode): void {
    const r = rootName(target);
    if (r !== undefined && !JS_GLOBALS.has(r)) this.write(r, false);
  }

  /** Entry point: `stmt` is a statement of the enclosing list. */
  statementTop(stmt: NNode): void {
    if (stmt.k === 'var') {
      this.varDecl(stmt, true);
      return;
    }
    const a = nameAssignment(stmt, '=');
    if (a) {
      this.expr(a.value);
      this.write(a.name, true);
      return;
    }
    this.stmt(stmt);
  }

  private varDecl(v: NNode, top: boolean): void {
    const outer = v.v === 'var' ? this.fnDepth === 0 : this.scopes.length === 0;
    for (const d of v.c) {
      if (d.c[1]?.k === 'fn' && d.c[0].k === 'id') {
        this.definitionOnly++;
        this.expr(d.c[1]);
        this.definitionOnly--;
      } else if (d.c[1]) this.expr(d.c[1]);
      this.patternDefaults(d.c[0]);
      for (const name of patternNames(d.c[0])) {
        if (outer && !this.isLocal(name)) {
          this.eff.declares.add(name);
          this.write(name, top && this.scopes.length === 0);
        } else this.write(name, false);
      }
    }
  }

  private patternDefaults(p: NNode): void {
    switch (p.k) {
      case 'opat':
      case 'apat':
        for (const el of p.c) this.patternDefaults(el);
        break;
      case 'bind':
      case 'dflt':
      case 'param':
        if (p.c[0]) this.patternDefaults(p.c[0]);
        if (p.c[1]) this.expr(p.c[1]);
        break;
      case 'cbind':
        if (p.c[0]) this.expr(p.c[0]);
        if (p.c[1]) this.patternDefaults(p.c[1]);
        if (p.c[2]) this.expr(p.c[2]);
        break;
      case 'rest':
        if (p.c[0]) this.patternDefaults(p.c[0]);
        break;
      default:
        break;
    }
  }

  private list(stmts: readonly NNode[], start = 0): void {
    this.scopes.push(blockDeclsOrEmpty(stmts, start));
    for (let i = start; i < stmts.length; i++) this.stmt(stmts[i]);
    this.scopes.pop();
  }

  stmt(s: NNode): void {
    switch (s.k) {
      case 'var':
        this.varDecl(s, false);
        return;
      case 'expr':
      case 'throw':
        this.expr(s.c[0]);
        return;
      case 'return':
        if (this.fnDepth === 0) this.eff.jump = true;
        if (s.c[0]) this.expr(s.c[0]);
        return;
      case 'break':
      case 'continue':
        if (this.fnDepth === 0 && (this.loopDepth === 0 || s.v !== undefined)) this.eff.jump = true;
        return;
      case 'block':
        this.list(s.c);
        return;
      case 'prog':
        this.list(s.c);
        return;
      case 'if':
        this.expr(s.c[0]);
        for (let i = 1; i < s.c.length; i++) this.stmt(s.c[i]);
        return;
      case 'for': {
        const scope = new Set<string>();
        if (s.c[0].k === 'var' && s.c[0].v !== 'var') for (const d of s.c[0].c) for (const n of patternNames(d.c[0])) scope.add(n);
        this.scopes.push(scope);
        if (s.c[0].k === 'var') this.varDecl(s.c[0], false);
        else if (s.c[0].k !== 'none') this.expr(s.c[0]);
        if (s.c[1].k !== 'none') this.expr(s.c[1]);
        if (s.c[2].k !== 'none') this.expr(s.c[2]);
        this.loopDepth++;
        this.stmt(s.c[3]);
        this.loopDepth--;
        this.scopes.pop();
        return;
      }
      case 'forof':
      case 'forawait':
      case 'forin': {
        this.expr(s.c[1]);
        const isDecl = s.v !== '' && s.v !== undefined;
        const scope = new Set<string>();
        if (isDecl && s.v !== 'var') for (const n of patternNames(s.c[0])) scope.add(n);
        this.scopes.push(scope);
        if (isDecl) {
          this.patternDefaults(s.c[0]);
          if (s.v === 'var') for (const n of patternNames(s.c[0])) this.write(n, false);
        } else this.target(s.c[0], false);
        this.loopDepth++;
        this.stmt(s.c[2]);
        this.loopDepth--;
        this.scopes.pop();
        return;
      }
      case 'while':
        this.expr(s.c[0]);
        this.loopDepth++;
        this.stmt(s.c[1]);
        this.loopDepth--;
        return;
      case 'do':
        this.loopDepth++;
        this.stmt(s.c[0]);
        this.loopDepth--;
        this.expr(s.c[1]);
        return;
      case 'try':
        this.stmt(s.c[0]);
        const cat = catchClause(s);
        if (cat) {
          const scope = new Set<string>(cat.param.k === 'none' ? [] : patternNames(cat.param));
          this.scopes.push(scope);
          this.stmt(cat.body);
          this.scopes.pop();
        }
        if (s.c[2].k !== 'none') this.stmt(s.c[2]);
        return;
      case 'switch':
        this.expr(s.c[0]);
        this.loopDepth++; // `break` inside a switch stays inside it
        for (let i = 1; i < s.c.length; i++) {
          const cl = s.c[i];
          if (cl.k === 'case') {
            this.expr(cl.c[0]);
            this.list(cl.c, 1);
          } else this.list(cl.c);
        }
        this.loopDepth--;
        return;
      case 'label':
        for (const ch of s.c) this.stmt(ch);
        return;
      case 'none':
        return;
      default:
        this.expr(s);
    }
  }

  /** An assignment target (expression form). */
  private target(t: NNode, strong: boolean): void {
    switch (t.k) {
      case 'id':
        this.write(t.v, strong);
        return;
      case 'mem':
        this.expr(t.c[0]);
        this.mutate(t);
        return;
      case 'idx':
        this.expr(t.c[0]);
        this.expr(t.c[1]);
        this.mutate(t);
        return;
      case 'arr':
        for (const el of t.c) this.target(el, false);
        return;
      case 'obj':
        for (const p of t.c) {
          if (p.k === 'prop' || p.k === 'spread') this.target(p.c[0], false);
          else if (p.k === 'cprop') {
            this.expr(p.c[0]);
            this.target(p.c[1], false);
          }
        }
        return;
      case 'spread':
        this.target(t.c[0], false);
        return;
      case 'assign':
        this.target(t.c[0], false);
        this.expr(t.c[1]);
        return;
      case 'hole':
        return;
      default:
        this.expr(t);
    }
  }

  expr(e: NNode | undefined): void {
    if (!e) return;
    switch (e.k) {
      case 'id':
        this.ref(e.v);
        return;
      case 'str':
      case 'num':
      case 're':
      case 'bool':
      case 'null':
      case 'this':
      case 'super':
      case 'tstr':
      case 'hole':
      case 'none':
        return;
      case 'mem':
        this.expr(e.c[0]);
        return;
      case 'call':
        this.call(e);
        return;
      case 'assign':
        if (e.v !== '=' ) this.expr(e.c[0]);
        this.expr(e.c[1]);
        this.target(e.c[0], false);
        return;
      case 'pre':
      case 'post':
        this.expr(e.c[0]);
        if (e.v === '++' || e.v === '--' || e.v === 'delete') this.target(e.c[0], false);
        return;
      case 'fn':
        this.fn(e);
        return;
      case 'class':
        for (const m of e.c) for (const ch of m.c) this.expr(ch);
        return;
      case 'prop':
        this.expr(e.c[0]);
        return;
      default:
        for (const ch of e.c) {
          if (isStatementish(ch) || ch.k === 'expr' || ch.k === 'return' || ch.k === 'throw') this.stmt(ch);
          else this.expr(ch);
        }
    }
  }

  private call(e: NNode): void {
    const callee = e.c[0];
    for (const ch of e.c) this.expr(ch);
    if (callee.k === 'id' && callee.v !== undefined && !this.isLocal(callee.v)) {
      const name = callee.v;
      if (name === 'FINAL' || name === 'FINAL_VAR') this.eff.final = true;
      else if (MODEL_CALLS.has(name)) this.eff.modelCall = true;
      else if (name === 'print') this.eff.print = true;
      if (!isKeptGlobal(name)) {
        // An unknown or local function may mutate what it is given.
        for (let i = 1; i < e.c.length; i++) this.mutateArg(e.c[i]);
      }
      return;
    }
    if (callee.k === 'mem') {
      const recv = callee.c[0];
      const method = callee.v ?? '';
      if (recv.k === 'id' && recv.v === 'lib' && !this.isLocal('lib')) {
        this.eff.modelCall = true;
        for (let i = 1; i < e.c.length; i++) this.mutateArg(e.c[i]);
        return;
      }
      if (recv.k === 'id' && recv.v !== undefined && GLOBAL_OBJECTS.has(recv.v) && !this.isLocal(recv.v)) {
        if (MUTATING_STATICS.has(`${recv.v}.${method}`) && e.c[1]) this.mutateArg(e.c[1]);
        return;
      }
      if (!PURE_METHODS.has(method)) this.mutate(recv);
      return;
    }
    // Calls of computed callees: be conservative with the arguments.
    if (callee.k !== 'fn') for (let i = 1; i < e.c.length; i++) this.mutateArg(e.c[i]);
  }

  private mutateArg(a: NNode): void {
    const target = a.k === 'spread' ? a.c[0] : a;
    if (target.k === 'id' || target.k === 'mem' || target.k === 'idx') this.mutate(target);
  }

  private fn(f: NNode): void {
    const [name, params, body] = f.c;
    const scope = new Set<string>();
    if (name && name.k === 'id' && name.v) scope.add(name.v);
    for (const p of params.c) for (const n of patternNames(p)) scope.add(n);
    if (body.k === 'block') {
      hoistedVars(body, scope);
      blockDecls(body.c, scope);
    }
    this.scopes.push(scope);
    this.fnDepth++;
    const savedLoop = this.loopDepth;
    this.loopDepth = 0;
    for (const p of params.c) this.patternDefaults(p);
    if (body.k === 'block') for (const s of body.c) this.stmt(s);
    else this.expr(body);
    this.loopDepth = savedLoop;
    this.fnDepth--;
    this.scopes.pop();
  }
}
