/**
 * Lifting a normalized program to the skeleton of its decomposition: the pipeline that the answer
 * flows through (e.g. `split(lines) |> filter(match) |> map(llm) |> count |> FINAL`), how the
 * number of model calls grows with the input, the prompt templates, and the library calls.
 * When the answer was typed after reading printed output (the slice kept those prints), the
 * pipeline runs through the prints: `... |> print |> FINAL`.
 *
 * Input: the canonical, positionally renamed tree (one name per binding) with literal values.
 */
import { printNode } from './print.js';
import { isId, methodCall, some, type NNode } from './tree.js';
import { PURE_METHODS } from './names.js';
import type { GrowthClass, PromptTemplate, Skeleton } from './types.js';

const MAX_CHAIN_DEPTH = 60;
/** Work budget for lifting one program (guards pathological call graphs). */
const MAX_STEPS = 5_000;

const ITERATING_METHODS = new Set(['map', 'flatMap', 'filter', 'forEach', 'reduce', 'reduceRight', 'find', 'findIndex', 'findLast', 'some', 'every', 'sort', 'toSorted']);

interface Def {
  /** The value bound or assigned (undefined for mutations). */
  value?: NNode;
  /** Enclosing loops (outermost first) inside the statement where the definition happens. */
  loops: NNode[];
  mutation: boolean;
}

/** Facts gathered in one walk over the tree. */
class Facts {
  readonly defs = new Map<string, Def[]>();
  readonly fns = new Map<string, NNode>();
  readonly loopVar = new Map<string, NNode>();
  /** Parameter name → the function it belongs to and its position. */
  readonly params = new Map<string, { fn: NNode; index: number }>();
  /** Callback function → the method call it is passed to. */
  readonly callbackOf = new Map<NNode, { recv: NNode; method: string }>();
  /** Local function name → call nodes. */
  readonly callsOf = new Map<string, NNode[]>();
  readonly modelCalls: { call: NNode; frames: Frame[] }[] = [];
  /** Local function name → frames of every place it is referenced (outside its own body). */
  readonly refsOf = new Map<string, Frame[][]>();
  finals: NNode[] = [];
  /** `print(...)` calls (only those the slice kept: the values a typed answer was read from). */
  prints: NNode[] = [];

  constructor(root: NNode) {
    this.walk(root);
  }

  private addDef(name: string | undefined, d: Def): void {
    if (!name) return;
    const list = this.defs.get(name);
    if (list) list.push(d);
    else this.defs.set(name, [d]);
  }

  private readonly loops: NNode[] = [];
  private readonly frames: Frame[] = [];

  private withFrame(frame: Frame, loop: NNode | undefined, f: () => void): void {
    this.frames.push(frame);
    if (loop) this.loops.push(loop);
    f();
    if (loop) this.loops.pop();
    this.frames.pop();
  }

  private walk(n: NNode): void {
    switch (n.k) {
      case 'decl': {
        const t = n.c[0];
        if (t.k === 'id' && t.v) {
          if (n.c[1]?.k === 'fn') this.fns.set(t.v, n.c[1]);
          this.addDef(t.v, { value: n.c[1], loops: this.loops.slice(), mutation: false });
        } else for (const nm of namesIn(t)) this.addDef(nm, { value: n.c[1], loops: this.loops.slice(), mutation: false });
        break;
      }
      case 'assign': {
        const t = n.c[0];
        if (t.k === 'id') this.addDef(t.v, { value: n.v === '=' ? n.c[1] : undefined, loops: this.loops.slice(), mutation: n.v !== '=' });
        else {
          const r = rootOf(t);
          if (r) this.addDef(r, { loops: this.loops.slice(), mutation: true, value: n.c[1] });
        }
        break;
      }
      case 'call': {
        const callee = n.c[0];
        if (callee.k === 'id' && callee.v) {
          const nm = callee.v;
          if (nm === 'llm' || nm === 'rlm' || nm === 'llmBatch') this.modelCalls.push({ call: n, frames: this.frames.slice() });
          else if (nm === 'FINAL') this.finals.push(n);
          else if (nm === 'print') this.prints.push(n);
          const list = this.callsOf.get(nm);
          if (list) list.push(n);
          else this.callsOf.set(nm, [n]);
        }
        const m = methodCall(n);
        if (m) {
          if (isId(m.recv, 'lib')) this.modelCalls.push({ call: n, frames: this.frames.slice() });
          else if (!isId(m.recv, 'Math') && !isId(m.recv, 'JSON') && !isId(m.recv, 'Object') && !isId(m.recv, 'Promise') && !isId(m.recv, 'Array')) {
            const r = rootOf(m.recv);
            if (r && !PURE_METHODS.has(m.method)) {
              this.addDef(r, { loops: this.loops.slice(), mutation: true, value: m.args[0] });
            }
          }
          for (const a of m.args) if (a.k === 'fn') this.callbackOf.set(a, { recv: m.recv, method: m.method });
          if (ITERATING_METHODS.has(m.method)) {
            const frame: Frame = { kind: 'method', collection: m.recv };
            this.walk(n.c[0]);
            for (let i = 1; i < n.c.length; i++) {
              const a = n.c[i];
              if (a.k === 'fn' || a.k === 'id') this.withFrame(frame, undefined, () => this.walk(a));
              else this.walk(a);
            }
            return;
          }
        }
        break;
      }
      case 'id':
        if (n.v && this.isFnName(n.v)) {
          const list = this.refsOf.get(n.v);
          const snapshot = this.frames.slice();
          if (list) list.push(snapshot);
          else this.refsOf.set(n.v, [snapshot]);
        }
        break;
      case 'fn': {
        n.c[1].c.forEach((p, index) => {
          for (const nm of namesIn(p)) this.params.set(nm, { fn: n, index });
        });
        const saved = this.loops.splice(0, this.loops.length);
        this.withFrame({ kind: 'fn', fn: n }, undefined, () => {
          for (const ch of n.c) this.walk(ch);
        });
        this.loops.push(...saved);
        return;
      }
      case 'forof':
      case 'forawait':
      case 'forin': {
        for (const nm of namesIn(n.c[0])) this.loopVar.set(nm, n);
        this.walk(n.c[1]);
        this.withFrame({ kind: 'loop', loop: n, collection: n.c[1] }, n, () => {
          this.walk(n.c[0]);
          this.walk(n.c[2]);
        });
        return;
      }
      case 'for':
      case 'while':
      case 'do': {
        const frame: Frame = { kind: 'loop', loop: n, collection: n.k === 'for' ? n.c[1] : n.k === 'while' ? n.c[0] : n.c[1] };
        this.withFrame(frame, n, () => {
          for (const ch of n.c) this.walk(ch);
        });
        return;
      }
      default:
        break;
    }
    for (const ch of n.c) this.walk(ch);
  }

  private isFnName(name: string): boolean {
    return name.length >= 2 && name.charCodeAt(0) === 102 /* f */ && name.charCodeAt(1) >= 48 && name.charCodeAt(1) <= 57;
  }
}

type Frame = { kind: 'method'; collection: NNode } | { kind: 'loop'; loop: NNode; collection: NNode } | { kind: 'fn'; fn: NNode };

function namesIn(p: NNode): string[] {
  const out: string[] = [];
  const walk = (n: NNode): void => {
    if (n.k === 'id' && n.v) out.push(n.v);
    else if (n.k === 'bind' || n.k === 'dflt' || n.k === 'rest' || n.k === 'param') walk(n.c[0]);
    else if (n.k === 'cbind') walk(n.c[1]);
    else if (n.k === 'opat' || n.k === 'apat') n.c.forEach(walk);
  };
  walk(p);
  return out;
}

function rootOf(n: NNode): string | undefined {
  let cur: NNode | undefined = n;
  while (cur && (cur.k === 'mem' || cur.k === 'idx')) cur = cur.c[0];
  return cur && cur.k === 'id' ? cur.v : undefined;
}

function longest(chains: string[][]): string[] {
  let best: string[] = [];
  for (const c of chains) if (c.length > best.length) best = c;
  return best;
}

/** Coarse class of a split separator: lines, sections (blank lines, headings), words, sentences, chars, other. */
function splitKind(arg: NNode | undefined): string {
  if (!arg) return 'chars';
  let v: string;
  if (arg.k === 'str') {
    v = arg.v ?? '';
    if (v === '') return 'chars';
  } else if (arg.k === 're') {
    const body = arg.v ?? '';
    v = body.slice(1, body.lastIndexOf('/'));
    v = v.replace(/\\n/g, '\n').replace(/\\r/g, '\r').replace(/\\s/g, ' ');
  } else return 'other';
  const newlines = (v.match(/\n/g) ?? []).length;
  if (newlines >= 2 || /\n(\{2|\+|\s\*\n| \*\n)|\n\(\?=|#/.test(v)) return 'sections';
  if (newlines === 1) return 'lines';
  if (/^[\s ]+[+*]?$/.test(v)) return 'words';
  if (/[.!?]/.test(v)) return 'sentences';
  return 'other';
}

class Lifter {
  private readonly subst = new Map<string, string[]>();
  private readonly active = new Set<string>();
  private readonly visiting = new Set<NNode>();
  /** Chains computed under the current parameter substitution (cleared when it changes). */
  private memo = new Map<NNode, string[]>();
  private steps = 0;

  constructor(private readonly f: Facts) {}

  /** What a callback does: 'rlm' | 'llm' | 'lib' | 'code'. */
  classify(n: NNode | undefined, seen: Set<string> = new Set()): string {
    if (!n) return 'code';
    let target: NNode | undefined = n;
    if (n.k === 'id' && n.v) {
      target = this.f.fns.get(n.v);
      if (!target) return 'code';
    }
    let kind = 'code';
    some(target, (x) => {
      if (x.k !== 'call') return false;
      const c = x.c[0];
      if (isId(c, 'rlm')) kind = 'rlm';
      else if ((isId(c, 'llm') || isId(c, 'llmBatch')) && kind !== 'rlm') kind = 'llm';
      else if (c.k === 'mem' && isId(c.c[0], 'lib') && kind === 'code') kind = 'lib';
      else if (c.k === 'id' && c.v && this.f.fns.has(c.v) && !seen.has(c.v) && kind === 'code') {
        seen.add(c.v);
        const inner = this.classify(c, seen);
        if (inner !== 'code') kind = inner;
      }
      return kind === 'rlm';
    });
    return kind;
  }

  /** What a predicate does: 'llm' | 'rlm' | 'match' | 'code'. */
  classifyPredicate(n: NNode | undefined): string {
    const k = this.classify(n);
    if (k !== 'code') return k;
    if (!n) return 'code';
    const target = n.k === 'id' && n.v ? this.f.fns.get(n.v) : n;
    if (!target) return 'code';
    const isMatch = some(target, (x) => {
      const m = methodCall(x);
      if (!m) return false;
      return ['test', 'match', 'search', 'includes', 'startsWith', 'endsWith', 'indexOf', 'matchAll'].includes(m.method);
    });
    return isMatch ? 'match' : 'code';
  }

  private loopOp(loop: NNode): string {
    const body = loop.k === 'for' ? loop.c[3] : loop.k === 'while' ? loop.c[1] : loop.k === 'do' ? loop.c[0] : loop.c[2];
    const exits = some(body, (x) => x.k === 'break' || x.k === 'return', (x) => x.k !== 'fn');
    return `${exits ? 'search' : 'loop'}(${this.classify(body)})`;
  }

  private loopSource(loop: NNode, depth: number): string[] {
    if (loop.k === 'forof' || loop.k === 'forawait' || loop.k === 'forin') return this.chain(loop.c[1], depth + 1);
    const cond = loop.k === 'for' ? loop.c[1] : loop.k === 'while' ? loop.c[0] : loop.c[1];
    return this.chain(cond, depth + 1);
  }

  private defChain(d: Def, depth: number): string[] {
    if (d.loops.length > 0) {
      const outer = d.loops[0];
      return [...this.loopSource(outer, depth), this.loopOp(outer)];
    }
    if (d.value && d.value.k !== 'fn') return this.chain(d.value, depth + 1);
    return [];
  }

  chain(e: NNode | undefined, depth = 0): string[] {
    if (!e || depth > MAX_CHAIN_DEPTH || this.visiting.has(e) || this.steps > MAX_STEPS) return [];
    this.steps++;
    const hit = this.memo.get(e);
    if (hit) return hit;
    this.visiting.add(e);
    try {
      const r = this.chainOf(e, depth);
      this.memo.set(e, r);
      return r;
    } finally {
      this.visiting.delete(e);
    }
  }

  private chainOf(e: NNode, depth: number): string[] {
    switch (e.k) {
      case 'id':
        return this.idChain(e.v ?? '', depth);
      case 'call':
        return this.callChain(e, depth);
      case 'mem': {
        const base = this.chain(e.c[0], depth + 1);
        if (e.v === 'length') return [...base, 'count'];
        if (isId(e.c[0], 'context')) return [...base, 'get'];
        return base;
      }
      case 'idx':
        return [...this.chain(e.c[0], depth + 1), 'index'];
      case 'fn':
        return [];
      case 'cond': {
        const branches = longest([this.chain(e.c[1], depth + 1), this.chain(e.c[2], depth + 1)]);
        return branches.length > 0 ? branches : this.chain(e.c[0], depth + 1);
      }
      default:
        return longest(e.c.map((c) => this.chain(c, depth + 1)));
    }
  }

  private idChain(name: string, depth: number): string[] {
    if (name === 'context') return [];
    const s = this.subst.get(name);
    if (s) return s;
    const lv = this.f.loopVar.get(name);
    if (lv) return this.chain(lv.c[1], depth + 1);
    const p = this.f.params.get(name);
    if (p) {
      const cb = this.f.callbackOf.get(p.fn);
      if (cb) return p.index === 0 || cb.method === 'reduce' ? this.chain(cb.recv, depth + 1) : [];
      return [];
    }
    const defs = this.f.defs.get(name);
    if (!defs) return [];
    return longest(defs.map((d) => this.defChain(d, depth)));
  }

  private returnExprs(fn: NNode): NNode[] {
    const body = fn.c[2];
    if (body.k !== 'block') return [body];
    const out: NNode[] = [];
    some(
      body,
      (x) => {
        if (x.k === 'return' && x.c[0]) out.push(x.c[0]);
        return false;
      },
      (x) => x.k !== 'fn',
    );
    return out;
  }

  private localCall(name: string, fn: NNode, args: NNode[], depth: number): string[] {
    const argChains = args.map((a) => this.chain(a, depth + 1));
    if (this.active.has(name)) return [...longest(argChains), `recurse(${this.classify(fn)})`];
    const recursive = some(fn.c[2], (x) => isId(x, name));
    if (recursive) return [...longest(argChains), `recurse(${this.classify(fn)})`];
    this.active.add(name);
    const savedMemo = this.memo;
    this.memo = new Map();
    const params = fn.c[1].c;
    const bound: string[] = [];
    params.forEach((p, i) => {
      for (const nm of namesIn(p)) {
        this.subst.set(nm, argChains[i] ?? []);
        bound.push(nm);
      }
    });
    const result = longest(this.returnExprs(fn).map((r) => this.chain(r, depth + 1)));
    for (const nm of bound) this.subst.delete(nm);
    this.memo = savedMemo;
    this.active.delete(name);
    return result.length > 0 ? result : [...longest(argChains), `call(${this.classify(fn)})`];
  }

  private callChain(e: NNode, depth: number): string[] {
    const callee = e.c[0];
    const args = e.c.slice(1);
    if (callee.k === 'id') {
      const nm = callee.v ?? '';
      switch (nm) {
        case 'llm':
        case 'rlm':
          return [...(args[1] ? this.chain(args[1], depth + 1) : longest(args.map((a) => this.chain(a, depth + 1)))), nm];
        case 'llmBatch':
          return [...this.chain(args[0], depth + 1), 'map(llm)'];
        case '$chunk':
          return [...this.chain(args[0], depth + 1), 'chunk'];
        case 'FINAL':
          return [...this.chain(args[0], depth + 1), 'FINAL'];
        default: {
          const fn = this.f.fns.get(nm);
          if (fn) return this.localCall(nm, fn, args, depth);
          return longest(args.map((a) => this.chain(a, depth + 1)));
        }
      }
    }
    if (callee.k === 'fn') return this.localCall('<iife>', callee, args, depth);
    const m = methodCall(e);
    if (!m) return longest(args.map((a) => this.chain(a, depth + 1)));
    if (isId(m.recv, 'lib')) return [...longest(args.map((a) => this.chain(a, depth + 1))), `lib.${m.method}`];
    if (isId(m.recv, 'JSON')) return [...this.chain(args[0], depth + 1), ...(m.method === 'parse' ? ['parse(json)'] : [])];
    if (isId(m.recv, 'Object')) return [...this.chain(args[0], depth + 1), ...(['keys', 'values', 'entries'].includes(m.method) ? ['items'] : [])];
    if (isId(m.recv, 'Array') || isId(m.recv, 'Promise') || isId(m.recv, 'Math')) return longest(args.map((a) => this.chain(a, depth + 1)));
    const base = this.chain(m.recv, depth + 1);
    if (m.method === 'slice' && args.some((a) => halvedInput(a, [], this.f))) return [...base, 'halve'];
    const op = this.methodOp(m.method, args);
    return op ? [...base, op] : base;
  }

  private methodOp(method: string, args: NNode[]): string | undefined {
    switch (method) {
      case 'split':
        return `split(${splitKind(args[0])})`;
      case 'map':
      case 'flatMap':
        return `map(${this.classify(args[0])})`;
      case 'forEach':
        return `each(${this.classify(args[0])})`;
      case 'filter':
        return `filter(${this.classifyPredicate(args[0])})`;
      case 'reduce':
      case 'reduceRight':
        return `reduce(${this.classify(args[0])})`;
      case 'find':
      case 'findIndex':
      case 'findLast':
      case 'some':
      case 'every':
        return `find(${this.classifyPredicate(args[0])})`;
      case 'join':
        return 'join';
      case 'sort':
      case 'toSorted':
        return 'sort';
      case 'slice':
        return 'slice';
      case 'includes':
      case 'test':
      case 'match':
      case 'matchAll':
      case 'search':
      case 'startsWith':
      case 'endsWith':
        return 'match';
      case 'keys':
      case 'values':
      case 'entries':
        return 'items';
      case 'get':
        return 'get';
      default:
        return undefined;
    }
  }
}

/** Halving: `x / 2`, `x >> 1`, `x * 0.5`. */
function halves(n: NNode): boolean {
  return some(
    n,
    (x) =>
      x.k === 'bin' &&
      ((x.v === '/' && x.c[1].k === 'num' && Number(x.c[1].v) === 2) ||
        (x.v === '>>' && x.c[1].k === 'num' && Number(x.c[1].v) === 1) ||
        (x.v === '*' && x.c[1].k === 'num' && Number(x.c[1].v) === 0.5)),
  );
}

/** The input of an rlm call is a half of something: halving in the argument, in the definition of a name it uses, or in the enclosing function. */
function halvedInput(arg: NNode, frames: Frame[], f: Facts): boolean {
  if (halves(arg)) return true;
  const viaDefs = some(arg, (x) => {
    if (x.k !== 'id' || !x.v) return false;
    const defs = f.defs.get(x.v);
    return defs !== undefined && defs.some((d) => d.value !== undefined && d.value.k !== 'fn' && halves(d.value));
  });
  if (viaDefs) return true;
  const fnFrame = [...frames].reverse().find((fr): fr is Extract<Frame, { kind: 'fn' }> => fr.kind === 'fn');
  return fnFrame !== undefined && halves(fnFrame.fn);
}

function constantBound(frame: Frame): boolean {
  if (frame.kind === 'fn') return true;
  const c = frame.collection;
  if (frame.kind === 'method') return c.k === 'arr' && !c.c.some((x) => x.k === 'spread');
  const loop = frame.loop;
  if (loop.k === 'forof' || loop.k === 'forin' || loop.k === 'forawait') return c.k === 'arr' && !c.c.some((x) => x.k === 'spread');
  if (loop.k === 'for') return c.k === 'bin' && (c.v === '<' || c.v === '<=') && c.c[1].k === 'num';
  return false;
}

function growthOf(f: Facts): GrowthClass {
  const fnFrames = (fn: NNode): string | undefined => {
    for (const [name, node] of f.fns) if (node === fn) return name;
    return undefined;
  };
  const memo = new Map<string, 'iterated' | 'recursive' | 'once'>();
  const fnContext = (name: string, stack: Set<string>): 'iterated' | 'recursive' | 'once' => {
    const hit = memo.get(name);
    if (hit) return hit;
    if (stack.has(name)) return 'recursive';
    stack.add(name);
    let result: 'iterated' | 'recursive' | 'once' = 'once';
    const fn = f.fns.get(name);
    for (const frames of f.refsOf.get(name) ?? []) {
      const r = framesContext(frames, stack, fn);
      if (r === 'iterated') {
        result = 'iterated';
        break;
      }
      if (r === 'recursive') result = 'recursive';
    }
    stack.delete(name);
    memo.set(name, result);
    return result;
  };
  const framesContext = (frames: Frame[], stack: Set<string>, self?: NNode): 'iterated' | 'recursive' | 'once' => {
    let result: 'iterated' | 'recursive' | 'once' = 'once';
    for (const fr of frames) {
      if (fr.kind !== 'fn') {
        if (!constantBound(fr)) return 'iterated';
        continue;
      }
      if (self && fr.fn === self) {
        result = 'recursive';
        continue;
      }
      const name = fnFrames(fr.fn);
      if (name) {
        const r = fnContext(name, stack);
        if (r === 'iterated') return 'iterated';
        if (r === 'recursive') result = 'recursive';
      }
    }
    return result;
  };
  let growth: GrowthClass = 'constant';
  for (const site of f.modelCalls) {
    const ctx = framesContext(site.frames, new Set());
    if (ctx === 'iterated') return 'linear';
    if (ctx === 'recursive') {
      const fnFrame = [...site.frames].reverse().find((fr): fr is Extract<Frame, { kind: 'fn' }> => fr.kind === 'fn');
      growth = fnFrame && halves(fnFrame.fn) ? 'logarithmic' : 'linear';
      if (growth === 'linear') return growth;
    } else if (isId(site.call.c[0], 'rlm') && site.call.c[2] && halvedInput(site.call.c[2], site.frames, f)) {
      growth = 'logarithmic';
    }
  }
  return growth;
}

function templateOf(q: NNode | undefined, f: Facts, depth = 0): { parts: string[]; holes: string[] } {
  if (!q) return { parts: [''], holes: [] };
  if (q.k === 'str') return { parts: [q.v ?? ''], holes: [] };
  if (q.k === 'tpl') {
    const parts: string[] = [];
    const holes: string[] = [];
    for (let i = 0; i < q.c.length; i++) {
      if (i % 2 === 0) parts.push(q.c[i].v ?? '');
      else holes.push(printNode(q.c[i]));
    }
    return { parts, holes };
  }
  if (q.k === 'id' && q.v && depth < 5) {
    const defs = f.defs.get(q.v);
    if (defs && defs.length === 1 && defs[0].value && !defs[0].mutation) return templateOf(defs[0].value, f, depth + 1);
  }
  if (q.k === 'bin' && q.v === '+') {
    const l = templateOf(q.c[0], f, depth + 1);
    const r = templateOf(q.c[1], f, depth + 1);
    return { parts: [...l.parts.slice(0, -1), l.parts[l.parts.length - 1] + r.parts[0], ...r.parts.slice(1)], holes: [...l.holes, ...r.holes] };
  }
  return { parts: ['', ''], holes: [printNode(q)] };
}

function promptsOf(f: Facts): PromptTemplate[] {
  const out: PromptTemplate[] = [];
  const seen = new Set<string>();
  for (const { call } of f.modelCalls) {
    const callee = call.c[0];
    if (callee.k !== 'id' || (callee.v !== 'llm' && callee.v !== 'rlm')) continue;
    const t = templateOf(call.c[1], f);
    const text = t.parts.map((p, i) => (i < t.holes.length ? `${p}\${${i}}` : p)).join('');
    const key = `${callee.v}\u0000${text}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ fn: callee.v, text, parts: t.parts, holes: t.holes });
  }
  return out;
}

/** `lib.<name>(...)` calls anywhere in the given statements (sorted, unique names). */
export function findLibCalls(stmts: readonly NNode[]): string[] {
  const names = new Set<string>();
  for (const s of stmts) {
    some(s, (x) => {
      if (x.k === 'call') {
        const c = x.c[0];
        if (c.k === 'mem' && isId(c.c[0], 'lib') && c.v) names.add(c.v);
        else if (c.k === 'idx' && isId(c.c[0], 'lib') && c.c[1].k === 'str' && c.c[1].v) names.add(c.c[1].v);
      }
      return false;
    });
  }
  return [...names].sort();
}

/**
 * Lifts the skeleton of a normalized program. `libSource` are the statements to scan for library
 * calls (the unsliced program, so that a library call in any block is reported).
 */
export function liftSkeleton(tree: NNode, libSource: readonly NNode[] = tree.c): Skeleton {
  const f = new Facts(tree);
  const lifter = new Lifter(f);
  let ops: string[];
  if (f.finals.length > 0) {
    ops = longest(f.finals.map((c) => lifter.chain(c)));
    if (ops.length <= 1 && f.prints.length > 0) {
      const printed = longest(f.prints.map((p) => longest(p.c.slice(1).map((a) => lifter.chain(a)))));
      ops = [...printed, 'print', 'FINAL'];
    }
  } else {
    const last = tree.c[tree.c.length - 1];
    ops = last ? lifter.chain(last.k === 'expr' ? last.c[0] : last) : [];
  }
  return {
    ops,
    text: ops.join(' |> '),
    growth: growthOf(f),
    prompts: promptsOf(f),
    libCalls: findLibCalls(libSource),
    modelCallSites: f.modelCalls.length,
  };
}
