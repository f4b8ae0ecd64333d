/**
 * Expression-level canonicalization: one spelling for forms that mean the same decomposition.
 *   await / async dropped; Promise.all(x) → x; llmBatch of {query, context} → llm per item;
 *   == → ===; substring → slice; string concatenation → template; x.indexOf(y) !== -1 → includes;
 *   chunking idioms (match(/[\s\S]{1,N}/g), Array.from({length: ceil(n/N)}, ...)) → $chunk(x, N);
 *   reduce-counting → filter(...).length; identity map dropped; `{ return e }` bodies → e.
 */
import { mk, id, none, clone, equal, isId, methodCall, some, type NNode } from './tree.js';

/** Applies the expression rules bottom-up over a tree (in place). Returns the new root. */
export function canonicalizeExpressions(root: NNode): NNode {
  return rw(root);
}

function rw(n: NNode): NNode {
  for (let i = 0; i < n.c.length; i++) n.c[i] = rw(n.c[i]);
  return rule(n);
}

function rule(n: NNode): NNode {
  switch (n.k) {
    case 'await':
      return n.c[0];
    case 'fn':
      return fnRule(n);
    case 'bin':
      return binRule(n);
    case 'mem':
      if (n.v === 'substring') n.v = 'slice';
      return n;
    case 'call':
      return callRule(n);
    case 'tpl':
      return tplRule(n);
    case 'expr':
    case 'for':
      return updateRule(n);
    default:
      return n;
  }
}

function fnRule(n: NNode): NNode {
  if (n.v) {
    const flags = n.v.split(' ').filter((f) => f !== 'async');
    n.v = flags.length ? flags.join(' ') : undefined;
  }
  const body = n.c[2];
  if (body.k === 'block' && body.c.length === 1 && body.c[0].k === 'return' && body.c[0].c[0]) n.c[2] = body.c[0].c[0];
  const name = n.c[0];
  if (name.k === 'id' && name.v !== undefined) {
    const nm = name.v;
    if (!some(n.c[2], (x) => isId(x, nm)) && !some(n.c[1], (x) => isId(x, nm))) n.c[0] = none();
  }
  return n;
}

function isNum(n: NNode | undefined, v?: string): boolean {
  return n !== undefined && n.k === 'num' && (v === undefined || Number(n.v) === Number(v));
}

function isMinusOne(n: NNode | undefined): boolean {
  return n !== undefined && ((n.k === 'pre' && n.v === '-' && isNum(n.c[0], '1')) || isNum(n, '-1'));
}

function isStringy(n: NNode): boolean {
  return n.k === 'str' || n.k === 'tpl';
}

/** Parts of a string-valued node as alternating [text, expr, text, ...]. */
function tplParts(n: NNode): NNode[] {
  if (n.k === 'str') return [mk('tstr', [], n.v ?? '')];
  if (n.k === 'tpl') return n.c;
  return [mk('tstr', [], ''), n, mk('tstr', [], '')];
}

function joinTpl(a: NNode[], b: NNode[]): NNode {
  const last = a[a.length - 1];
  const merged = mk('tstr', [], (last.v ?? '') + (b[0].v ?? ''));
  return mk('tpl', [...a.slice(0, -1), merged, ...b.slice(1)]);
}

function binRule(n: NNode): NNode {
  if (n.v === '==') n.v = '===';
  else if (n.v === '!=') n.v = '!==';
  const [l, r] = n.c;
  if (n.v === '+' && (isStringy(l) || isStringy(r))) return tplRule(joinTpl(tplParts(l), tplParts(r)));
  // x.indexOf(y) !== -1 / >= 0 / > -1  →  x.includes(y);  === -1 / < 0 → !includes
  const io = methodCall(l, 'indexOf');
  if (io && io.args.length === 1) {
    if (((n.v === '!==' || n.v === '>') && isMinusOne(r)) || (n.v === '>=' && isNum(r, '0'))) {
      return mk('call', [mk('mem', [io.recv], 'includes'), io.args[0]]);
    }
    if ((n.v === '===' && isMinusOne(r)) || (n.v === '<' && isNum(r, '0'))) {
      return mk('pre', [mk('call', [mk('mem', [io.recv], 'includes'), io.args[0]])], '!');
    }
  }
  // chunk || [] / chunk ?? []
  if ((n.v === '||' || n.v === '??') && isCallToChunk(l) && r.k === 'arr' && r.c.length === 0) return l;
  return n;
}

/** Folds literal holes (`${"x"}`, `${3}`) and nested templates into the text; no holes left → a string. */
function tplRule(n: NNode): NNode {
  if (n.c.length > 1 && n.c.some((x, i) => i % 2 === 1 && (x.k === 'str' || x.k === 'num' || x.k === 'tpl'))) {
    let parts: NNode[] = [n.c[0]];
    for (let i = 1; i < n.c.length; i += 2) {
      const hole = n.c[i];
      const next = [n.c[i + 1]];
      const inner = hole.k === 'str' || hole.k === 'num' ? [mk('tstr', [], hole.v ?? '')] : hole.k === 'tpl' ? hole.c : [mk('tstr', [], ''), hole, mk('tstr', [], '')];
      parts = joinTpl(joinTpl(parts, inner).c, next).c;
    }
    n = mk('tpl', parts);
  }
  if (n.c.length === 1) return mk('str', [], n.c[0].v ?? '');
  return n;
}

function isCallToChunk(n: NNode): boolean {
  return n.k === 'call' && isId(n.c[0], '$chunk');
}

function chunkCall(src: NNode, sizeNode: NNode): NNode {
  return mk('call', [id('$chunk'), src, sizeNode]);
}

const CHUNK_RE = /^\/(?:\[\\s\\S\]|\[\\S\\s\]|\.|\[^\]|\(\?:\.\|\\n\)|\(\.\|\\n\))\{1,(\d+)\}\/([a-z]*)$/;

/** Names, literals and member chains of names: pure, so substituting them for a parameter is safe. */
function isSimpleArg(n: NNode): boolean {
  if (n.k === 'mem') return isSimpleArg(n.c[0]) && n.c[0].k !== 'str';
  return n.k === 'id' || n.k === 'str' || n.k === 'num' || n.k === 'bool' || n.k === 'null';
}

/** ((x, y) => e)(a, b) → e[x := a, y := b] when the arguments are names or literals. */
function betaReduce(n: NNode): NNode | undefined {
  const f = n.c[0];
  const body = f.c[2];
  const params = f.c[1].c;
  const args = n.c.slice(1);
  if (body.k === 'block' || f.c[0].k !== 'none' || (f.v ?? '').includes('gen')) return undefined;
  if (params.length !== args.length || !args.every(isSimpleArg)) return undefined;
  const names: string[] = [];
  for (const p of params) {
    if (p.k !== 'param' || p.c.length !== 1 || p.c[0].k !== 'id' || !p.c[0].v) return undefined;
    names.push(p.c[0].v);
  }
  if (some(body, (x) => x.k === 'fn')) return undefined;
  const subst = (x: NNode): NNode => {
    if (x.k === 'id') {
      const at = names.indexOf(x.v ?? '');
      if (at >= 0) return clone(args[at]);
    }
    for (let i = 0; i < x.c.length; i++) x.c[i] = subst(x.c[i]);
    return x;
  };
  return subst(body);
}

function callRule(n: NNode): NNode {
  const callee = n.c[0];
  if (callee.k === 'fn') return betaReduce(n) ?? n;
  // Promise.all(x) → x
  if (callee.k === 'mem' && isId(callee.c[0], 'Promise') && (callee.v === 'all' || callee.v === 'allSettled') && n.c.length === 2) return n.c[1];
  if (isId(callee, 'llmBatch') && n.c.length === 2) {
    const conv = batchToLlm(n.c[1]);
    if (conv) return conv;
  }
  const m = methodCall(n);
  if (m) {
    // A.match(/[\s\S]{1,N}/g) → $chunk(A, N)
    if (m.method === 'match' && m.args.length === 1 && m.args[0].k === 're') {
      const mm = CHUNK_RE.exec(m.args[0].v ?? '');
      if (mm && mm[2].includes('g')) return chunkCall(m.recv, mk('num', [], mm[1]));
    }
    // Array.from({length: Math.ceil(A.length / N)}, (_, i) => A.slice(i * N, (i + 1) * N)) → $chunk(A, N)
    if (m.method === 'from' && isId(m.recv, 'Array') && m.args.length === 2) {
      const c = arrayFromChunk(m.args[0], m.args[1]);
      if (c) return c;
    }
    if (m.method === 'reduce' && m.args.length === 2) {
      const c = reduceCount(m.recv, m.args[0], m.args[1]);
      if (c) return c;
    }
    // X.map(p => p) → X
    if (m.method === 'map' && m.args.length === 1 && m.args[0].k === 'fn') {
      const f = m.args[0];
      const ps = f.c[1].c;
      if (ps.length === 1 && ps[0].k === 'param' && ps[0].c.length === 1 && isId(ps[0].c[0]) && isId(f.c[2], ps[0].c[0].v)) return m.recv;
    }
  }
  return n;
}

/** `{query: q, context: c}` → llm(q, c); undefined when the object has other properties. */
function objToLlm(o: NNode): NNode | undefined {
  if (o.k !== 'obj') return undefined;
  let q: NNode | undefined;
  let c: NNode | undefined;
  for (const p of o.c) {
    if (p.k !== 'prop') return undefined;
    if (p.v === 'query' || p.v === 'prompt') q = p.c[0];
    else if (p.v === 'context' || p.v === 'ctx') c = p.c[0];
    else return undefined;
  }
  if (!q) return undefined;
  return mk('call', c ? [id('llm'), q, c] : [id('llm'), q]);
}

function batchToLlm(arg: NNode): NNode | undefined {
  if (arg.k === 'arr') {
    const items = arg.c.map(objToLlm);
    if (items.every((x): x is NNode => x !== undefined)) return mk('arr', items);
    return undefined;
  }
  const m = methodCall(arg, 'map');
  if (m && m.args.length === 1 && m.args[0].k === 'fn') {
    const f = m.args[0];
    const body = f.c[2];
    if (body.k === 'obj') {
      const call = objToLlm(body);
      if (call) return mk('call', [mk('mem', [m.recv], 'map'), mk('fn', [f.c[0], f.c[1], call], f.v)]);
    } else if (body.k === 'block') {
      const last = body.c[body.c.length - 1];
      if (last && last.k === 'return' && last.c[0]) {
        const call = objToLlm(last.c[0]);
        if (call) {
          const newBody = mk('block', [...body.c.slice(0, -1), mk('return', [call])]);
          return mk('call', [mk('mem', [m.recv], 'map'), mk('fn', [f.c[0], f.c[1], newBody], f.v)]);
        }
      }
    }
  }
  return undefined;
}

/** i * N (either order). */
function isTimes(n: NNode, i: string, size: NNode): boolean {
  return n.k === 'bin' && n.v === '*' && ((isId(n.c[0], i) && equal(n.c[1], size)) || (isId(n.c[1], i) && equal(n.c[0], size)));
}

/** The slice bounds of chunk i of size N: (i * N, (i + 1) * N) or (i * N, i * N + N). */
export function isChunkBounds(from: NNode, to: NNode, i: string, size: NNode): boolean {
  if (!isTimes(from, i, size)) return false;
  if (to.k === 'bin' && to.v === '*') {
    const [a, b] = to.c;
    const plusOne = (x: NNode): boolean => x.k === 'bin' && x.v === '+' && ((isId(x.c[0], i) && isNum(x.c[1], '1')) || (isId(x.c[1], i) && isNum(x.c[0], '1')));
    return (plusOne(a) && equal(b, size)) || (plusOne(b) && equal(a, size));
  }
  if (to.k === 'bin' && to.v === '+') return (isTimes(to.c[0], i, size) && equal(to.c[1], size)) || (isTimes(to.c[1], i, size) && equal(to.c[0], size));
  return false;
}

/** `Math.ceil(A.length / N)` → {src: A, size: N}. */
export function ceilDiv(n: NNode): { src: NNode; size: NNode } | undefined {
  const m = methodCall(n, 'ceil');
  if (!m || !isId(m.recv, 'Math') || m.args.length !== 1) return undefined;
  const d = m.args[0];
  if (d.k !== 'bin' || d.v !== '/' || d.c[0].k !== 'mem' || d.c[0].v !== 'length') return undefined;
  return { src: d.c[0].c[0], size: d.c[1] };
}

function arrayFromChunk(lenObj: NNode, f: NNode): NNode | undefined {
  if (lenObj.k !== 'obj' || lenObj.c.length !== 1 || lenObj.c[0].k !== 'prop' || lenObj.c[0].v !== 'length') return undefined;
  const cd = ceilDiv(lenObj.c[0].c[0]);
  if (!cd || f.k !== 'fn') return undefined;
  const ps = f.c[1].c;
  if (ps.length !== 2 || ps[1].k !== 'param' || !isId(ps[1].c[0])) return undefined;
  const i = ps[1].c[0].v ?? '';
  const s = methodCall(f.c[2], 'slice');
  if (!s || s.args.length !== 2 || !equal(s.recv, cd.src)) return undefined;
  if (!isChunkBounds(s.args[0], s.args[1], i, cd.size)) return undefined;
  return chunkCall(cd.src, cd.size);
}

/** xs.reduce((a, x) => a + (c ? 1 : 0), 0) and (a, x) => c ? a + 1 : a  →  xs.filter(x => c).length */
function reduceCount(recv: NNode, f: NNode, init: NNode): NNode | undefined {
  if (!isNum(init, '0') || f.k !== 'fn') return undefined;
  const ps = f.c[1].c;
  if (ps.length !== 2 || ps[0].k !== 'param' || !isId(ps[0].c[0]) || ps[1].k !== 'param') return undefined;
  const acc = ps[0].c[0].v ?? '';
  const body = f.c[2];
  let cond: NNode | undefined;
  if (body.k === 'bin' && body.v === '+' && isId(body.c[0], acc)) {
    const r = body.c[1];
    if (r.k === 'cond' && isNum(r.c[1], '1') && isNum(r.c[2], '0')) cond = r.c[0];
    else if (r.k === 'call' && isId(r.c[0], 'Number') && r.c.length === 2) cond = r.c[1];
    else if (r.k === 'pre' && r.v === '+') cond = r.c[0];
  } else if (body.k === 'cond' && isId(body.c[2], acc)) {
    const t = body.c[1];
    if (t.k === 'bin' && t.v === '+' && isId(t.c[0], acc) && isNum(t.c[1], '1')) cond = body.c[0];
  }
  if (!cond || some(cond, (x) => isId(x, acc))) return undefined;
  const pred = mk('fn', [none(), mk('params', [ps[1]]), cond]);
  return mk('mem', [mk('call', [mk('mem', [recv], 'filter'), pred])], 'length');
}

/** `x++` / `++x` / `x--` as a statement or a for-loop increment → `x += 1` / `x -= 1`. */
function updateRule(n: NNode): NNode {
  const fix = (e: NNode): NNode =>
    (e.k === 'post' || e.k === 'pre') && (e.v === '++' || e.v === '--') ? mk('assign', [e.c[0], mk('num', [], '1')], e.v === '++' ? '+=' : '-=') : e;
  if (n.k === 'expr') n.c[0] = fix(n.c[0]);
  else if (n.k === 'for') n.c[2] = fix(n.c[2]);
  return n;
}
