/**
 * How a member cuts its input, as data rather than syntax: the common cutting idioms (fixed-size
 * character chunks written as an index loop — with or without an overlap — or as
 * `Array.from({length: Math.ceil(n / N)}, ...)`, and lines grouped up to a size by a local helper)
 * are recognized in a member's program and rewritten to one call of a shared helper,
 * `chunk(text, cutBy, size, overlap)`, whose definition is the same in every member.
 * Members that cut by lines where others cut by characters, or write the same cut as a loop where
 * others use Array.from, then differ only in literals ("lines" vs "chars", 6000 vs 5200), which
 * generalize turns into parameters whose per-member value reproduces each member's own chunks.
 * Applied to a cluster only when its members cut in more than one way (cutVariantsDiffer), so a
 * cluster whose members all cut alike keeps its own code.
 */
import { lowerCode } from '../front/normalize.js';
import { mk, type NNode } from '../front/tree.js';
import { identifiersOf } from './param-names.js';

export type CutIdiom = 'loop' | 'loop-overlap' | 'array-from' | 'lines';

interface Pattern {
  idiom: CutIdiom;
  stmts: NNode[];
}

const stmtsOf = (code: string): NNode[] => lowerCode(code);

/** Statement sequences that cut `$X` into `$A` (`$`-names are pattern variables). */
const PATTERNS: Pattern[] = [
  { idiom: 'loop', stmts: stmtsOf('let $A = [];\nfor (let $i = 0; $i < $X.length; $i += $S) { $A.push($X.slice($i, $i + $S)); }') },
  { idiom: 'loop-overlap', stmts: stmtsOf('let $A = [];\nfor (let $i = 0; $i < $X.length; $i += $S - $O) { $A.push($X.slice($i, $i + $S)); }') },
  { idiom: 'array-from', stmts: stmtsOf('let $A = Array.from({ length: Math.ceil($X.length / $S) }, ($u, $i) => $X.slice($i * $S, ($i + 1) * $S));') },
  { idiom: 'lines', stmts: stmtsOf('let $A = $G($X, $S);') },
];

/** A local helper that groups lines up to a size (what `cutBy: "lines"` does, exactly). */
const LINE_GROUPER_FN = stmtsOf(`let $G = ($text, $max) => {
  let $out = [];
  let $cur = [];
  let $size = 0;
  for (let $line of $text.split("\\n")) {
    if ($size + $line.length + 1 > $max && $cur.length > 0) {
      $out.push($cur.join("\\n"));
      $cur = [];
      $size = 0;
    }
    $cur.push($line);
    $size += $line.length + 1;
  }
  if ($cur.length > 0) {
    $out.push($cur.join("\\n"));
  }
  return $out;
};`)[0].c[0].c[1];

/** The shared helper every rewritten member starts with (its "lines" branch does what LINE_GROUPER_FN does). */
const helperCode = (name: string) => `let ${name} = (text, cutBy, size, overlap) => {
  let out = [];
  if (cutBy === "lines") {
    let cur = [];
    let used = 0;
    for (let line of text.split("\\n")) {
      if (used + line.length + 1 > size && cur.length > 0) {
        out.push(cur.join("\\n"));
        cur = [];
        used = 0;
      }
      cur.push(line);
      used += line.length + 1;
    }
    if (cur.length > 0) {
      out.push(cur.join("\\n"));
    }
    return out;
  }
  if (!(size > 0) || !(overlap >= 0) || overlap >= size) throw new Error("chunk: the chunk size must be a positive number larger than the overlap (got size " + size + ", overlap " + overlap + ")");
  for (let i = 0; i < text.length; i += size - overlap) {
    out.push(text.slice(i, i + size));
  }
  return out;
};`;

/** The helper's name, the first of these free in the member (its parameters are named chunkSize, chunkOverlap, cutBy). */
const HELPER_NAMES = ['chunk', 'chunkText', 'cutText'];

type Bindings = Map<string, NNode>;

const same = (a: NNode, b: NNode): boolean => a.k === b.k && a.v === b.v && a.c.length === b.c.length && a.c.every((x, i) => same(x, b.c[i]));

/** Unifies pattern `p` with `n`: `$`-identifiers bind subtrees (consistently); let/const/var are one (declarations, loop targets); `{ s }` matches `s`. */
function unify(p: NNode, n: NNode, b: Bindings): boolean {
  if (p.k === 'id' && p.v?.startsWith('$')) {
    const bound = b.get(p.v);
    if (bound) return same(bound, n);
    b.set(p.v, n);
    return true;
  }
  if (p.k === 'block' && p.c.length === 1 && n.k !== 'block') return unify(p.c[0], n, b);
  if (p.k !== n.k) return false;
  const declKind = p.k === 'var' || p.k === 'forof' || p.k === 'forin';
  if (!declKind && p.v !== n.v) return false;
  if (p.k === 'var' && (n.v === 'function' || n.v === 'class')) return false;
  if (p.c.length !== n.c.length) return false;
  return p.c.every((x, i) => unify(x, n.c[i], b));
}

/** How often identifier `name` occurs in `root`. */
function occurrences(root: NNode, name: string): number {
  let n = root.k === 'id' && root.v === name ? 1 : 0;
  for (const c of root.c) n += occurrences(c, name);
  return n;
}

/** `let name = <init>` (one declarator, a plain name). */
function declared(stmt: NNode): { name: string; init: NNode } | undefined {
  if (stmt.k !== 'var' || stmt.v === 'function' || stmt.v === 'class' || stmt.c.length !== 1) return undefined;
  const d = stmt.c[0];
  if (d.k !== 'decl' || d.c[0]?.k !== 'id' || d.c[0].v === undefined || !d.c[1]) return undefined;
  return { name: d.c[0].v, init: d.c[1] };
}

/** A local function: `let g = (...) => {...}` or `function g(...) {...}` (hoisted as `var(function)`). */
function helperOf(stmt: NNode): { name: string; fn: NNode } | undefined {
  if (stmt.k !== 'var' || stmt.v === 'class' || stmt.c.length !== 1) return undefined;
  const d = stmt.c[0];
  if (d.k !== 'decl' || d.c[0]?.k !== 'id' || d.c[0].v === undefined || d.c[1]?.k !== 'fn') return undefined;
  return { name: d.c[0].v, fn: d.c[1] };
}

const isNum = (n: NNode) => n.k === 'num' && n.v !== undefined && Number.isFinite(Number(n.v.replace(/_/g, '')));

export interface Cut {
  idiom: CutIdiom;
  /** Top-level statement indices the cut replaces (the size declaration and line helper included). */
  remove: number[];
  /** Index of the statement replaced by `let A = chunk(X, ...)`. */
  at: number;
  array: NNode;
  text: NNode;
  size: NNode;
  overlap: NNode;
}

/**
 * A size operand: a number literal, or a name bound once at the top level to one, used nowhere but
 * in the cut (its declaration goes with the cut).
 */
function resolveSize(stmts: readonly NNode[], root: NNode, n: NNode, usesInCut: number): { value: NNode; decl?: number } | undefined {
  if (isNum(n)) return { value: n };
  if (n.k !== 'id' || n.v === undefined) return undefined;
  const name = n.v;
  const decls = stmts.flatMap((s, i) => {
    const d = declared(s);
    return d && d.name === name ? [{ i, init: d.init }] : [];
  });
  if (decls.length !== 1 || !isNum(decls[0].init)) return undefined;
  // the declaration itself, and the uses inside the cut: nothing else may read it
  if (occurrences(root, name) !== 1 + usesInCut) return undefined;
  return { value: decls[0].init, decl: decls[0].i };
}

/** The cuts of a program's top-level statements. */
export function findCuts(tree: NNode): Cut[] {
  const stmts = tree.c;
  const cuts: Cut[] = [];
  const used = new Set<number>();
  for (let i = 0; i < stmts.length; i++) {
    for (const pat of PATTERNS) {
      const span = pat.stmts.length;
      if (i + span > stmts.length) continue;
      const b: Bindings = new Map();
      if (!pat.stmts.every((p, j) => unify(p, stmts[i + j], b))) continue;
      const array = b.get('$A');
      const text = b.get('$X');
      const sizeNode = b.get('$S');
      if (!array || array.k !== 'id' || !text || !sizeNode) continue;
      if (text.k !== 'id' && !(text.k === 'mem' && text.c[0]?.k === 'id')) continue;
      const cutNodes = mk('block', stmts.slice(i, i + span));
      const sizeUses = sizeNode.k === 'id' && sizeNode.v ? occurrences(cutNodes, sizeNode.v) : 0;
      const size = resolveSize(stmts, tree, sizeNode, sizeUses);
      if (!size) continue;
      let overlap: NNode = mk('num', [], '0');
      const remove = Array.from({ length: span }, (_, j) => i + j);
      if (size.decl !== undefined) remove.push(size.decl);
      if (pat.idiom === 'loop-overlap') {
        const o = b.get('$O');
        const ov = o ? resolveSize(stmts, tree, o, o.k === 'id' && o.v ? occurrences(cutNodes, o.v) : 0) : undefined;
        if (!ov) continue;
        overlap = ov.value;
        if (ov.decl !== undefined) remove.push(ov.decl);
      }
      if (pat.idiom === 'lines') {
        const g = b.get('$G');
        if (!g || g.k !== 'id' || g.v === undefined) continue;
        const helper = stmts.findIndex((s) => helperOf(s)?.name === g.v);
        if (helper < 0 || !unify(LINE_GROUPER_FN, helperOf(stmts[helper])!.fn, new Map())) continue;
        // the helper goes with the cut when nothing else calls it (1 definition + 1 call)
        if (occurrences(tree, g.v) === 2) remove.push(helper);
      }
      if (remove.some((r) => used.has(r))) continue;
      for (const r of remove) used.add(r);
      cuts.push({ idiom: pat.idiom, remove, at: i, array, text, size: size.value, overlap });
      break;
    }
  }
  return cuts;
}

/** Whether the members cut their input in more than one way (otherwise they keep their own code). */
export function cutVariantsDiffer(trees: readonly NNode[]): boolean {
  const idioms = new Set(trees.flatMap((t) => findCuts(t).map((c) => c.idiom)));
  return idioms.size >= 2;
}

/** The program with its cuts rewritten to calls of the shared helper (defined first); unchanged when it has none. */
export function rewriteCuts(tree: NNode): NNode {
  const cuts = findCuts(tree);
  if (cuts.length === 0) return tree;
  const taken = identifiersOf(tree);
  const name = HELPER_NAMES.find((n) => !taken.has(n));
  if (name === undefined) return tree;
  const removed = new Set(cuts.flatMap((c) => c.remove));
  const replaced = new Map(cuts.map((c) => [c.at, c]));
  const out: NNode[] = [...stmtsOf(helperCode(name))];
  tree.c.forEach((s, i) => {
    const c = replaced.get(i);
    if (c) {
      const mode = mk('str', [], c.idiom === 'lines' ? 'lines' : 'chars');
      const call = mk('call', [mk('id', [], name), c.text, mode, c.size, c.overlap]);
      out.push(mk('var', [mk('decl', [c.array, call])], 'let'));
    } else if (!removed.has(i)) out.push(s);
  });
  return mk('prog', out, tree.v);
}

/** A call of the shared helper in a rewritten program: what it cuts, how, and into what size. */
export interface HelperCut {
  /** Index of the helper's definition among the top-level statements. */
  definition: number;
  text: NNode;
  cutBy: 'lines' | 'chars';
  size: number;
}

/** The cuts a program rewritten by {@link rewriteCuts} makes with the shared helper (none otherwise). */
export function helperCuts(tree: NNode): HelperCut[] {
  const definition = tree.c.findIndex((s) => {
    const h = helperOf(s);
    return h !== undefined && HELPER_NAMES.includes(h.name) && same(s, stmtsOf(helperCode(h.name))[0]);
  });
  if (definition < 0) return [];
  const name = helperOf(tree.c[definition])!.name;
  const out: HelperCut[] = [];
  for (const s of tree.c) {
    const d = declared(s);
    const call = d?.init;
    if (!call || call.k !== 'call' || call.c[0].k !== 'id' || call.c[0].v !== name) continue;
    const [, text, mode, size] = call.c;
    if (!text || mode?.k !== 'str' || (mode.v !== 'lines' && mode.v !== 'chars') || !size || !isNum(size)) continue;
    out.push({ definition, text, cutBy: mode.v, size: Number(size.v!.replace(/_/g, '')) });
  }
  return out;
}
