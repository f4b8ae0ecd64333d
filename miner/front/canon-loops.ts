/**
 * Statement-level canonicalization of loop forms into ONE map form:
 *   xs.forEach(x => ...)                         → for (const x of xs) ...
 *   for (let i = 0; i < xs.length; i += 1) xs[i] → for (const x of xs)
 *   for (let i = 0; i < s.length; i += N) s.slice(i, i + N)
 *       (and the ceil(n / N) counted form)       → for (const c of $chunk(s, N))
 *   for (const x of xs) { const a = f(x); rest }  (rest not using x)
 *                                                → for (const a of xs.map(x => f(x))) rest
 *   const out = []; for (const x of xs) { ...; out.push(e) }   → const out = xs.map(x => { ...; return e })
 *   const out = []; for (const x of xs) if (c) out.push(e)     → const out = xs.filter(x => c).map(x => e)
 *   let n = 0; for (const x of xs) if (c) n += 1               → const n = xs.filter(x => c).length
 */
import { ceilDiv, isChunkBounds } from './canon-expr.js';
import { mk, id, none, equal, isId, methodCall, nameAssignment, soleBinding, some, STATEMENT_LIST_KINDS, listStart, type NNode } from './tree.js';

let fresh = 0;

/** A name for a loop element that no JS identifier can collide with (renamed positionally later). */
function freshName(): string {
  fresh = (fresh + 1) % 1_000_000;
  return `%it${fresh}`;
}

/** Applies the loop rules to every statement list of the tree (inner lists first). Returns true if anything changed. */
export function canonicalizeLoops(root: NNode): boolean {
  let changed = false;
  const walk = (n: NNode): void => {
    for (const ch of n.c) walk(ch);
    if (STATEMENT_LIST_KINDS.has(n.k)) {
      for (let guard = 0; guard < 50; guard++) {
        if (!rewriteList(n)) break;
        changed = true;
      }
    }
  };
  walk(root);
  return changed;
}

/** Applies one loop rule to a statement list, if any applies. */
export function rewriteLoopsOnce(list: NNode): boolean {
  return rewriteList(list);
}

function mentions(n: NNode, name: string): boolean {
  return some(n, (x) => isId(x, name));
}

function hasJump(n: NNode): boolean {
  return some(
    n,
    (x) => x.k === 'break' || x.k === 'continue' || x.k === 'return' || x.k === 'yield',
    (x) => x.k !== 'fn' && x.k !== 'class',
  );
}

function singleDecl(s: NNode): { name: string; init: NNode | undefined; pattern: NNode } | undefined {
  if (s.k !== 'var' || s.v === 'function' || s.v === 'class' || s.c.length !== 1) return undefined;
  const d = s.c[0];
  if (d.c[0].k !== 'id') return undefined;
  return { name: d.c[0].v ?? '', init: d.c[1], pattern: d.c[0] };
}

function constDecl(name: string, init: NNode): NNode {
  return mk('var', [mk('decl', [id(name), init])], 'const');
}

function arrowOf(pattern: NNode, body: NNode): NNode {
  return mk('fn', [none(), mk('params', [mk('param', [pattern])]), body]);
}

function blockStmts(n: NNode): NNode[] {
  return n.k === 'block' ? n.c : [n];
}

/** One rewrite on the list, if any applies. */
function rewriteList(list: NNode): boolean {
  const start = listStart(list);
  for (let j = start; j < list.c.length; j++) {
    const s = list.c[j];
    if (s.k === 'forof' && (pushLoopToMap(list, j, start) || counterLoopToFilter(list, j, start))) return true;
    const split = splitArrayDestructuring(s);
    if (split) {
      list.c.splice(j, 1, ...split);
      return true;
    }
    // Fission only when the accumulator rules did not apply to the loop as written.
    const r = forEachToForOf(s) ?? indexForToForOf(s) ?? chunkForToForOf(s) ?? ceilChunkForToForOf(s) ?? fission(s);
    if (r) {
      list.c[j] = r;
      return true;
    }
  }
  return false;
}

/** xs.forEach((x) => body) → for (const x of xs) body */
function forEachToForOf(s: NNode): NNode | undefined {
  if (s.k !== 'expr') return undefined;
  const m = methodCall(s.c[0], 'forEach');
  if (!m || m.args.length !== 1 || m.args[0].k !== 'fn') return undefined;
  const f = m.args[0];
  const ps = f.c[1].c;
  if (ps.length !== 1 || ps[0].k !== 'param' || ps[0].c.length !== 1 || (f.v ?? '').includes('gen')) return undefined;
  const body = f.c[2];
  if (body.k === 'block' && some(body, (x) => x.k === 'return', (x) => x.k !== 'fn')) return undefined;
  const stmts = body.k === 'block' ? body.c : [mk('expr', [body])];
  return mk('forof', [ps[0].c[0], m.recv, mk('block', stmts)], 'const');
}

/** `let i = 0` as a for-loop initializer: returns i. */
function zeroInit(init: NNode): string | undefined {
  const d = init.k === 'var' ? singleDecl(init) : undefined;
  if (!d || !d.init || d.init.k !== 'num' || Number(d.init.v) !== 0) return undefined;
  return d.name;
}

/** `i += step` as an increment: returns step. */
function increment(incr: NNode, i: string): NNode | undefined {
  if (incr.k === 'assign' && incr.v === '+=' && isId(incr.c[0], i)) return incr.c[1];
  if (incr.k === 'assign' && incr.v === '=' && isId(incr.c[0], i) && incr.c[1].k === 'bin' && incr.c[1].v === '+' && isId(incr.c[1].c[0], i)) return incr.c[1].c[1];
  return undefined;
}

function isPureRef(n: NNode): boolean {
  return n.k === 'id' || (n.k === 'mem' && isPureRef(n.c[0]));
}

/**
 * Replaces every occurrence of `i` inside `body` via `match` (which returns true for the nodes that
 * stand for the element); fails (returns false) if `i` occurs anywhere else or is written.
 */
function replaceUses(body: NNode, i: string, match: (n: NNode) => boolean, replacement: () => NNode): boolean {
  let ok = true;
  const check = (n: NNode): void => {
    if (!ok) return;
    if (match(n)) return;
    if (isId(n, i)) {
      ok = false;
      return;
    }
    for (const ch of n.c) check(ch);
  };
  check(body);
  if (!ok) return false;
  const rep = (n: NNode): NNode => {
    if (match(n)) return replacement();
    for (let k = 0; k < n.c.length; k++) n.c[k] = rep(n.c[k]);
    return n;
  };
  rep(body);
  return true;
}

/** Builds `for (const x of iterable) body`, naming x after a leading `const x = <element>` if present. */
function toForOf(iterable: NNode, body: NNode, i: string, match: (n: NNode) => boolean): NNode | undefined {
  const stmts = blockStmts(body).slice();
  let target: NNode | undefined;
  const first = soleBinding(stmts[0]);
  if (first && match(first.init)) {
    target = first.target;
    stmts.shift();
  }
  const elementName = freshName();
  const newBody = mk('block', stmts);
  if (!replaceUses(newBody, i, match, () => id(elementName))) return undefined;
  if (target && mentionsAny(newBody, elementName)) {
    // The element is used both through the named pattern and directly: bind it by name.
    newBody.c.unshift(mk('var', [mk('decl', [target, id(elementName)])], 'const'));
    target = undefined;
  }
  return mk('forof', [target ?? id(elementName), iterable, newBody], 'const');
}

function mentionsAny(n: NNode, name: string): boolean {
  return mentions(n, name);
}

/** for (let i = 0; i < xs.length; i += 1) { ... xs[i] ... } → for (const x of xs) */
function indexForToForOf(s: NNode): NNode | undefined {
  if (s.k !== 'for') return undefined;
  const i = zeroInit(s.c[0]);
  if (!i) return undefined;
  const cond = s.c[1];
  if (cond.k !== 'bin' || cond.v !== '<' || !isId(cond.c[0], i) || cond.c[1].k !== 'mem' || cond.c[1].v !== 'length') return undefined;
  const arr = cond.c[1].c[0];
  if (!isPureRef(arr)) return undefined;
  const step = increment(s.c[2], i);
  if (!step || step.k !== 'num' || Number(step.v) !== 1) return undefined;
  const match = (n: NNode): boolean => n.k === 'idx' && isId(n.c[1], i) && equal(n.c[0], arr);
  return toForOf(arr, s.c[3], i, match);
}

/** The element slice of a chunk loop: A.slice(i, i + N) / A.slice(i, Math.min(i + N, A.length)) / A.substr(i, N). */
function isChunkSlice(n: NNode, src: NNode, i: string, size: NNode): boolean {
  const m = methodCall(n);
  if (!m || !equal(m.recv, src)) return false;
  if (m.method === 'substr') return m.args.length === 2 && isId(m.args[0], i) && equal(m.args[1], size);
  if (m.method !== 'slice' || m.args.length !== 2 || !isId(m.args[0], i)) return false;
  let end = m.args[1];
  const mn = methodCall(end, 'min');
  if (mn && isId(mn.recv, 'Math') && mn.args.length === 2 && mn.args[1].k === 'mem' && mn.args[1].v === 'length') end = mn.args[0];
  return end.k === 'bin' && end.v === '+' && ((isId(end.c[0], i) && equal(end.c[1], size)) || (isId(end.c[1], i) && equal(end.c[0], size)));
}

/** for (let i = 0; i < s.length; i += N) { ... s.slice(i, i + N) ... } → for (const c of $chunk(s, N)) */
function chunkForToForOf(s: NNode): NNode | undefined {
  if (s.k !== 'for') return undefined;
  const i = zeroInit(s.c[0]);
  if (!i) return undefined;
  const cond = s.c[1];
  if (cond.k !== 'bin' || cond.v !== '<' || !isId(cond.c[0], i) || cond.c[1].k !== 'mem' || cond.c[1].v !== 'length') return undefined;
  const src = cond.c[1].c[0];
  if (!isPureRef(src)) return undefined;
  const size = increment(s.c[2], i);
  if (!size || (size.k === 'num' && Number(size.v) === 1)) return undefined;
  if (mentions(size, i)) return undefined;
  const match = (n: NNode): boolean => isChunkSlice(n, src, i, size);
  return toForOf(mk('call', [id('$chunk'), src, size]), s.c[3], i, match);
}

/** for (let i = 0; i < Math.ceil(s.length / N); i += 1) { ... s.slice(i * N, (i + 1) * N) ... } */
function ceilChunkForToForOf(s: NNode): NNode | undefined {
  if (s.k !== 'for') return undefined;
  const i = zeroInit(s.c[0]);
  if (!i) return undefined;
  const cond = s.c[1];
  if (cond.k !== 'bin' || cond.v !== '<' || !isId(cond.c[0], i)) return undefined;
  const cd = ceilDiv(cond.c[1]);
  if (!cd || !isPureRef(cd.src)) return undefined;
  const step = increment(s.c[2], i);
  if (!step || step.k !== 'num' || Number(step.v) !== 1) return undefined;
  const match = (n: NNode): boolean => {
    const m = methodCall(n, 'slice');
    return m !== undefined && m.args.length === 2 && equal(m.recv, cd.src) && isChunkBounds(m.args[0], m.args[1], i, cd.size);
  };
  return toForOf(mk('call', [id('$chunk'), cd.src, cd.size]), s.c[3], i, match);
}

/**
 * Loop fission: for (const x of xs) { const a = f(x); rest } where rest does not use x
 * → for (const a of xs.map(x => f(x))) { rest }.
 */
function fission(s: NNode): NNode | undefined {
  if (s.k !== 'forof' || !s.v) return undefined;
  const body = s.c[2];
  if (body.k !== 'block' || body.c.length < 2) return undefined;
  const first = soleBinding(body.c[0]);
  if (!first) return undefined;
  const names = patternIds(s.c[0]);
  if (names.length === 0) return undefined;
  const rest = body.c.slice(1);
  for (const r of rest) for (const nm of names) if (mentions(r, nm)) return undefined;
  if (hasJump(body)) return undefined;
  const mapped = mk('call', [mk('mem', [s.c[1]], 'map'), arrowOf(s.c[0], first.init)]);
  return mk('forof', [first.target, mapped, mk('block', rest)], 'const');
}

function patternIds(p: NNode): string[] {
  const out: string[] = [];
  const walk = (n: NNode): void => {
    if (n.k === 'id' && n.v) out.push(n.v);
    else if (n.k === 'bind' || n.k === 'dflt' || n.k === 'rest') walk(n.c[0]);
    else if (n.k === 'cbind') walk(n.c[1]);
    else if (n.k === 'opat' || n.k === 'apat') n.c.forEach(walk);
  };
  walk(p);
  return out;
}

/** `out.push(e)` statement: returns {out, e}. */
function pushOf(s: NNode | undefined): { out: string; value: NNode } | undefined {
  if (!s || s.k !== 'expr') return undefined;
  const m = methodCall(s.c[0], 'push');
  if (!m || m.args.length !== 1 || m.args[0].k === 'spread' || m.recv.k !== 'id' || !m.recv.v) return undefined;
  return { out: m.recv.v, value: m.args[0] };
}

/** Finds `const out = <init>` before index j with no mention of `out` in between; returns its index. */
function findAccumulator(list: NNode, j: number, start: number, name: string, isInit: (n: NNode) => boolean): number {
  for (let d = j - 1; d >= start; d--) {
    const s = list.c[d];
    const decl = singleDecl(s);
    if (decl && decl.name === name) return decl.init && isInit(decl.init) ? d : -1;
    if (mentions(s, name)) return -1;
  }
  return -1;
}

function pushLoopToMap(list: NNode, j: number, start: number): boolean {
  const loop = list.c[j];
  if (!loop.v) return false;
  const [pattern, iterable, body] = loop.c;
  const stmts = blockStmts(body);
  if (stmts.length === 0) return false;
  const last = stmts[stmts.length - 1];
  let push = pushOf(last);
  let cond: NNode | undefined;
  if (!push && last.k === 'if' && !last.c[2] && stmts.length === 1) {
    const inner = blockStmts(last.c[1]);
    if (inner.length === 1) {
      push = pushOf(inner[0]);
      cond = last.c[0];
    }
  }
  if (!push) return false;
  const out = push.out;
  const before = stmts.slice(0, -1);
  if (mentions(iterable, out) || mentions(push.value, out) || (cond && mentions(cond, out))) return false;
  for (const b of before) if (mentions(b, out) || hasJump(b)) return false;
  const d = findAccumulator(list, j, start, out, (n) => n.k === 'arr' && n.c.length === 0);
  if (d < 0) return false;
  let value: NNode;
  if (cond) {
    const filtered = mk('call', [mk('mem', [iterable], 'filter'), arrowOf(pattern, cond)]);
    const identity = pattern.k === 'id' && isId(push.value, pattern.v);
    value = identity ? filtered : mk('call', [mk('mem', [filtered], 'map'), arrowOf(clonePattern(pattern), push.value)]);
  } else {
    const fnBody = before.length === 0 ? push.value : mk('block', [...before, mk('return', [push.value])]);
    value = mk('call', [mk('mem', [iterable], 'map'), arrowOf(pattern, fnBody)]);
  }
  list.c[j] = constDecl(out, value);
  list.c.splice(d, 1);
  return true;
}

function clonePattern(p: NNode): NNode {
  return { k: p.k, v: p.v, c: p.c.map(clonePattern) };
}

/** `n += 1` (after update canonicalization) or `n += c ? 1 : 0`. */
function counterStep(s: NNode, n: string): { cond?: NNode } | undefined {
  const a = nameAssignment(s, '+=');
  if (!a || a.name !== n) return undefined;
  const v = a.value;
  if (v.k === 'num' && Number(v.v) === 1) return {};
  if (v.k === 'cond' && v.c[1].k === 'num' && Number(v.c[1].v) === 1 && v.c[2].k === 'num' && Number(v.c[2].v) === 0) return { cond: v.c[0] };
  return undefined;
}

function counterLoopToFilter(list: NNode, j: number, start: number): boolean {
  const loop = list.c[j];
  if (!loop.v) return false;
  const [pattern, iterable, body] = loop.c;
  const stmts = blockStmts(body);
  if (stmts.length !== 1) return false;
  const s = stmts[0];
  let name: string | undefined;
  let cond: NNode | undefined;
  if (s.k === 'if' && !s.c[2]) {
    const inner = blockStmts(s.c[1]);
    const assigned = inner.length === 1 ? nameAssignment(inner[0]) : undefined;
    if (!assigned) return false;
    name = assigned.name;
    if (!name) return false;
    const step = counterStep(inner[0], name);
    if (!step || step.cond) return false;
    cond = s.c[0];
  } else if (nameAssignment(s)) {
    name = nameAssignment(s)?.name;
    if (!name) return false;
    const step = counterStep(s, name);
    if (!step || !step.cond) return false;
    cond = step.cond;
  }
  if (!name || !cond || mentions(cond, name) || mentions(iterable, name)) return false;
  const d = findAccumulator(list, j, start, name, (n) => n.k === 'num' && Number(n.v) === 0);
  if (d < 0) return false;
  const filtered = mk('call', [mk('mem', [iterable], 'filter'), arrowOf(pattern, cond)]);
  list.c[j] = constDecl(name, mk('mem', [filtered], 'length'));
  list.c.splice(d, 1);
  return true;
}

/** const [a, b] = [e1, e2]  →  const a = e1; const b = e2; (no holes, rests or defaults). */
function splitArrayDestructuring(s: NNode): NNode[] | undefined {
  if (s.k !== 'var' || s.v === 'function' || s.v === 'class' || s.c.length !== 1) return undefined;
  const [pat, init] = s.c[0].c;
  if (!init || pat.k !== 'apat' || init.k !== 'arr' || pat.c.length !== init.c.length || pat.c.length === 0) return undefined;
  if (!pat.c.every((p) => p.k === 'id') || init.c.some((e) => e.k === 'spread' || e.k === 'hole')) return undefined;
  // Later elements must not read earlier targets (they are evaluated before any binding).
  const names = pat.c.map((p) => p.v ?? '');
  for (const e of init.c) for (const nm of names) if (mentions(e, nm)) return undefined;
  return pat.c.map((p, k) => mk('var', [mk('decl', [p, init.c[k]])], s.v));
}
