/**
 * One instruction (or one wording of the answer) with named placeholders. Members often build a sub-call's instruction as a template
 * literal around values the code computes (`Classify … into one of: ${LABELS.join(", ")}. Return only
 * JSON …`). When text parts of it vary, each part would be a parameter of its own — "the text between
 * the values the code fills in" — which a caller cannot write without reading the code. Here the
 * whole instruction becomes one parameter: its text with `{labels}` where the code fills a value in,
 * and the template literal becomes `instruction.split("{labels}").join(LABELS.join(", "))`, which
 * builds exactly the member's instruction from the member's own text. An answer written as a
 * template literal whose wording varies in several places (`About ${pct}% of the reviews are
 * negative (${n} of ${all}; …`) is one option the same way (`wording`, with `{pct}`, `{n}`, …),
 * not one option per fragment. Applied only where every
 * parameter of the literal's text parts lives in that literal and no parameter sits inside its
 * filled-in values (their paths would move).
 */
import { clone, id, mk, none, type NNode } from '../front/tree.js';
import { camelIdentifier, identifiersOf } from './param-names.js';
import { printNode } from '../front/print.js';
import { nodeAt, pathKey, valueKey, type JsonValue, type LiteralSite } from './literals.js';
import type { Alignment } from './align.js';
import { mostCommon, type Placeholder, type PlannedParam } from './params.js';
import type { RoleInfo } from './roles.js';
import { isAnswerPosition, modelAnswerNames } from './answer-flow.js';

export interface InstructionTemplates {
  /** The template with each merged literal replaced by its split/join chain. */
  tree: NNode;
  plan: PlannedParam[];
  sites: LiteralSite[];
  /** Roles of the sites, the merged instructions' sites added. */
  roles: Map<string, RoleInfo>;
}

interface Input {
  tree: NNode;
  plan: readonly PlannedParam[];
  sites: readonly LiteralSite[];
  roles: ReadonlyMap<string, RoleInfo>;
  alignments: readonly Alignment[];
}

const STRINGY_METHODS = new Set(['join', 'trim', 'toUpperCase', 'toLowerCase', 'slice', 'toString', 'padStart', 'padEnd']);

/** A name for what an interpolated expression holds: `KINDS.join(", ")` → kinds, `p.title` → title. */
function nameOf(n: NNode): string | undefined {
  if (n.k === 'id') return n.v;
  // `rows.length` → rowsCount (a bare `length` says nothing of what is counted)
  if (n.k === 'mem' && n.v === 'length') {
    const of = nameOf(n.c[0]);
    return of ? `${of}Count` : 'count';
  }
  if (n.k === 'mem') return n.v;
  if (n.k === 'call') {
    const callee = n.c[0];
    if (callee.k === 'mem' && callee.v !== undefined && STRINGY_METHODS.has(callee.v)) return nameOf(callee.c[0]);
    if (callee.k === 'id' && (callee.v === 'String' || callee.v === 'Number') && n.c[1]) return nameOf(n.c[1]);
    if (callee.k === 'mem' && callee.v === 'stringify' && n.c[1]) return nameOf(n.c[1]);
  }
  return undefined;
}

/** `KINDS` → `kinds`, `MAX_ITEMS` → `maxItems`, `title` as it is. */
function placeholderName(raw: string | undefined): string {
  if (raw === undefined) return 'value';
  // camelCase names stay as written; SHOUTED or snake_case ones are camel-cased
  return (/^[a-z][A-Za-z0-9]*$/.test(raw) ? raw : camelIdentifier(raw)) || 'value';
}

/** What a filled-in value is, in words; `fromModel`: a name bound to what a model call answered (answer-flow.ts). */
function describeFill(n: NNode, name: string, fromModel: boolean): string {
  if (n.k === 'mem' && n.v === 'length' && name.endsWith('Count') && name.length > 5) return `the number of ${name.slice(0, -5)}`;
  if (n.k === 'call' && n.c[0].k === 'mem' && n.c[0].v === 'join' && n.c[1]?.k === 'str') return `the ${name}, joined by ${JSON.stringify(n.c[1].v ?? '')}`;
  if (fromModel && n.k === 'id') return `what the model answered earlier, \`${n.v}\``;
  // the code that computes it says more than its name (`{neg}` alone does not)
  const code = printNode(n).replace(/\s+/g, ' ');
  return code.length <= 60 ? `the value of \`${code}\`` : `the ${name}`;
}

/** Whether an expression is a string already (`.join(...)`, a template literal, a string literal). */
function isStringValued(n: NNode): boolean {
  return n.k === 'str' || n.k === 'tpl' || (n.k === 'call' && n.c[0].k === 'mem' && n.c[0].v === 'join') || (n.k === 'call' && n.c[0].k === 'id' && n.c[0].v === 'String');
}

const under = (key: string, prefix: string): boolean => prefix === '' || key === prefix || key.startsWith(`${prefix}.`);

/** Template literals in document order, with their paths. */
function templateLiterals(root: NNode): { node: NNode; path: number[] }[] {
  const out: { node: NNode; path: number[] }[] = [];
  const walk = (n: NNode, path: number[], parent: NNode | undefined): void => {
    // a tagged template (String.raw`…`) hands its tag the parts, not one string: left as written
    if (n.k === 'tpl' && parent?.k !== 'tagged') out.push({ node: n, path });
    n.c.forEach((ch, i) => walk(ch, [...path, i], n));
  };
  walk(root, [], undefined);
  return out;
}

/** An expression that reads values and has no effects (`pct`, `tally.negative`, `rows.length`, `LABELS.join(", ")`): the same text, the same value, so one placeholder serves every place it is written. */
function isPure(n: NNode): boolean {
  if (n.k === 'id' || n.k === 'str' || n.k === 'num') return true;
  if (n.k === 'mem') return isPure(n.c[0]);
  if (n.k === 'call' && n.c[0].k === 'mem' && ['join', 'trim', 'toUpperCase', 'toLowerCase'].includes(n.c[0].v ?? '')) return isPure(n.c[0].c[0]) && n.c.slice(1).every(isPure);
  return false;
}

/** A name for the replacer's parameters not used by the template (a filled value may read any of its names). */
function freeName(taken: ReadonlySet<string>, candidates: readonly string[]): string {
  const free = candidates.find((c) => !taken.has(c));
  if (free) return free;
  for (let n = 2; ; n++) if (!taken.has(`${candidates[0]}${n}`)) return `${candidates[0]}${n}`;
}

/**
 * The expression that builds the text with its placeholders filled, and the path from it to the
 * text's string literal (the parameter's site). One placeholder: `text.split("{a}").join(a)`.
 * Several: one pass, so that a filled value holding another placeholder's name stays as it is —
 * `text.replace(/\{(a|b)\}/g, (whole, key) => key === "a" ? a : b)`.
 */
function fillExpression(text: string, fills: readonly { name: string; node: NNode }[], taken: ReadonlySet<string>): { expr: NNode; sitePath: number[]; fillPaths: Map<string, number[]> } {
  const clones = new Map<string, NNode>();
  const value = (f: { name: string; node: NNode }): NNode => {
    const copy = clone(f.node);
    clones.set(f.name, copy);
    return isStringValued(f.node) ? copy : mk('call', [id('String'), copy]);
  };
  const literal = mk('str', [], text);
  let built: { expr: NNode; sitePath: number[] };
  if (fills.length === 1) {
    built = { expr: mk('call', [mk('mem', [mk('call', [mk('mem', [literal], 'split'), mk('str', [], `{${fills[0].name}}`)])], 'join'), value(fills[0])]), sitePath: [0, 0, 0, 0] };
  } else {
    const whole = freeName(taken, ['whole', 'marked', 'matched']);
    const key = freeName(taken, ['key', 'slot', 'placeholderName']);
    let body = value(fills[fills.length - 1]);
    for (const f of [...fills].reverse().slice(1)) body = mk('cond', [mk('bin', [id(key), mk('str', [], f.name)], '==='), value(f), body]);
    const pattern = mk('re', [], `/\\{(${fills.map((f) => f.name).join('|')})\\}/g`);
    const replacer = mk('fn', [none(), mk('params', [mk('param', [id(whole)]), mk('param', [id(key)])]), body], '');
    built = { expr: mk('call', [mk('mem', [literal], 'replace'), pattern, replacer]), sitePath: [0, 0] };
  }
  // where each filled-in value now sits in the expression (a parameter inside it moves with it)
  const fillPaths = new Map<string, number[]>();
  const find = (n: NNode, path: number[]): void => {
    for (const [name, copy] of clones) if (copy === n) fillPaths.set(name, path);
    n.c.forEach((ch, i) => find(ch, [...path, i]));
  };
  find(built.expr, []);
  return { ...built, fillPaths };
}

/**
 * The other template literals that write the same instruction (a retry's copy): each holds sites of
 * the parameters of `tpl`'s parts, has the same parts at the same places (a parameter's site where
 * `tpl` has one, the same text elsewhere) and fills in the same expressions. Undefined when a
 * parameter's other site is anywhere else (the parts are then left as they are).
 */
function copiesOf(
  root: NNode,
  tpl: NNode,
  path: readonly number[],
  paramOfSite: ReadonlyMap<string, PlannedParam>,
  partParams: readonly PlannedParam[],
  ownPartKeys: ReadonlySet<string>,
): { path: number[]; key: string; partKeys: string[] }[] | undefined {
  const others = new Map<string, number[]>();
  for (const p of partParams) {
    for (const k of p.sites) {
      if (ownPartKeys.has(k)) continue;
      const at = k.split('.').map(Number).slice(0, -1);
      others.set(pathKey(at), at);
    }
  }
  const copies: { path: number[]; key: string; partKeys: string[] }[] = [];
  for (const [key, at] of others) {
    const copy = nodeAt(root, at);
    if (!copy || copy.k !== 'tpl' || copy.c.length !== tpl.c.length || key === pathKey(path)) return undefined;
    const partKeys: string[] = [];
    for (let i = 0; i < tpl.c.length; i++) {
      const a = tpl.c[i];
      const b = copy.c[i];
      if ((a.k === 'tstr') !== (b.k === 'tstr')) return undefined;
      if (a.k !== 'tstr') {
        if (JSON.stringify(a) !== JSON.stringify(b)) return undefined;
        continue;
      }
      const own = paramOfSite.get(pathKey([...path, i]));
      const theirs = paramOfSite.get(pathKey([...at, i]));
      if (own !== theirs || (own === undefined && a.v !== b.v)) return undefined;
      partKeys.push(pathKey([...at, i]));
    }
    copies.push({ path: at, key, partKeys });
  }
  return copies;
}

/** Merges the instructions written as template literals whose text parts are parameters (see the module doc). */
export function mergeInstructionTemplates(input: Input): InstructionTemplates {
  const tree = clone(input.tree);
  let plan = [...input.plan];
  let sites = [...input.sites];
  const roles = new Map(input.roles);
  const paramOfSite = new Map<string, PlannedParam>();
  for (const p of plan) for (const k of p.sites) paramOfSite.set(k, p);
  const taken = identifiersOf(input.tree);

  // Outermost first: a literal inside another's filled-in value, once that one is merged, has moved and is left as it is.
  const mergedLiterals: string[] = [];
  const answers = modelAnswerNames(input.tree);
  for (const { node: tpl, path } of templateLiterals(input.tree)) {
    const key = pathKey(path);
    if (mergedLiterals.some((m) => m !== key && under(key, m))) continue;
    const parts = tpl.c.map((ch, i) => ({ ch, i, key: pathKey([...path, i]) })).filter((x) => x.ch.k === 'tstr');
    const fills = tpl.c.map((ch, i) => ({ ch, i })).filter((x) => x.ch.k !== 'tstr');
    if (fills.length === 0) continue;
    const partParams = [...new Set(parts.flatMap((p) => (paramOfSite.has(p.key) ? [paramOfSite.get(p.key)!] : [])))];
    if (partParams.length === 0) continue;
    // an instruction (a prompt), or wording of no other role split into several options (an answer's sentence)
    const prompt = parts.some((p) => roles.get(p.key)?.role === 'prompt');
    const wording = !prompt && partParams.length >= 2 && partParams.every((p) => p.sites.every((k) => roles.get(k)?.role === 'text'));
    if (!prompt && !wording) continue;
    const ownPartKeys = new Set(parts.map((p) => p.key));
    // the same literal written again (a retry's copy of the instruction) is merged with it
    const copies = copiesOf(input.tree, tpl, path, paramOfSite, partParams, ownPartKeys);
    if (copies === undefined) continue;
    const literals = [{ path, key }, ...copies];
    const partKeys = new Set([...ownPartKeys, ...copies.flatMap((c) => c.partKeys)]);
    // every parameter of a part lives in these literals' parts (one inside a filled-in value moves with it, below)
    if (partParams.some((p) => p.sites.some((k) => !partKeys.has(k)))) continue;
    if (literals.some((l) => nodeAt(tree, l.path)?.k !== 'tpl')) continue;

    // placeholder names, one per distinct filled-in expression, none already in the text
    const texts = parts.map((p) => String(p.ch.v ?? ''));
    const memberTexts = input.alignments.map((a) => parts.map((p) => a.values.get(p.key)?.value));
    const allText = [...texts, ...memberTexts.flat().map((v) => (typeof v === 'string' ? v : ''))].join('\u0000');
    const byExpr = new Map<string, Placeholder & { node: NNode }>();
    const used = new Set<string>();
    const fillNames = fills.map(({ ch, i }) => {
      const exprKey = isPure(ch) ? JSON.stringify(ch) : `#${i}`;
      const known = byExpr.get(exprKey);
      if (known) return known.name;
      const base = placeholderName(nameOf(ch));
      let name = base;
      for (let n = 2; used.has(name) || allText.includes(`{${name}}`); n++) name = `${base}${n}`;
      used.add(name);
      byExpr.set(exprKey, { name, what: describeFill(ch, name, ch.k === 'id' && answers.has(ch.v ?? '')), node: ch });
      return name;
    });
    const join = (partValues: readonly (JsonValue | undefined)[]): string | undefined => {
      if (partValues.some((v) => typeof v !== 'string')) return undefined;
      return partValues.map((v, i) => `${v as string}${i < fillNames.length ? `{${fillNames[i]}}` : ''}`).join('');
    };
    const templateText = join(texts)!;
    const values = memberTexts.map(join);
    const defined = values.filter((v): v is string => v !== undefined);
    const required = partParams.some((p) => p.required);

    // each literal becomes the text with its placeholders filled; the texts are the parameter's sites
    if (path.length === 0) continue;
    const bestRole = parts.map((p) => roles.get(p.key)).filter((r): r is RoleInfo => r !== undefined && r.role === 'prompt').sort((a, b) => b.quality - a.quality)[0];
    const role: RoleInfo = prompt
      ? { role: 'prompt', hints: bestRole?.hints ?? ['instruction', 'prompt'], quality: bestRole?.quality ?? 1 }
      : { role: 'text', hints: isAnswerPosition(input.tree, path) ? ['answerWording', 'wording'] : ['wording', 'format'], quality: 1 };
    const siteKeys: string[] = [];
    for (const literal of literals) {
      const built = fillExpression(templateText, [...byExpr.values()], taken);
      nodeAt(tree, literal.path.slice(0, -1))!.c[literal.path[literal.path.length - 1]] = built.expr;
      const sitePath = [...literal.path, ...built.sitePath];
      const siteKey = pathKey(sitePath);
      siteKeys.push(siteKey);
      // a parameter inside a filled-in value (`rows.join(separator)`) is where that value now is
      const moves = fills.map((f, j) => ({ from: [...literal.path, f.i], to: [...literal.path, ...built.fillPaths.get(fillNames[j])!] }));
      const moved = (path: readonly number[]): number[] | undefined => {
        const m = moves.find((x) => x.from.every((v, i) => path[i] === v));
        return m ? [...m.to, ...path.slice(m.from.length)] : undefined;
      };
      const movedKey = (k: string): string => {
        const to = under(k, literal.key) && !partKeys.has(k) ? moved(k.split('.').map(Number)) : undefined;
        return to ? pathKey(to) : k;
      };
      plan = plan.map((p) => (p.sites.some((k) => movedKey(k) !== k) ? { ...p, sites: [...new Set(p.sites.map(movedKey))] } : p));
      for (const [k, r] of [...roles]) if (movedKey(k) !== k) roles.set(movedKey(k), r);
      for (const [k, p] of [...paramOfSite]) if (movedKey(k) !== k) paramOfSite.set(movedKey(k), plan.find((q) => q.index === p.index) ?? p);
      const kept = sites.flatMap((s) => {
        if (!under(s.key, literal.key)) return [s];
        const to = partKeys.has(s.key) ? undefined : moved(s.path);
        return to ? [{ ...s, path: to, key: pathKey(to) }] : [];
      });
      roles.set(siteKey, role);
      sites = [...new Map([...kept, { path: sitePath, key: siteKey, literal: { kind: 'str' as const, value: templateText } }].map((x) => [x.key, x])).values()];
      mergedLiterals.push(literal.key);
    }

    const first = Math.min(...partParams.map((p) => p.index));
    const merged: PlannedParam = {
      index: first,
      kind: 'str',
      required,
      default: required ? templateText : mostCommon(values, templateText),
      sites: siteKeys,
      values,
      distinct: new Set(defined.map(valueKey)).size,
      weight: Math.max(...partParams.map((p) => p.weight)),
      placeholders: [...byExpr.values()].map(({ name, what }) => ({ name, what })),
      ...(!prompt && isAnswerPosition(input.tree, path) ? { answer: true } : {}),
    };
    const gone = new Set(partParams);
    plan = plan.flatMap((p) => (p === partParams.find((q) => q.index === first) ? [merged] : gone.has(p) ? [] : [p]));
    const live = new Set(plan.flatMap((p) => p.sites));
    for (const k of [...paramOfSite.keys()]) if (literals.some((l) => under(k, l.key)) && !live.has(k)) paramOfSite.delete(k);
    for (const k of siteKeys) paramOfSite.set(k, merged);
  }
  // required first, then options, each in order of first site (as planParams orders them); sites in source order
  const required = plan.filter((p) => p.required);
  const options = plan.filter((p) => !p.required);
  const inSourceOrder = (a: LiteralSite, b: LiteralSite): number => {
    for (let i = 0; i < Math.min(a.path.length, b.path.length); i++) if (a.path[i] !== b.path[i]) return a.path[i] - b.path[i];
    return a.path.length - b.path.length;
  };
  return { tree, plan: [...required, ...options].map((p, i) => ({ ...p, index: i })), sites: sites.sort(inSourceOrder), roles };
}
