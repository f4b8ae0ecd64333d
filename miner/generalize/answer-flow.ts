/**
 * Where the model's answers flow in a program: the names that hold them (bound to, pushed from or
 * looped over model calls), and the model calls that are asked about answers rather than about the
 * input (a combining stage: "combine these partial summaries").
 */
import { MODEL_CALLS } from '../front/names.js';
import { clone, forEachNode, methodCall, some, type NNode } from '../front/tree.js';
import { renamePositional } from '../front/rename.js';
import { collectFunctions } from '../front/scope.js';

/** Array methods whose callback receives the receiver's items. */
const ITEM_CALLBACKS = new Set(['map', 'flatMap', 'filter', 'forEach', 'find', 'some', 'every']);

/** Whether `n` calls the model (`llm(...)`, `llmBatch(...)`, …) directly. */
export const isModelCall = (n: NNode): boolean => n.k === 'call' && n.c[0]?.k === 'id' && MODEL_CALLS.has(n.c[0].v ?? '');

/** Methods that select from their receiver: what their callback or arguments read does not become their value. */
const SELECTING = new Set(['filter', 'find', 'findLast', 'sort', 'slice', 'some', 'every', 'findIndex', 'indexOf', 'includes', 'at']);

/**
 * Whether the value of `n` holds the model's answers: a model call, a name that holds them, or an
 * expression built from one. `lines.filter((l) => !seen.has(l))` selects from `lines` (the input):
 * its value does not hold what its callback reads.
 */
export function derivesFrom(n: NNode, holds: ReadonlySet<string> | ((name: string) => boolean), askers: ReadonlySet<string> = new Set()): boolean {
  const isAnswer = typeof holds === 'function' ? holds : (name: string) => holds.has(name);
  const visit = (x: NNode): boolean => {
    if (isModelCall(x)) return true;
    // a function is not a value made of answers; a call to a local one that asks the model is
    if (x.k === 'fn') return false;
    if (x.k === 'call' && x.c[0].k === 'id' && askers.has(x.c[0].v ?? '')) return true;
    if (x.k === 'id') return x.v !== undefined && isAnswer(x.v);
    // a request's query is not what it is about (`{ query: \`… ${labels} …\`, context: chunk }`)
    if (x.k === 'prop' && x.v === 'query') return false;
    const m = methodCall(x);
    if (m && SELECTING.has(m.method)) return visit(m.recv);
    // a callback's result is part of the call's value (`chunks.map((c) => llm(q, c))`)
    if (x.k === 'call') return x.c.some((ch) => (ch.k === 'fn' ? visit(ch.c[2]) : visit(ch)));
    return x.c.some(visit);
  };
  return visit(n);
}

/** The local functions that ask the model (directly, or through another such function): what they return is made of answers. */
export function askingFunctions(tree: NNode): Set<string> {
  const fns = collectFunctions([tree]);
  const out = new Set<string>();
  let before = -1;
  while (out.size !== before) {
    before = out.size;
    for (const [name, fn] of fns) if (!out.has(name) && some(fn.c[2], (x) => isModelCall(x) || (x.k === 'call' && x.c[0].k === 'id' && out.has(x.c[0].v ?? '')))) out.add(name);
  }
  return out;
}

/**
 * The tree with every binding renamed apart (rename.ts: two callbacks' `x` become two names, a
 * function's `out` is not the program's `out`), and each of its nodes' original. Same shape, so the
 * flow found on the copy holds for the original.
 */
function renamedApart(tree: NNode): { copy: NNode; original: Map<NNode, NNode>; twin: Map<NNode, NNode> } {
  const copy = clone(tree);
  renamePositional(copy);
  const original = new Map<NNode, NNode>();
  const twin = new Map<NNode, NNode>();
  const pair = (a: NNode, b: NNode): void => {
    original.set(b, a);
    twin.set(a, b);
    a.c.forEach((ch, i) => pair(ch, b.c[i]));
  };
  pair(tree, copy);
  return { copy, original, twin };
}

/** Whether a node of `tree` has a value made of the model's answers, with names resolved through scopes. */
export function answerValues(tree: NNode): (n: NNode) => boolean {
  const { copy, twin } = renamedApart(tree);
  const names = answerNames(copy);
  const askers = askingFunctions(copy);
  return (n) => {
    const t = twin.get(n);
    return t !== undefined && derivesFrom(t, names, askers);
  };
}

/** Methods that put their arguments into their receiver. */
const MUTATING = new Set(['push', 'unshift', 'add', 'set', 'splice', 'concat']);

/** The name an assignment target or receiver is rooted at: `x`, `x[i]`, `x.k.j`. */
function rootName(n: NNode | undefined): string | undefined {
  let x = n;
  while (x && (x.k === 'idx' || x.k === 'mem')) x = x.c[0];
  return x?.k === 'id' ? x.v : undefined;
}

/**
 * Names whose values come from the model's answers: bound to, pushed from or looped over model
 * calls, to a fixpoint. Names as written: the same name bound in two places is one name here
 * (answerValues and combiningCalls resolve them through scopes first).
 */
export function answerNames(tree: NNode): Set<string> {
  const names = new Set<string>();
  const askers = askingFunctions(tree);
  const tainted = (n: NNode | undefined): boolean => n !== undefined && derivesFrom(n, names, askers);
  const bindingIds = (n: NNode): string[] => {
    const out: string[] = [];
    forEachNode(n, (x) => {
      if (x.k === 'id' && x.v) out.push(x.v);
    });
    return out;
  };
  let before = -1;
  while (names.size !== before) {
    before = names.size;
    forEachNode(tree, (n) => {
      // `x = …`, and `x[i] = …` / `x.k = …` (the value goes into x)
      const target = n.k === 'decl' || n.k === 'assign' ? rootName(n.c[0]) : undefined;
      if (target && tainted(n.c[1])) names.add(target);
      const m = methodCall(n);
      const into = m && MUTATING.has(m.method) ? rootName(m.recv) : undefined;
      if (into && m!.args.some(tainted)) names.add(into);
      if ((n.k === 'forof' || n.k === 'forawait') && tainted(n.c[1])) for (const name of bindingIds(n.c[0])) names.add(name);
    });
  }
  return names;
}

/** The names a function node binds as parameters. */
function paramNames(fn: NNode): string[] {
  const out: string[] = [];
  for (const p of fn.c[1]?.c ?? []) forEachNode(p, (x) => {
    if (x.k === 'id' && x.v) out.push(x.v);
  });
  return out;
}

/** What a model call is asked about: `llm(q, ctx)`'s second argument; for a batch, its list of requests (whose queries derivesFrom skips). */
function contextOf(call: NNode): NNode | undefined {
  const callee = call.c[0].v;
  return callee === 'llmBatch' || callee === 'rlmBatch' ? call.c[1] : call.c[2];
}

/**
 * The model calls whose context is made of the model's own answers (`llm("Combine …", parts.join("\n"))`,
 * or a batch over groups of them): the template's combining stage, in source order. A callback's
 * parameter holds answers when the array it is called over does (`groups.map((g) => ({ query, context: g }))`);
 * a function's own parameters shadow names outside it.
 */
export function combiningCalls(tree: NNode): NNode[] {
  const apart = renamedApart(tree);
  return combiningIn(apart.copy).map((n) => apart.original.get(n)!);
}

function combiningIn(tree: NNode): NNode[] {
  const names = answerNames(tree);
  const askers = askingFunctions(tree);
  const out: NNode[] = [];
  const holds = (n: NNode, scope: ReadonlyMap<string, boolean>): boolean => derivesFrom(n, (name) => scope.get(name) ?? names.has(name), askers);
  const walk = (n: NNode, scope: ReadonlyMap<string, boolean>): void => {
    const each = methodCall(n);
    const callback = each?.args[0];
    if (each && ITEM_CALLBACKS.has(each.method) && callback?.k === 'fn') {
      walk(each.recv, scope);
      const inner = new Map(scope);
      const fromAnswers = holds(each.recv, scope);
      paramNames(callback).forEach((name, i) => inner.set(name, i === 0 && fromAnswers));
      walk(callback.c[2], inner);
      return;
    }
    if (n.k === 'fn') {
      const inner = new Map(scope);
      for (const name of paramNames(n)) inner.set(name, false);
      walk(n.c[2], inner);
      return;
    }
    if (isModelCall(n)) {
      const context = contextOf(n);
      if (context !== undefined && holds(context, scope)) out.push(n);
    }
    for (const ch of n.c) walk(ch, scope);
  };
  walk(tree, new Map());
  return out;
}

/** Whether the node at `path` is what the program answers: inside `FINAL(...)`, or bound to a name it passes to FINAL. */
export function isAnswerPosition(root: NNode, path: readonly number[]): boolean {
  const finals = new Set<string>();
  const walk = (n: NNode): void => {
    if (n.k === 'call' && n.c[0].k === 'id' && n.c[0].v === 'FINAL' && n.c[1]?.k === 'id' && n.c[1].v !== undefined) finals.add(n.c[1].v);
    n.c.forEach(walk);
  };
  walk(root);
  let node = root;
  for (const i of path) {
    if (node.k === 'call' && node.c[0].k === 'id' && node.c[0].v === 'FINAL') return true;
    if ((node.k === 'decl' || node.k === 'assign') && node.c[0]?.k === 'id' && finals.has(node.c[0].v ?? '')) return true;
    node = node.c[i];
  }
  return false;
}

/**
 * Names bound straight to what a model call answers (`owner = await searchDocs(…)`, `draft = (await
 * llm(…)).trim()`) — not to something computed from answers (`neg = answers.filter(…).length`).
 */
export function modelAnswerNames(tree: NNode): Set<string> {
  const askers = askingFunctions(tree);
  const asks = (n: NNode | undefined): boolean => {
    if (!n) return false;
    if (n.k === 'await') return asks(n.c[0]);
    if (isModelCall(n) && n.c[0].v !== 'llmBatch' && n.c[0].v !== 'rlmBatch') return true;
    if (n.k === 'call' && n.c[0].k === 'id' && askers.has(n.c[0].v ?? '')) return true;
    const trim = methodCall(n, 'trim');
    return trim !== undefined && asks(trim.recv);
  };
  const out = new Set<string>();
  forEachNode(tree, (n) => {
    if ((n.k === 'decl' || n.k === 'assign') && n.c[0]?.k === 'id' && n.c[0].v && asks(n.c[1])) out.add(n.c[0].v);
  });
  return out;
}
