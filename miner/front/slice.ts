/**
 * Backward slicing from the answer: keeps the statements that the value passed to FINAL depends on
 * (through variables, including writes inside loops and closures and mutations such as
 * `arr.push(...)`, `map.set(...)`, `obj.k = ...`), and drops peeks, prints and abandoned attempts.
 * When the answer was typed after reading printed output (printed.ts), the prints it was read from
 * are criteria too, and are kept. Where the analysis is unsure it keeps the statement.
 */
import { EffectsAnalyzer, collectFunctions } from './scope.js';
import { LOOP_BODY_INDEX, catchClause, isCallTo, isId, mk, type LoopKind, type NNode, type NodeKind } from './tree.js';

export interface SliceOptions {
  /** An analyzer over these statements to share (its cached effects are reused). */
  analyzer?: EffectsAnalyzer;
  /** A FINAL detector over the same analyzer to share. */
  finals?: FinalDetector;
  /**
   * Index of the first top-level statement whose FINAL calls are slicing criteria (the start of
   * the last block that calls FINAL). FINAL calls before it belong to attempts that did not end
   * the run and are not criteria.
   */
  criterionFrom: number;
  /**
   * Print statements kept where the slice keeps the statement holding them, without being
   * criteria (what a check printed instead of answering: see {@link guardPrints}).
   */
  keepPrints?: ReadonlySet<NNode>;
  /**
   * Print statements (nodes of `stmts`, at any depth) that are criteria wherever they are, and are
   * kept in the result: the values the model read before it typed its answer.
   */
  prints?: ReadonlySet<NNode>;
}

export interface SliceResult {
  stmts: NNode[];
  /** False when the program has no FINAL call in the criterion range (then only prints are dropped). */
  hasFinal: boolean;
}

const NO_PRINTS: ReadonlySet<NNode> = new Set();

function union(a: ReadonlySet<string>, ...rest: ReadonlySet<string>[]): Set<string> {
  const out = new Set(a);
  for (const r of rest) for (const x of r) out.add(x);
  return out;
}

function intersects(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, big] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (big.has(x)) return true;
  return false;
}

interface ListResult {
  kept: NNode[];
  live: Set<string>;
}

/** Loops nested deeper than this are sliced as a whole (keeps the cost of the fixpoints bounded). */
const MAX_PRECISE_LOOP_DEPTH = 3;

class Slicer {
  private readonly an: EffectsAnalyzer;
  private loopDepth = 0;

  private readonly finals: FinalDetector;
  private readonly prints: ReadonlySet<NNode>;

  /** Print statements kept as they are, without being criteria (literal arguments only: they use nothing). */
  private readonly shown: ReadonlySet<NNode>;

  constructor(an: EffectsAnalyzer, finals: FinalDetector, prints: ReadonlySet<NNode>, shown: ReadonlySet<NNode> = NO_PRINTS) {
    this.an = an;
    this.finals = finals;
    this.prints = prints;
    this.shown = shown;
  }


  private readonly usesCache = new WeakMap<NNode, Set<string>>();

  private usesOf(e: NNode): Set<string> {
    let u = this.usesCache.get(e);
    if (!u) {
      u = this.an.effects(mk('expr', [e])).uses;
      this.usesCache.set(e, u);
    }
    return u;
  }

  list(stmts: readonly NNode[], live: Set<string>, crit: boolean, keepJumps: boolean): ListResult {
    const kept: NNode[] = [];
    let cur = live;
    for (let i = stmts.length - 1; i >= 0; i--) {
      const r = this.stmt(stmts[i], cur, crit, keepJumps);
      cur = r.live;
      if (r.node) kept.push(r.node);
    }
    kept.reverse();
    return { kept, live: cur };
  }

  /** Slices a top-level list where only statements at index >= criterionFrom hold criteria. */
  top(stmts: readonly NNode[], criterionFrom: number): NNode[] {
    const kept: NNode[] = [];
    let cur = new Set<string>();
    for (let i = stmts.length - 1; i >= 0; i--) {
      const r = this.stmt(stmts[i], cur, i >= criterionFrom, false);
      cur = r.live;
      if (r.node) kept.push(r.node);
    }
    return kept.reverse();
  }

  private stmt(s: NNode, live: Set<string>, crit: boolean, keepJumps: boolean): { node: NNode | null; live: Set<string> } {
    if (this.shown.has(s)) return { node: s, live };
    const isCrit = (crit && this.finals.has(s)) || this.prints.has(s);
    switch (s.k) {
      case 'block': {
        const r = this.list(s.c, live, crit, keepJumps);
        return r.kept.length > 0 ? { node: mk('block', r.kept), live: r.live } : { node: null, live };
      }
      case 'if': {
        const rThen = this.list(s.c[1].c, live, crit, keepJumps);
        const rElse = s.c[2] ? this.list(s.c[2].c, live, crit, keepJumps) : { kept: [], live };
        if (rThen.kept.length === 0 && rElse.kept.length === 0 && !isCrit) return { node: null, live };
        const c = [s.c[0], mk('block', rThen.kept)];
        if (rElse.kept.length > 0) c.push(mk('block', rElse.kept));
        return { node: mk('if', c), live: union(rThen.live, rElse.live, this.usesOf(s.c[0])) };
      }
      case 'for':
      case 'forof':
      case 'forawait':
      case 'forin':
      case 'while':
      case 'do':
        if (this.loopDepth >= MAX_PRECISE_LOOP_DEPTH) return this.simple(s, live, isCrit, keepJumps);
        this.loopDepth++;
        try {
          return this.loop(s, s.k, live, crit, isCrit);
        } finally {
          this.loopDepth--;
        }
      case 'try': {
        const rTry = this.list(s.c[0].c, live, crit, keepJumps);
        const cat = catchClause(s);
        const rCatch = cat ? this.list(cat.body.c, live, crit, keepJumps) : { kept: [], live };
        const hasFinally = s.c[2].k === 'block';
        const rFin = hasFinally ? this.list(s.c[2].c, live, crit, keepJumps) : { kept: [], live };
        if (rTry.kept.length + rCatch.kept.length + rFin.kept.length === 0 && !isCrit) return { node: null, live };
        const node = mk('try', [
          mk('block', rTry.kept),
          cat ? mk('catch', [cat.param, mk('block', rCatch.kept)]) : s.c[1],
          hasFinally ? mk('block', rFin.kept) : s.c[2],
        ]);
        return { node, live: union(live, rTry.live, rCatch.live, rFin.live) };
      }
      case 'label': {
        if (!s.c[0]) return { node: null, live };
        const r = this.stmt(s.c[0], live, crit, keepJumps);
        return r.node ? { node: mk('label', [r.node], s.v), live: r.live } : { node: null, live };
      }
      default:
        return this.simple(s, live, isCrit, keepJumps);
    }
  }

  /** A statement taken as a whole: kept if it defines something live, holds the criterion or (in a kept loop) jumps. */
  private simple(s: NNode, live: Set<string>, isCrit: boolean, keepJumps: boolean): { node: NNode | null; live: Set<string> } {
    const eff = this.an.effects(s);
    const relevant = isCrit || intersects(eff.strong, live) || intersects(eff.weak, live) || (keepJumps && eff.jump);
    if (!relevant) return { node: null, live };
    const next = new Set(live);
    for (const d of eff.strong) next.delete(d);
    for (const u of eff.uses) next.add(u);
    return { node: s, live: next };
  }

  /** The names a loop's header (everything but its body) reads. */
  private headerUses(s: NNode, bodyIdx: number): Set<string> {
    let uses = this.usesCache.get(s);
    if (!uses) {
      uses = new Set();
      for (let i = 0; i < s.c.length; i++) {
        if (i === bodyIdx) continue;
        const part = s.c[i];
        for (const u of part.k === 'var' ? this.an.effects(part).uses : this.usesOf(part)) uses.add(u);
      }
      this.usesCache.set(s, uses);
    }
    return uses;
  }

  private loop(s: NNode, kind: LoopKind, live: Set<string>, crit: boolean, isCrit: boolean): { node: NNode | null; live: Set<string> } {
    const bodyIdx = LOOP_BODY_INDEX[kind];
    const body = s.c[bodyIdx];
    const headerUses = this.headerUses(s, bodyIdx);
    // Relevance is decided without the header's own variables (a counter loop that only feeds its
    // own condition is not relevant); once kept, the header's uses are live inside the body.
    const first = this.fixpoint(body, live, new Set(), crit, false);
    if (first.kept.length === 0 && !isCrit) return { node: null, live };
    const r = this.fixpoint(body, live, headerUses, crit, true);
    const c = s.c.slice();
    c[bodyIdx] = mk('block', r.kept);
    const node = mk(s.k, c, s.v);
    return { node, live: union(live, r.live, headerUses) };
  }

  private fixpoint(body: NNode, live: Set<string>, headerUses: Set<string>, crit: boolean, keepJumps: boolean): ListResult {
    let L = union(live, headerUses);
    let r: ListResult = { kept: [], live: L };
    for (let iter = 0; iter < 20; iter++) {
      r = this.list(body.c, L, crit, keepJumps);
      const next = union(L, r.live);
      if (next.size === L.size) break;
      L = next;
    }
    return { kept: r.kept, live: union(L, r.live) };
  }
}

/**
 * What a program prints when its own check before FINAL fails (`if (bad) { print("retrying") }
 * else { FINAL(x) }`): the print statements of a top-level check's branch without FINAL, from
 * `from` on, whose arguments are literals only (they need nothing the slice might drop). A
 * function made from the program says what its members said there.
 */
export function guardPrints(stmts: readonly NNode[], from: number, finals: FinalDetector): Set<NNode> {
  const out = new Set<NNode>();
  const literalOnly = (n: NNode): boolean => ['str', 'num'].includes(n.k) || (n.k === 'tpl' && n.c.every((c) => c.k === 'str'));
  for (const s of stmts.slice(from)) {
    if (s.k !== 'if' || !finals.has(s)) continue;
    for (const branch of [s.c[1], s.c[2]]) {
      if (!branch || branch.k === 'none' || finals.has(branch)) continue;
      for (const p of branch.k === 'block' ? branch.c : [branch]) {
        if (isPrintStatement(p) && p.c[0].c.slice(1).every(literalOnly)) out.add(p);
      }
    }
  }
  return out;
}

/** True for `print(...)` expression statements (output only). */
export function isPrintStatement(s: NNode): boolean {
  return s.k === 'expr' && isCallTo(s.c[0], 'print');
}

/** Removes print statements (but those in `keep`) from every statement list in the tree (in place); returns the node. */
export function stripPrints(n: NNode, keep: ReadonlySet<NNode> = NO_PRINTS): NNode {
  const dropped = (s: NNode): boolean => isPrintStatement(s) && !keep.has(s);
  if (n.k === 'block' || n.k === 'prog' || n.k === 'default') n.c = n.c.filter((s) => !dropped(s));
  else if (n.k === 'case') n.c = [n.c[0], ...n.c.slice(1).filter((s) => !dropped(s))];
  for (const ch of n.c) stripPrints(ch, keep);
  return n;
}

const STATEMENT_KINDS: ReadonlySet<NodeKind> = new Set<NodeKind>(['block', 'var', 'expr', 'if', 'for', 'forof', 'forawait', 'forin', 'while', 'do', 'try', 'switch', 'label', 'return', 'throw']);

/**
 * Whether a statement calls FINAL, directly or through a local function it references. Computed
 * bottom-up once per node (cheaper than full effects for compound statements).
 */
export class FinalDetector {
  private readonly memo = new WeakMap<NNode, boolean>();

  constructor(private readonly an: EffectsAnalyzer) {}

  /** For a statement (memoized). */
  has(stmt: NNode): boolean {
    const hit = this.memo.get(stmt);
    if (hit !== undefined) return hit;
    const found = this.scan(stmt);
    this.memo.set(stmt, found);
    return found;
  }

  private scan(n: NNode): boolean {
    if (n.k === 'call' && isId(n.c[0], 'FINAL')) return true;
    if (n.k === 'id') return n.v !== undefined && this.an.isFunction(n.v) && (this.an.summary(n.v)?.final ?? false);
    for (let i = 0; i < n.c.length; i++) {
      const ch = n.c[i];
      if (STATEMENT_KINDS.has(ch.k) ? this.has(ch) : this.scan(ch)) return true;
    }
    return false;
  }
}

function containsFinal(stmts: readonly NNode[], from: number, finals: FinalDetector): boolean {
  for (let i = from; i < stmts.length; i++) if (finals.has(stmts[i])) return true;
  return false;
}

/**
 * Backward slice of a program's top-level statements. The input is not modified; kept statements
 * are shared with the input except where their nested lists were sliced.
 */
export function backwardSlice(stmts: readonly NNode[], options: SliceOptions): SliceResult {
  const from = Math.max(0, Math.min(options.criterionFrom, stmts.length));
  const an = options.analyzer ?? new EffectsAnalyzer(collectFunctions(stmts));
  const finals = options.finals ?? new FinalDetector(an);
  if (!containsFinal(stmts, from, finals)) {
    const kept = stmts.filter((s) => !isPrintStatement(s)).map((s) => stripPrintsCopy(s));
    return { stmts: kept, hasFinal: false };
  }
  const prints = options.prints ?? NO_PRINTS;
  const kept = new Slicer(an, finals, prints, options.keepPrints).top(stmts, from);
  const shown = options.keepPrints?.size ? new Set([...prints, ...options.keepPrints]) : prints;
  return { stmts: kept.map((s) => stripPrintsCopy(s, shown)), hasFinal: true };
}

/** A copy without prints, but those in `keep` (compared by identity before copying). */
function stripPrintsCopy(n: NNode, keep: ReadonlySet<NNode> = NO_PRINTS): NNode {
  if (keep.size === 0) return stripPrints(deepCopy(n));
  const copy = (x: NNode): NNode => {
    const c = x.c.filter((s) => !isPrintStatement(s) || keep.has(s) || !isStatementList(x)).map(copy);
    return { k: x.k, v: x.v, c };
  };
  return copy(n);
}

function isStatementList(n: NNode): boolean {
  return n.k === 'block' || n.k === 'prog' || n.k === 'default' || n.k === 'case';
}

function deepCopy(n: NNode): NNode {
  return { k: n.k, v: n.v, c: n.c.map(deepCopy) };
}
