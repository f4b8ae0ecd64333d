/**
 * Checks of model answers against the input that some members make and the template does not.
 *
 * Members written alike differ in small ways: one adds `&& context.includes(r)` to the filter that
 * keeps the model's answers, so that an answer a sub-call made up (a code that is nowhere in the
 * text) is dropped instead of taken. The function keeps that check: it can only drop answers that
 * are not in the input, which a member that made the check never accepted, and replay tells whether
 * any member's answer depended on one. Only a check against the input itself (`context` or a name
 * bound to it) is taken over — a check against some other value would need that value in scope.
 */
import { clone, forEachNode, id, methodCall, mk, type NNode } from '../front/tree.js';
import { printNode } from '../front/print.js';
import { answerValues } from './answer-flow.js';

/** A `.filter((p) => …)` over the model's answers whose predicate is one expression. */
interface AnswerFilter {
  /** The arrow function node (params, body). */
  fn: NNode;
  param: string;
  /** The receiver, printed (to see whether the answers were trimmed before the filter). */
  receiver: string;
}

function answerFilters(tree: NNode): AnswerFilter[] {
  const holdsAnswers = answerValues(tree);
  const out: AnswerFilter[] = [];
  forEachNode(tree, (n) => {
    const m = methodCall(n, 'filter');
    const fn = m?.args[0];
    if (!m || fn?.k !== 'fn') return;
    const fromModel = holdsAnswers(m.recv);
    const params = fn.c[1]?.c ?? [];
    const param = params.length === 1 && params[0].c[0]?.k === 'id' ? params[0].c[0].v : undefined;
    if (fromModel && param && fn.c[2] && fn.c[2].k !== 'block') out.push({ fn, param, receiver: printNode(m.recv) });
  });
  return out;
}

/** The operands of an `a && b && c` chain, in order. */
function conjuncts(n: NNode): NNode[] {
  return n.k === 'bin' && n.v === '&&' ? [...conjuncts(n.c[0]), ...conjuncts(n.c[1])] : [n];
}

/** `context` and the names bound straight to it (`let text = context`). */
function inputNames(tree: NNode): Set<string> {
  const out = new Set(['context']);
  forEachNode(tree, (n) => {
    if (n.k === 'decl' && n.c[0]?.k === 'id' && n.c[0].v && n.c[1]?.k === 'id' && n.c[1].v === 'context') out.add(n.c[0].v);
  });
  return out;
}

/** Whether `c` is `<input>.includes(p)` or `<input>.includes(p.trim())`. */
function checksAgainstInput(c: NNode, param: string, inputs: ReadonlySet<string>): boolean {
  const m = methodCall(c, 'includes');
  if (!m || m.recv.k !== 'id' || !inputs.has(m.recv.v ?? '') || m.args.length !== 1) return false;
  const arg = m.args[0];
  if (arg.k === 'id') return arg.v === param;
  const trim = methodCall(arg, 'trim');
  return trim !== undefined && trim.recv.k === 'id' && trim.recv.v === param && trim.args.length === 0;
}

const hasInputCheck = (f: AnswerFilter, inputs: ReadonlySet<string>): boolean => conjuncts(f.fn.c[2]).some((c) => checksAgainstInput(c, f.param, inputs));

export interface AdoptedChecks {
  tree: NNode;
  /** How many of the given members made the check the template now makes (0: nothing adopted). */
  adoptedFrom: number;
}

/**
 * The template with the members' check of answers against the input added to its one filter of
 * model answers; unchanged when no member checks, the template already does, or it filters the
 * answers in more than one place (which filter the check belongs to would be a guess).
 */
export function adoptInputChecks(template: NNode, members: readonly NNode[]): AdoptedChecks {
  const unchanged = { tree: template, adoptedFrom: 0 };
  const own = answerFilters(template);
  if (own.length !== 1 || hasInputCheck(own[0], inputNames(template))) return unchanged;
  const checking = members.filter((m) => {
    const inputs = inputNames(m);
    return answerFilters(m).some((f) => hasInputCheck(f, inputs));
  }).length;
  if (checking === 0) return unchanged;
  const tree = clone(template);
  const [filter] = answerFilters(tree);
  const { fn, param } = filter;
  // answers trimmed before the filter are compared as they are, else trimmed (a reply's trailing newline is not in the text)
  const value = /\.trim\(\)/.test(filter.receiver) ? id(param) : mk('call', [mk('mem', [id(param)], 'trim')]);
  fn.c[2] = mk('bin', [fn.c[2], mk('call', [mk('mem', [id('context')], 'includes'), value])], '&&');
  return { tree, adoptedFrom: checking };
}
