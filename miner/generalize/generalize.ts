/**
 * Generalizing a cluster (ReGAL/Stitch-style): load the successful members' logged blocks, lower and
 * slice them (what FINAL depends on), take the template from the structural sub-group that covers
 * the most members (subgroup.ts), anti-unify each member against it, turn the literal sites that
 * differ — and the values the users' questions supply (query-values.ts) — into parameters (at most
 * three; the rest options with the members' most common value), read what the code does with its
 * input (input-shape.ts), name and document the result (naming.ts, describe.ts), emit a typed
 * TypeScript function with an opt-in checked form (emit.ts, checked.ts), and rank it by
 * description-length gain. Structural differences are never parameterized: such members fail replay
 * later, and the coverage says so.
 */
import type { Database } from '../../src/db/connection.js';
import { collectFunctions } from '../front/scope.js';
import { alignLiterals } from './align.js';
import { emitFunction, EmitError, type CheckedNames } from './emit.js';
import { descriptionLengthGain } from './gain.js';
import { literalSites, nodeAt, type LiteralSite } from './literals.js';
import { loadCluster, loadSuccessfulMembers, type ClusterRow, type MemberRun } from './members.js';
import { qualifierWords, skeletonDoc, skeletonName, uniqueFunctionName, type Naming, type NamingInput } from './naming.js';
import { inputShape, type InputShape } from './input-shape.js';
import { chooseTemplate, evidenceGroup } from './subgroup.js';
import { cutVariantsDiffer, rewriteCuts } from './cuts.js';
import { fillFromQuery, queryValueSites } from './query-values.js';
import { identifiersOf, uniqueNames } from './param-names.js';
import type { DescribedParam } from './describe.js';
import { clone, id, isCallTo, some, type NNode } from '../front/tree.js';
import { printNode } from '../front/print.js';
import { mostCommon, planParams, type PlannedParam } from './params.js';
import { mergeInstructionTemplates } from './instruction-template.js';
import { adoptInputChecks } from './input-checks.js';
import { combiningCalls } from './answer-flow.js';
import { concatPromptsToTemplates } from './concat-prompts.js';
import { withoutRepairNumbers } from './repair-names.js';
import { sliceProgram, type SlicedProgram } from '../front/program.js';
import { pairPrompts } from './prompt-match.js';
import { promptCarriesQuery } from './prompt-ties.js';
import { roleWeight, siteRole } from './roles.js';
import { choiceValues, functionParams, memberArguments, parameters } from './signature.js';
import type { Candidate, CandidateMember, GeneralizeOptions } from './types.js';
import { repairTypes } from './typing.js';
import { contextInputSentence, contextTypeOf } from './context-type.js';
import { contextFieldsFromUsage, fitArrayType, fitRecordType, usageInputSentence } from './context-usage.js';
import { checkSource } from '../verify/typecheck.js';
import { loadContext } from '../verify/context.js';
import { loadRecording } from '../verify/subcalls.js';
import { readWindow, type ReadCall } from './read-window.js';
import { avoidAny } from './avoid-any.js';

export type GeneralizeResult = Candidate | { rejected: string };

export const isRejected = (r: GeneralizeResult): r is { rejected: string } => 'rejected' in r;

const PLACEHOLDER_NAME = 'generalizedProgram';
/** Stored inputs read to type `context`. */
const MAX_TYPED_INPUTS = 8;
/** The doc's sentence for a function whose members checked their answer before FINAL (and tried again in a new step when the check failed). */
function guardNote(template: NNode): string {
  const said: string[] = [];
  const walk = (n: NNode): void => {
    if (isCallTo(n, 'print')) for (const a of n.c.slice(1)) if (a.k === 'str' && a.v) said.push(a.v);
    n.c.forEach(walk);
  };
  walk(template.c[template.c.length - 1] ?? template);
  const prints = said.length ? `it prints ${JSON.stringify(said.join(' '))} and ` : '';
  return `When its own final check fails (the logged runs then tried again in a new step), ${prints}it throws an error that says so, with the answer it computed: call it again with other options, or write your own code.`;
}

/** The doc's sentence for a check of the answers against the input taken over from some members (input-checks.ts). */
function inputCheckNote(checking: number, of: number): string {
  return `It keeps only answers that occur word for word in \`context\`, so an answer a model call made up is dropped (${checking} of the ${of} logged runs it stands for checked this).`;
}

export async function generalizeCluster(database: Database, clusterId: string, options: GeneralizeOptions = {}): Promise<GeneralizeResult> {
  const cluster = await loadCluster(database, clusterId);
  if (!cluster) return { rejected: `there is no cluster ${clusterId}` };
  const runs = await loadSuccessfulMembers(database, clusterId);
  if (runs.length === 0) return { rejected: 'the cluster has no successful runs' };
  const inputs = await sampleInputs(database, runs);
  const sentence = contextInputSentence(inputs);
  const stored = runs.some((r) => r.contextSha256 !== null);
  const window = await membersReadWindow(database, runs);
  return generalizeMembers(cluster, runs, { contextType: contextTypeOf(inputs), ...(sentence ? { contextSentence: sentence } : {}), ...(stored ? { storedInputs: true } : {}), ...(window ? { readWindow: window } : {}), ...options });
}

/** Members whose recorded sub-calls are read for the sub-model's read window. */
const MAX_READ_MEMBERS = 24;

/** How far into a call's context the members' sub-model answers reach, when their recorded calls show it (read-window.ts). */
async function membersReadWindow(database: Database, runs: readonly MemberRun[]): Promise<number | undefined> {
  const calls: ReadCall[] = [];
  for (const run of runs.slice(0, MAX_READ_MEMBERS)) for (const e of (await loadRecording(database, run.runId)).entries) calls.push({ context: e.context, response: e.response });
  return readWindow(calls);
}

/**
 * Some of the members' JSON inputs (parsed), to type `context`; none when any stored input is text
 * (then `context` is a string, and no text — megabytes, maybe — is read for it).
 */
async function sampleInputs(database: Database, runs: readonly MemberRun[]): Promise<unknown[]> {
  const shas = [...new Set(runs.flatMap((r) => (r.contextSha256 ? [r.contextSha256] : [])))].slice(0, MAX_TYPED_INPUTS);
  if (shas.length === 0) return [];
  const kinds = await database.query<{ kind: string }>('select kind from contexts where sha256 = any($1::text[])', [shas]);
  if (kinds.length === 0 || kinds.some((k) => k.kind !== 'json')) return [];
  const inputs: unknown[] = [];
  for (const sha of shas) {
    const c = await loadContext(database, sha);
    if (c) inputs.push(c.value);
  }
  return inputs;
}

function promptTexts(cluster: ClusterRow): string[] {
  return cluster.templates
    .map((t) => (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string' ? (t as { text: string }).text : undefined))
    .filter((t): t is string => t !== undefined && t.trim().length > 0);
}

interface Sliced {
  run: MemberRun;
  program: SlicedProgram;
}




async function chooseNaming(input: NamingInput, options: GeneralizeOptions): Promise<Naming & { by: 'model' | 'skeleton' }> {
  const fromModel = options.namer ? await options.namer(input) : undefined;
  if (fromModel) return { ...fromModel, by: 'model' };
  return { name: skeletonName(input.skeleton, input.prompts, input.shape), doc: skeletonDoc(input), by: 'skeleton' };
}

/** Generalizes already loaded members (the database-free core of generalizeCluster). */
export async function generalizeMembers(cluster: ClusterRow, runs: MemberRun[], options: GeneralizeOptions = {}): Promise<GeneralizeResult> {
  const sliced: Sliced[] = [];
  const excluded: { runId: string; reason: string }[] = [];
  for (const run of runs) {
    const s = sliceProgram(run.runId, run.blocks);
    if (s.ok) sliced.push({ run, program: s.program });
    else excluded.push({ runId: run.runId, reason: s.reason });
  }
  if (sliced.length === 0) return { rejected: `no member could be sliced (${excluded.map((e) => e.reason).join('; ')})` };
  // Members that cut their input in different ways: each cut becomes one helper call (cuts.ts), the way of cutting and its sizes literals.
  if (cutVariantsDiffer(sliced.map((s) => s.program.tree))) {
    for (const s of sliced) s.program = { ...s.program, tree: rewriteCuts(s.program.tree) };
  }
  // `"Where is " + owner + "?"` as an instruction reads as the template literal it equals, in every member
  for (const s of sliced) s.program = { ...s.program, tree: concatPromptsToTemplates(s.program.tree) };
  const medoid = sliced.findIndex((s) => s.run.runId === cluster.representativeRunId);
  const choice = chooseTemplate(sliced.map((s) => s.program.tree), medoid >= 0 ? medoid : undefined);
  const template = sliced[choice.index];
  const evidence = evidenceGroup(sliced.map((s) => ({ tree: s.program.tree, answer: s.run.answer })), choice);
  // a check of the model's answers against the input that members written alike make, the function makes too
  const checks = adoptInputChecks(template.program.tree, evidence.group.filter((i) => i !== choice.index).map((i) => sliced[i].program.tree));
  const tree = checks.tree;
  const alignments = sliced.map((s) => alignLiterals(tree, s.program.tree));

  // what the program prints (a failed check's message) is said as the template says it, never a parameter
  const sites: LiteralSite[] = literalSites(tree).filter((s) => !underPrint(tree, s.path));
  const fns = collectFunctions([tree]);
  const roles = new Map(sites.map((s) => [s.key, siteRole(tree, s, fns)]));
  sliced.forEach((s, i) => pairPrompts(sites, roles, s.program.tree, alignments[i]));
  const queries = sliced.map((s) => s.run.query);
  const fromQuery = queryValueSites(sites, alignments, queries);
  fillFromQuery(sites, fromQuery, alignments, sliced.map((s) => literalSites(s.program.tree)), queries);
  const tuning = (s: LiteralSite): boolean => {
    const role = roles.get(s.key)?.role;
    if (role === 'prompt') return !fromQuery.has(s.key) && !promptCarriesQuery(s, alignments, queries);
    return isTuning(role, fromQuery.has(s.key));
  };
  const planned = keepWithinWindow(
    planParams({ sites, alignments, weightOf: (s) => roleWeight(roles.get(s.key)!.role), maxParams: options.maxParams, forced: fromQuery, tuning }),
    tree,
    options.readWindow,
  );
  // `docs2`, `resultText2` (a repaired block's names) read as `docs`, `resultText` (paths stay: only names change)
  const renamed = withoutRepairNumbers(tree).tree;
  // an instruction built around computed values is one parameter with `{placeholders}`, not its text parts
  const merged = mergeInstructionTemplates({ tree: renamed, plan: planned, sites, roles, alignments });
  const clean = merged.tree;
  // an instruction of the combining stage is named and described as such (its own name, not `prompt` beside `instruction`)
  const combining = new Set(combiningCalls(clean));
  const combinesAt = (key: string): boolean => {
    const path = key.split('.').map(Number);
    return path.some((_, i) => { const n = nodeAt(clean, path.slice(0, i)); return n !== undefined && combining.has(n); });
  };
  for (const [key, role] of merged.roles) {
    if (!combinesAt(key)) continue;
    if (role.role === 'prompt' && role.quality < 2) merged.roles.set(key, { ...role, hints: ['combineInstruction', ...role.hints] });
    // `packUnits(answers, 4000)` in the combining stage: the budget of a combining call, not the pieces'
    if (role.role === 'size' && role.hints[0]) merged.roles.set(key, { ...role, hints: [`combine${role.hints[0][0].toUpperCase()}${role.hints[0].slice(1)}`, ...role.hints] });
  }
  const sig = parameters(clean, merged.plan, merged.roles);
  const { params, optionsName, answerHelper } = sig;
  // the doc's sizes are the defaults the function uses, not the template member's own
  const baseShape = inputShape(withNumberDefaults(tree, planned));
  const checked = callsModel(tree) ? checkedNames(clean, params.map((p) => p.name), optionsName, answerHelper, baseShape.parses === 'json') : undefined;
  const emitTyped = (name: string, doc: string, contextType: string) => emitFunction({ name, doc, template: clean, params, optionsName, answerHelper, contextType, ...(checked ? { checked } : {}) });
  const { contextType, contextSentence } = typeContext(tree, options, (type) => {
    try {
      const source = emitTyped(PLACEHOLDER_NAME, '', type).source;
      return checkSource(repairTypes(source, checked ? undefined : answerHelper).source).diagnostics.length;
    } catch (e) {
      if (e instanceof EmitError) return Number.MAX_SAFE_INTEGER; // the draft below says why
      throw e;
    }
  });
  const templateShape = jsonInputShape(baseShape, contextType, contextSentence);

  const emitWith = (name: string, doc: string) => emitTyped(name, doc, contextType);
  let draft: string;
  let guarded: boolean;
  let batched: number;
  try {
    const d = emitWith(PLACEHOLDER_NAME, '');
    draft = d.source;
    guarded = d.guardedFinal;
    batched = d.batchedLoops;
  } catch (e) {
    if (e instanceof EmitError) return { rejected: `cannot emit a function: ${e.message}` };
    throw e;
  }
  // the function batches the loops whose calls the members made one at a time: its doc says what it does
  const shape = batched > 0 && templateShape.calls === 'sequential' ? { ...templateShape, calls: 'batch' as const } : templateShape;

  // Whole prompts first (string literals), then the cluster's templates with their holes shown as `…`; fragments of template literals say little.
  const wholePrompts = merged.sites.filter((s) => merged.roles.get(s.key)?.role === 'prompt' && s.literal.kind === 'str').map((s) => String(s.literal.value));
  const prompts = [...new Set([...wholePrompts, ...templatePrompts(merged.sites, merged.roles), ...promptTexts(cluster).map((t) => t.replace(/\$\{\d+\}/g, '…'))])];
  const described: DescribedParam[] = params.map((p) => ({
    name: p.name,
    type: p.type,
    required: p.plan.required,
    example: p.plan.default,
    role: sig.roleOf(p.plan).role,
    ...(sig.roleOf(p.plan).use ? { textUse: sig.roleOf(p.plan).use } : {}),
    choices: choiceValues(p.plan, sig.roleOf(p.plan)),
    fromQuery: p.plan.sites.some((k) => fromQuery.has(k)),
    distinct: p.plan.distinct,
    ...(p.plan.kind === 'tstr' ? { part: true } : {}),
    ...(p.plan.placeholders ? { placeholders: p.plan.placeholders } : {}),
    ...(p.plan.answer ? { answer: true } : {}),
    ...(p.plan.pastWindow ? { pastWindow: p.plan.pastWindow } : {}),
    ...(p.plan.sites.some(combinesAt) ? { combines: true } : {}),
    ...(p.plan.kind === 'num' || (p.plan.kind === 'str' && !p.plan.placeholders) ? { use: sig.roleOf(p.plan).usage ?? usageOf(clean, p.plan.sites[0], p.name) } : {}),
  }));
  const skeletonName0 = skeletonName(cluster.skeleton, prompts, shape);
  const namingInput: NamingInput = {
    clusterId: cluster.id,
    skeleton: cluster.skeleton,
    growth: cluster.growth,
    template: draft,
    prompts,
    queries: queries.slice(0, 2),
    params: params.map((p) => ({ name: p.name, type: p.type, required: p.plan.required, example: p.plan.default })),
    members: sliced.length,
    shape,
    describe: {
      shape,
      prompts,
      queries: evidence.group.map((i) => sliced[i].run.query),
      // what the function stands for: its sub-group's answers; the members that answered otherwise say what it is not for
      answers: evidence.group.map((i) => sliced[i].run.answer ?? ''),
      format: evidence.format,
      unlike: evidence.other.flatMap((o) => (o.format ? [{ query: sliced[o.index].run.query, format: o.format }] : [])),
      params: described,
      optionsName: params.some((p) => !p.plan.required) || checked ? optionsName : undefined,
      checked: checked !== undefined,
      ops: cluster.skeleton.split('|>').map((o) => o.trim()).filter(Boolean),
      growth: cluster.growth,
      members: sliced.length,
      clusterId: cluster.id,
      verb: /^[a-z]+/.exec(skeletonName0)?.[0] ?? 'process',
    },
  };
  const naming = await chooseNaming(namingInput, options);
  const takenNames = options.takenNames ?? new Set<string>();
  const name = uniqueFunctionName(naming.name, takenNames, qualifierWords([...prompts, ...queries]));
  // the check is part of what it does (after the first sentence); the guard note ends the doc
  const [does, ...rest] = naming.doc.split('\n');
  const doc = [does, ...(checks.adoptedFrom > 0 ? [inputCheckNote(checks.adoptedFrom, evidence.group.length)] : []), ...rest, ...(guarded ? [guardNote(tree)] : [])].join('\n');
  const emitted = emitWith(name, doc);
  const repaired = repairTypes(emitted.source, checked ? undefined : answerHelper);
  const concrete = avoidAny(repaired.source);
  const typed = { source: concrete.source, repairs: [...repaired.repairs, ...concrete.notes] };

  const members: CandidateMember[] = sliced.map((s, i) => {
    const { args, unaligned } = memberArguments(params, i);
    return {
      runId: s.run.runId,
      query: s.run.query,
      answer: s.run.answer,
      source: s.run.source,
      contextSha256: s.run.contextSha256,
      code: s.program.code,
      ...(s.program.printedStep !== undefined ? { printedStep: s.program.printedStep } : {}),
      args,
      structuralDiff: alignments[i].structuralDiff,
      unaligned,
    };
  });
  const gain = descriptionLengthGain(name, typed.source, members, emitted.batchTokens);
  if (gain.gain <= 0) {
    return { rejected: `no description-length gain: ${gain.before} tokens of ${gain.members} members against ${gain.after} (calls ${gain.callTokens} + function ${gain.functionTokens})` };
  }
  takenNames.add(name);
  const hasOptions = params.some((p) => !p.plan.required);
  return {
    clusterId: cluster.id,
    membersHash: cluster.membersHash,
    name,
    doc,
    source: typed.source,
    signature: emitted.signature,
    params: functionParams(sig, checked !== undefined, contextType),
    optionsName: hasOptions || checked ? optionsName : undefined,
    skeleton: cluster.skeleton,
    growth: cluster.growth,
    support: cluster.support,
    successRate: cluster.successRate,
    templateRunId: template.run.runId,
    templateGroup: choice.group.map((i) => sliced[i].run.runId),
    subGroup: evidence.group.map((i) => sliced[i].run.runId),
    otherMembers: evidence.other.map((o) => ({ runId: sliced[o.index].run.runId, why: o.why })),
    members,
    excluded,
    gain,
    typeRepairs: typed.repairs,
    namedBy: naming.by,
  };
}

/**
 * The type of `context` and the doc's Input sentence: from the members' stored inputs (the caller's
 * options), else — when the code uses `context` as an array of records and no input was stored —
 * records with the fields the code reads, each typed by what type-checks (context-usage.ts).
 */
function typeContext(tree: NNode, options: GeneralizeOptions, errorsWith: (contextType: string) => number): { contextType: string; contextSentence?: string } {
  const stored = options.contextType ?? 'string';
  if (stored !== 'string' || options.storedInputs) return { contextType: stored, ...(options.contextSentence ? { contextSentence: options.contextSentence } : {}) };
  const fields = contextFieldsFromUsage(tree);
  if (!fields) return { contextType: 'string' };
  // records only when they type-check better than text
  const asText = errorsWith('string');
  if (asText === 0) return { contextType: 'string' };
  // no field read: an array of strings or numbers, whichever type-checks
  const fitted = fields.length > 0 ? fitRecordType(fields, errorsWith) : fitArrayType(errorsWith);
  if (fitted.errors >= asText) return { contextType: 'string' };
  return { contextType: fitted.type, contextSentence: usageInputSentence(fields) };
}

/**
 * Whether a parameter from this site is an option with the members' default rather than something
 * a caller must pass: a choice the code branches on, or text of no known role (a piece of the
 * answer's wording, a label in a message) that the user's question does not supply — a caller
 * could not know what to pass there. (An instruction is an option when it varies only in wording:
 * prompt-ties.ts.)
 */
function isTuning(role: string | undefined, fromQuery: boolean): boolean {
  return role === 'mode' || (role === 'text' && !fromQuery);
}

/** The input as the members' stored JSON shows it: the doc's Input sentence, and records (or items) for a template that does not cut it. */
function jsonInputShape(shape: InputShape, contextType: string, sentence: string | undefined): InputShape {
  if (sentence === undefined) return shape;
  const unit = shape.unit === 'text' ? (/\}\[\]$/.test(contextType) ? 'records' : /\[\]$/.test(contextType) ? 'items' : shape.unit) : shape.unit;
  return { ...shape, input: sentence, unit, json: true };
}

/** Whether the node at `path` is an argument of a `print(...)` call (at any depth). */
function underPrint(root: NNode, path: readonly number[]): boolean {
  let node = root;
  for (const i of path) {
    if (isCallTo(node, 'print')) return true;
    node = node.c[i];
  }
  return false;
}

/** The expression around a parameter's site, printed with the parameter's name in it (`r.slice(0, maxChars)`). */
function usageOf(tree: NNode, siteKey: string, name: string): string | undefined {
  const path = siteKey === '' ? [] : siteKey.split('.').map(Number);
  if (path.length < 2) return undefined;
  let at = path.length - 1;
  let text = '';
  // climb until the expression says something (`i + 50` alone does not); stop at a statement
  for (; at >= 1; at--) {
    const node = nodeAt(tree, path.slice(0, at));
    if (!node || !EXPRESSION_KINDS.has(node.k)) break;
    const copy = clone(node);
    const rel = path.slice(at);
    const parent = nodeAt(copy, rel.slice(0, -1))!;
    parent.c[rel[rel.length - 1]] = id(name);
    text = printNode(copy).replace(/\s+/g, ' ');
    if (text.length >= 14) break;
  }
  if (!text) return undefined;
  return text.length <= 70 ? text : `${text.slice(0, 66).trimEnd()} …`;
}

const EXPRESSION_KINDS: ReadonlySet<string> = new Set(['call', 'bin', 'mem', 'idx', 'new', 'cond', 'assign', 'pre', 'post']);

/**
 * A chunk budget (characters per model call) whose default, the members' most common value, sends
 * more than the sub-model's answers ever drew on defaults instead to the most common value members
 * used within that window; the doc says why. Left alone when no member stayed within it.
 */
function keepWithinWindow(plan: PlannedParam[], tree: NNode, window: number | undefined): PlannedParam[] {
  if (window === undefined) return plan;
  const chunk = inputShape(tree).chunk;
  if (chunk?.of !== 'characters') return plan;
  return plan.map((p) => {
    const template = nodeAt(tree, p.sites[0].split('.').map(Number));
    if (p.kind !== 'num' || template?.k !== 'num' || Number(template.v) !== chunk.size || typeof p.default !== 'number' || p.default <= window) return p;
    const within = p.values.filter((v): v is number => typeof v === 'number' && v <= window);
    if (within.length === 0) return p;
    return { ...p, default: mostCommon(within, within[0]), pastWindow: { common: p.default, window } };
  });
}

/** The tree with each numeric parameter's sites holding the parameter's default. */
function withNumberDefaults(tree: NNode, plan: readonly PlannedParam[]): NNode {
  const copy = clone(tree);
  for (const p of plan) {
    if (p.kind !== 'num' || typeof p.default !== 'number') continue;
    for (const key of p.sites) {
      const node = nodeAt(copy, key.split('.').map(Number));
      if (node?.k === 'num') node.v = String(p.default);
    }
  }
  return copy;
}

/** Whether the template calls the model (llm, recursive_llm, llmBatch). */
function callsModel(tree: NNode): boolean {
  return some(tree, (n) => isCallTo(n, 'llm') || isCallTo(n, 'recursive_llm') || isCallTo(n, 'llmBatch'));
}

/** Local names of the checked form, clear of the template's and the parameters' names. */
function checkedNames(tree: NNode, paramNames: readonly string[], optionsName: string, answerHelper: string, expectsJson: boolean): CheckedNames {
  const taken = new Set([...identifiersOf(tree), ...paramNames, optionsName, answerHelper]);
  const [model, pieces] = uniqueNames([['model', 'modelCalls', 'ask'], ['pieces', 'calls', 'askedPieces']], taken);
  return { model, pieces, expectsJson };
}

/** Prompts written as template literals: their text parts joined, each hole shown as `…`. */
function templatePrompts(sites: readonly LiteralSite[], roles: ReadonlyMap<string, { role: string }>): string[] {
  const byLiteral = new Map<string, string[]>();
  for (const s of sites) {
    if (s.literal.kind !== 'tstr' || roles.get(s.key)?.role !== 'prompt') continue;
    const parent = s.path.slice(0, -1).join('.');
    byLiteral.set(parent, [...(byLiteral.get(parent) ?? []), String(s.literal.value)]);
  }
  return [...byLiteral.values()].map((parts) => parts.join('…').trim()).filter((t) => /[A-Za-z]{3}/.test(t));
}
