/**
 * The generated function's parameters: their names (from the roles of their sites; a required
 * parameter that replaces a top-level `const x = <literal>` takes the name x), their TypeScript
 * types (from the values the members use), their docs, and the arguments each member's call
 * passes. Options are read as `opts.<name>`, so only required parameters must avoid the template's
 * own names.
 */
import type { FunctionParam } from '../../src/library/format.js';
import type { NNode } from '../front/tree.js';
import type { EmittedParam } from './emit.js';
import { valueKey, type JsonValue } from './literals.js';
import { bindingCount, identifiersOf, isUsableName, namesTakenAt, optionsName as pickOptionsName, uniqueNames } from './param-names.js';
import { typeOfValues, type PlannedParam } from './params.js';
import { roleWeight, type RoleInfo } from './roles.js';

export interface Parameters {
  params: EmittedParam[];
  optionsName: string;
  /** Name of the local helper that stringifies a non-string answer. */
  answerHelper: string;
  /** The role that names and documents a parameter (its best-named site). */
  roleOf: (p: PlannedParam) => RoleInfo;
}

/**
 * A required parameter whose one site is the whole initializer of a top-level `const x = <literal>`
 * (x bound nowhere else) takes the name x and replaces the declaration.
 */
function absorbableDeclaration(tree: NNode, p: PlannedParam): { name: string; index: number } | undefined {
  if (!p.required || p.sites.length !== 1 || p.kind === 're' || p.kind === 'tstr') return undefined;
  const path = p.sites[0].split('.').map(Number);
  if (path.length !== 3 || path[1] !== 0 || path[2] !== 1) return undefined;
  const stmt = tree.c[path[0]];
  if (stmt?.k !== 'var' || stmt.v === 'function' || stmt.v === 'class' || stmt.c.length !== 1 || stmt.c[0].c[0].k !== 'id') return undefined;
  const name = stmt.c[0].c[0].v;
  // A short or shouted name (`q`, `KEYS`) is not taken: the parameter is named from its role instead.
  if (name === undefined || !isUsableName(name) || name.length < 3 || bindingCount(tree, name) !== 1) return undefined;
  return { name, index: path[0] };
}

export function parameters(tree: NNode, plan: PlannedParam[], roles: ReadonlyMap<string, RoleInfo>): Parameters {
  const roleOf = (p: PlannedParam): RoleInfo =>
    p.sites.map((k) => roles.get(k)!).reduce((a, b) => (b.quality > a.quality || (b.quality === a.quality && roleWeight(b.role) > roleWeight(a.role)) ? b : a));
  const taken = identifiersOf(tree);
  const absorbed = plan.map((p) => absorbableDeclaration(tree, p));
  const absorbedNames = new Set(absorbed.flatMap((a) => (a ? [a.name] : [])));
  const required = plan.filter((p, i) => p.required && !absorbed[i]);
  // a required parameter may take a name only local functions bind for themselves (`question` of `ask(question)`)
  const takenAtSites = namesTakenAt(tree, required.flatMap((p) => p.sites.map((k) => k.split('.').map(Number))));
  const requiredNames = uniqueNames(required.map((p) => roleOf(p).hints), new Set([...takenAtSites, ...absorbedNames]));
  const options = plan.filter((p) => !p.required);
  const optionNames = uniqueNames(options.map((p) => roleOf(p).hints), new Set([...absorbedNames, ...requiredNames]), new Set(requiredNames));
  const params: EmittedParam[] = plan.map((p, i) => ({
    plan: p,
    name: absorbed[i]?.name ?? (p.required ? requiredNames[required.indexOf(p)] : optionNames[options.indexOf(p)]),
    type: choiceType(p, roleOf(p)) ?? typeOfValues(p.kind, [p.default, ...p.values.filter((v): v is JsonValue => v !== undefined)]),
    ...(absorbed[i] ? { absorbs: absorbed[i].index } : {}),
  }));
  const names = params.map((p) => p.name);
  const optionsName = pickOptionsName(new Set([...taken, ...names]));
  const answerHelper = uniqueNames([['asAnswer', 'toAnswer', 'answerText']], new Set([...taken, ...names, optionsName]))[0];
  return { params, optionsName, answerHelper, roleOf };
}

/** The values of a choice the code branches on: those it compares with and those the members passed. */
export function choiceValues(p: PlannedParam, role: RoleInfo): string[] {
  if (role.role !== 'mode') return [];
  const passed = [p.default, ...p.values].filter((v): v is string => typeof v === 'string');
  return [...new Set([...(role.choices ?? []), ...passed])];
}

/** A choice the code branches on is typed as the union of its values (`"lines" | "chars"`). */
function choiceType(p: PlannedParam, role: RoleInfo): string | undefined {
  const values = choiceValues(p, role);
  return values.length ? values.map((c) => JSON.stringify(c)).join(' | ') : undefined;
}

function paramDoc(p: PlannedParam, role: RoleInfo): string {
  const placeholders = p.placeholders?.length ? ` with ${p.placeholders.map((ph) => `{${ph.name}}`).join(', ')} filled in by the function` : '';
  const what = role.role === 'prompt' ? `prompt text${placeholders}` : role.role === 'text' && placeholders ? `wording${placeholders}` : role.role === 'labels' ? 'label values' : role.role === 'pattern' ? 'regular expression source' : role.role === 'size' ? 'number' : role.role === 'mode' ? `one of ${choiceValues(p, role).map((c) => JSON.stringify(c)).join(', ')}` : 'text';
  const example = JSON.stringify(p.default);
  const shown = example.length > 80 ? `${example.slice(0, 80)}…` : example;
  return `${what} (${p.distinct} distinct values in the members; ${p.required ? `e.g. ${shown}` : `default ${shown}`})`;
}

/** The manifest's view: context, the required parameters, then every option with its default (and `checked`, when the function has the checked form). */
export function functionParams(sig: Parameters, checked = false, contextType = 'string'): FunctionParam[] {
  const required = sig.params.filter((p) => p.plan.required);
  const options = sig.params.filter((p) => !p.plan.required);
  return [
    { name: 'context', type: contextType, doc: "the input (the run's context)" },
    ...required.map((p) => ({ name: p.name, type: p.type, doc: paramDoc(p.plan, sig.roleOf(p.plan)) })),
    ...options.map((p) => ({ name: p.name, type: p.type, default: p.plan.default, doc: `option \`${sig.optionsName}.${p.name}\`: ${paramDoc(p.plan, sig.roleOf(p.plan))}` })),
    ...(checked
      ? [{ name: 'checked', type: 'boolean', default: false, doc: `option \`${sig.optionsName}.checked\`: return \`{ answer, pieces, failures }\` with every model call's answer checked (one retry) instead of the answer string` }]
      : []),
  ];
}

/** Arguments of the call that should reproduce member `i`: required values, then the options that differ from their defaults. */
export function memberArguments(params: readonly EmittedParam[], i: number): { args: unknown[]; unaligned: number } {
  const args: unknown[] = [];
  const opts: Record<string, JsonValue> = {};
  let unaligned = 0;
  for (const p of params) {
    const v = p.plan.values[i];
    if (v === undefined) unaligned++;
    if (p.plan.required) args.push(v ?? p.plan.default);
    else if (v !== undefined && valueKey(v) !== valueKey(p.plan.default)) opts[p.name] = v;
  }
  if (Object.keys(opts).length > 0) args.push(opts);
  return { args, unaligned };
}
