/**
 * Independent model calls made one at a time in a loop become one `llmBatch` call in the emitted
 * function. A loop qualifies when each iteration asks the model exactly once, unconditionally, and
 * no iteration's question can depend on what an earlier iteration did:
 *   - the loop is `for (const x of xs)` (any binding pattern, no defaults) or a counting loop
 *     `for (let i = a; cond; incr)` whose header reads nothing the body writes, and the body does not
 *     write the loop counter or mutate what the loop iterates;
 *   - the one call is `await llm(q, ctx)` (or `recursive_llm`) at a place evaluated once per
 *     iteration (not under `&&`, `?:`, an `if` or a nested function), with no other model, `lib.*`
 *     or `tools.*` call in the body;
 *   - the statements before it only declare (`const y = f(x)`) without side effects;
 *   - the question and context read only the loop's bindings, those declarations and names the body
 *     never writes or mutates (a fold — a prompt that reads the previous answer — stays sequential);
 *   - after the call there is no `break`, `return`, `throw` or labeled jump (an early exit that
 *     depends on an answer would make the batch ask more than the loop did); `continue` is fine.
 * The rewrite asks the same questions with the same contexts in the same order, and hands the
 * answers to the loop's remaining statements in that order:
 *   const answers = await llmBatch(Array.from(xs, (x) => ({ query: q, context: ctx })));
 *   for (const answer of answers) out.push(answer);
 * or, when the rest of the body still reads the loop's bindings,
 *   const items = Array.from(xs);
 *   const answers = await llmBatch(items.map((x) => ({ query: q, context: ctx })));
 *   for (const [index, x] of items.entries()) { ...; out.push(f(x, answers[index])); }
 * Counting loops first collect their counter's values (`indexes`) and then proceed the same way.
 */
import { collectFunctions, EffectsAnalyzer, patternNames } from '../front/scope.js';
import { clone, id, mk, none, type NNode } from '../front/tree.js';
import { identifiersOf, uniqueNames } from './param-names.js';

/** Calls that ask the model (or run code that may): only llm/recursive_llm can be batched. */
const BATCHABLE = new Set(['llm', 'recursive_llm']);
const OTHER_MODEL_CALLS = new Set(['llmBatch', 'rlm', 'rlmBatch']);
const OPAQUE_OBJECTS = new Set(['lib', 'tools']);

/** What was rewritten, for the candidate's notes and tests. */
export interface BatchResult {
  /** How many loops now make one llmBatch call. */
  batched: number;
}

interface Site {
  /** Index of the body statement that holds the call. */
  statement: number;
  /** The `await` node's parent and the await's index in it. */
  parent: NNode;
  index: number;
  call: NNode;
}

interface LoopShape {
  /** The binding pattern each iteration gets (`x`, `{a, b}`, the counter). */
  target: NNode;
  keyword: string;
  /** forof: the iterable; for: the header, which is repeated to collect the counter's values. */
  iterable?: NNode;
  header?: { init: NNode; cond: NNode; incr: NNode; counter: string };
  body: NNode[];
}

/** Rewrites every qualifying loop in the tree (innermost first); the tree is changed in place. */
export function batchLoops(tree: NNode): BatchResult {
  const analyzer = new EffectsAnalyzer(collectFunctions([tree]));
  const taken = identifiersOf(tree);
  let batched = 0;
  const visit = (n: NNode): void => {
    for (const ch of n.c) visit(ch);
    if (n.k !== 'prog' && n.k !== 'block') return;
    for (let i = 0; i < n.c.length; i++) {
      const replacement = rewriteLoop(n.c[i], analyzer, taken);
      if (!replacement) continue;
      n.c.splice(i, 1, ...replacement);
      i += replacement.length - 1;
      batched++;
    }
  };
  visit(tree);
  return { batched };
}

function loopShape(s: NNode): LoopShape | undefined {
  const bodyOf = (b: NNode): NNode[] => (b.k === 'block' ? b.c : [b]);
  if (s.k === 'forof') {
    if (s.v !== 'const' && s.v !== 'let' && s.v !== 'var') return undefined;
    if (hasDefaults(s.c[0])) return undefined;
    return { target: s.c[0], keyword: s.v, iterable: s.c[1], body: bodyOf(s.c[2]) };
  }
  if (s.k === 'for') {
    const [init, cond, incr, body] = s.c;
    if (init.k !== 'var' || (init.v !== 'let' && init.v !== 'var') || init.c.length !== 1) return undefined;
    const target = init.c[0].c[0];
    if (target.k !== 'id' || target.v === undefined || init.c[0].c[1] === undefined || cond.k === 'none' || incr.k === 'none') return undefined;
    return { target, keyword: init.v, header: { init, cond, incr, counter: target.v }, body: bodyOf(body) };
  }
  return undefined;
}

function hasDefaults(p: NNode): boolean {
  if (p.k === 'dflt' || (p.k === 'bind' && p.c.length > 1) || (p.k === 'cbind' && p.c.length > 2)) return true;
  return p.c.some(hasDefaults);
}

/** Calls of the model, a library function or a tool anywhere under n (nested functions too). */
function modelishCalls(n: NNode, out: NNode[] = []): NNode[] {
  if (n.k === 'call') {
    const callee = n.c[0];
    if (callee.k === 'id' && (BATCHABLE.has(callee.v ?? '') || OTHER_MODEL_CALLS.has(callee.v ?? ''))) out.push(n);
    else if (callee.k === 'mem' && callee.c[0].k === 'id' && OPAQUE_OBJECTS.has(callee.c[0].v ?? '')) out.push(n);
  }
  for (const ch of n.c) modelishCalls(ch, out);
  return out;
}

/** The place of `call` under statement s when it is awaited directly and evaluated exactly once. */
function unconditionalSite(s: NNode, call: NNode): { parent: NNode; index: number } | undefined {
  if (s.k !== 'expr' && s.k !== 'var') return undefined;
  let found: { parent: NNode; index: number } | undefined;
  const walk = (n: NNode, conditional: boolean): void => {
    if (found) return;
    n.c.forEach((ch, i) => {
      if (ch.k === 'await' && ch.c[0] === call) {
        if (!conditional && n.k !== 'fn') found = { parent: n, index: i };
        return;
      }
      const lazy =
        n.k === 'fn' ||
        (n.k === 'cond' && i > 0) ||
        (n.k === 'bin' && (n.v === '&&' || n.v === '||' || n.v === '??') && i > 0) ||
        (n.k === 'assign' && (n.v === '&&=' || n.v === '||=' || n.v === '??=') && i > 0);
      walk(ch, conditional || lazy);
    });
  };
  walk(s, false);
  return found;
}

/** break / return / throw / labeled jumps / yield that leave the loop body (not inside nested functions or loops they target). */
function exits(n: NNode, inLoopOrSwitch: boolean): boolean {
  switch (n.k) {
    case 'fn':
    case 'class':
      return false;
    case 'return':
    case 'throw':
    case 'yield':
      return true;
    case 'break':
      return n.v !== undefined || !inLoopOrSwitch;
    case 'continue':
      return n.v !== undefined;
    case 'for':
    case 'forof':
    case 'forin':
    case 'forawait':
    case 'while':
    case 'do':
    case 'switch':
      return n.c.some((ch) => exits(ch, true));
    default:
      return n.c.some((ch) => exits(ch, inLoopOrSwitch));
  }
}

function containsAwait(n: NNode): boolean {
  if (n.k === 'fn') return false;
  return n.k === 'await' || n.c.some(containsAwait);
}

function rewriteLoop(s: NNode, analyzer: EffectsAnalyzer, taken: Set<string>): NNode[] | undefined {
  const loop = loopShape(s);
  if (!loop) return undefined;
  const calls = loop.body.flatMap((b) => modelishCalls(b));
  if (calls.length !== 1 || !BATCHABLE.has(calls[0].c[0].v ?? '')) return undefined;
  const call = calls[0];
  const args = call.c.slice(1);
  if (args.length < 1 || args.length > 2 || args.some((a) => a.k === 'spread' || containsAwait(a))) return undefined;
  const statement = loop.body.findIndex((b) => modelishCalls(b).length > 0);
  const place = unconditionalSite(loop.body[statement], call);
  if (!place) return undefined;
  const site: Site = { statement, ...place, call };

  // The statements before the call only declare, without effects.
  const pre = loop.body.slice(0, statement);
  for (const p of pre) {
    if (p.k !== 'var' || (p.v !== 'const' && p.v !== 'let') || containsAwait(p)) return undefined;
    const e = analyzer.effects(p);
    if (e.modelCall || e.jump || e.weak.size > 0 || [...e.strong].some((n) => !e.declares.has(n))) return undefined;
  }
  const post = loop.body.slice(statement + 1);
  if ([loop.body[statement], ...post].some((b) => exits(b, false))) return undefined;

  // What the body writes or mutates, across iterations (its own let/const declarations are per iteration).
  const answerMark = id('__accrete_batched_answer__');
  const withoutCall = loop.body.map((b, i) => (i === statement ? replaced(b, site, answerMark) : b));
  const perIteration = new Set<string>();
  for (const b of loop.body) if (b.k === 'var' && b.v !== 'var') for (const d of b.c) patternNames(d.c[0], []).forEach((n) => perIteration.add(n));
  const writes = new Set<string>();
  for (const b of withoutCall) {
    const e = analyzer.effects(b);
    if (e.modelCall) return undefined;
    for (const n of [...e.weak, ...e.strong]) if (!perIteration.has(n)) writes.add(n);
  }
  const loopNames = patternNames(loop.target, []);
  if (loop.header && writes.has(loop.header.counter)) return undefined;

  // The question and context read nothing the body changes.
  const reads = (n: NNode): Set<string> => analyzer.effects(mk('expr', [n])).uses;
  const argEffects = analyzer.effects(mk('expr', [mk('arr', args)]));
  if (argEffects.weak.size > 0 || argEffects.strong.size > 0 || argEffects.modelCall) return undefined;
  const readByRequests = [...argEffects.uses, ...pre.flatMap((p) => [...analyzer.effects(p).uses])];
  if (readByRequests.some((n) => writes.has(n))) return undefined;

  // The loop's header reads nothing the body changes.
  if (loop.iterable) {
    if ([...reads(loop.iterable)].some((n) => writes.has(n))) return undefined;
  } else if (loop.header) {
    const { init, cond, incr, counter } = loop.header;
    const condEffects = analyzer.effects(mk('expr', [cond]));
    const incrEffects = analyzer.effects(mk('expr', [incr]));
    const initEffects = analyzer.effects(init);
    if (condEffects.weak.size > 0 || condEffects.strong.size > 0 || condEffects.modelCall || containsAwait(cond)) return undefined;
    if ([...incrEffects.weak, ...incrEffects.strong].some((n) => n !== counter) || incrEffects.modelCall || containsAwait(incr)) return undefined;
    if (initEffects.weak.size > 0 || initEffects.modelCall || containsAwait(init)) return undefined;
    if ([...condEffects.uses, ...incrEffects.uses, ...initEffects.uses].some((n) => writes.has(n))) return undefined;
  }

  return emitBatched(loop, site, pre, post, args, loopNames, taken);
}

/** Statement b with the awaited call replaced by `value`. */
function replaced(b: NNode, site: Site, value: NNode): NNode {
  const copy = (n: NNode): NNode => (n === site.parent ? { k: n.k, v: n.v, c: n.c.map((ch, i) => (i === site.index ? value : copy(ch))) } : { k: n.k, v: n.v, c: n.c.map(copy) });
  return copy(b);
}

function references(nodes: readonly NNode[], names: ReadonlySet<string>): boolean {
  const walk = (n: NNode): boolean => (n.k === 'id' && n.v !== undefined && names.has(n.v)) || n.c.some(walk);
  return nodes.some(walk);
}

const constDecl = (name: string, init: NNode): NNode => mk('var', [mk('decl', [id(name), init])], 'const');
const arrow = (params: NNode[], body: NNode): NNode => mk('fn', [none(), mk('params', params.map((p) => mk('param', [p]))), body], '');
const method = (recv: NNode, name: string, args: NNode[]): NNode => mk('call', [mk('mem', [recv], name), ...args]);

function emitBatched(loop: LoopShape, site: Site, pre: NNode[], post: NNode[], args: NNode[], loopNames: string[], taken: Set<string>): NNode[] {
  const request = mk('obj', [mk('prop', [args[0]], 'query'), ...(args.length > 1 ? [mk('prop', [args[1]], 'context')] : [])]);
  const requestFn = arrow([clone(loop.target)], pre.length === 0 ? request : mk('block', [...pre.map(clone), mk('return', [request])]));
  const bindings = new Set([...loopNames, ...pre.flatMap((p) => p.c.flatMap((d) => patternNames(d.c[0], [])))]);
  const callStatement = loop.body[site.statement];
  // Whether what follows the call still reads the loop's bindings (then the loop runs over the values again).
  // A `var` binding outlives the loop: the loop runs over the values again so that it ends with the last one.
  const needsBindings = loop.keyword === 'var' || references([replaced(callStatement, site, mk('null')), ...post], bindings);
  const [answersName, answerName, indexName, valuesName] = uniqueNames(
    [['answers', 'modelAnswers', 'batchAnswers'], ['answer', 'reply', 'modelAnswer'], ['index', 'position', 'itemIndex'], loop.header ? ['indexes', 'counterValues', 'loopValues'] : ['items', 'loopItems', 'batchItems']],
    taken,
  );
  const out: NNode[] = [];
  let requests: NNode;
  if (loop.header) {
    // A counting loop: its counter's values first, by the loop's own header.
    const { init, cond, incr, counter } = loop.header;
    out.push(constDecl(valuesName, mk('arr')));
    out.push(mk('for', [clone(init), clone(cond), clone(incr), mk('block', [mk('expr', [method(id(valuesName), 'push', [id(counter)])])])]));
    requests = method(id(valuesName), 'map', [requestFn]);
  } else if (needsBindings) {
    out.push(constDecl(valuesName, method(id('Array'), 'from', [loop.iterable!])));
    requests = method(id(valuesName), 'map', [requestFn]);
  } else {
    requests = method(id('Array'), 'from', [loop.iterable!, requestFn]);
  }
  out.push(constDecl(answersName, mk('await', [mk('call', [id('llmBatch'), requests])])));
  if (!needsBindings) {
    [answersName, answerName, ...(loop.header ? [valuesName] : [])].forEach((n) => taken.add(n));
    out.push(mk('forof', [id(answerName), id(answersName), mk('block', [replaced(callStatement, site, id(answerName)), ...post])], 'const'));
    return out;
  }
  [answersName, indexName, valuesName].forEach((n) => taken.add(n));
  const rest = [...pre, replaced(callStatement, site, mk('idx', [id(answersName), id(indexName)])), ...post];
  out.push(mk('forof', [mk('apat', [id(indexName), loop.target]), method(id(valuesName), 'entries', []), mk('block', rest)], loop.keyword));
  return out;
}
