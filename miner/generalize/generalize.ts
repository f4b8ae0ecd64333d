/**
 * Generalizing a cluster (ReGAL/Stitch-style): load the successful members' logged blocks, lower and
 * slice them (what FINAL depends on), anti-unify each against the medoid, turn the literal sites that
 * differ into parameters (at most three; the rest options with the members' most common value),
 * name and document the result, emit a typed TypeScript function, and rank it by description-length
 * gain. Structural differences are never parameterized: such members fail replay later, and the
 * coverage says so.
 */
import type { Database } from '../../src/db/connection.js';
import { collectFunctions } from '../front/scope.js';
import { alignLiterals } from './align.js';
import { emitFunction, EmitError } from './emit.js';
import { descriptionLengthGain } from './gain.js';
import { literalSites, type LiteralSite } from './literals.js';
import { loadCluster, loadSuccessfulMembers, type ClusterRow, type MemberRun } from './members.js';
import { skeletonDoc, skeletonName, uniqueFunctionName, type Naming, type NamingInput } from './naming.js';
import { planParams } from './params.js';
import { sliceProgram, type SlicedProgram } from '../front/program.js';
import { pairPrompts } from './prompt-match.js';
import { roleWeight, siteRole } from './roles.js';
import { functionParams, memberArguments, parameters } from './signature.js';
import type { Candidate, CandidateMember, GeneralizeOptions } from './types.js';
import { repairTypes } from './typing.js';

export type GeneralizeResult = Candidate | { rejected: string };

export const isRejected = (r: GeneralizeResult): r is { rejected: string } => 'rejected' in r;

const PLACEHOLDER_NAME = 'generalizedProgram';
const GUARD_NOTE = 'When the program\'s own final check fails (where the logged runs retried in a new step), it returns the answer it computed all the same.';

export async function generalizeCluster(database: Database, clusterId: string, options: GeneralizeOptions = {}): Promise<GeneralizeResult> {
  const cluster = await loadCluster(database, clusterId);
  if (!cluster) return { rejected: `there is no cluster ${clusterId}` };
  const runs = await loadSuccessfulMembers(database, clusterId);
  if (runs.length === 0) return { rejected: 'the cluster has no successful runs' };
  return generalizeMembers(cluster, runs, options);
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
  return { name: skeletonName(input.skeleton, input.prompts), doc: skeletonDoc(input), by: 'skeleton' };
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
  const template = sliced.find((s) => s.run.runId === cluster.representativeRunId) ?? sliced[0];
  const tree = template.program.tree;
  const alignments = sliced.map((s) => alignLiterals(tree, s.program.tree));

  const sites: LiteralSite[] = literalSites(tree);
  const fns = collectFunctions([tree]);
  const roles = new Map(sites.map((s) => [s.key, siteRole(tree, s, fns)]));
  sliced.forEach((s, i) => pairPrompts(sites, roles, s.program.tree, alignments[i]));
  const plan = planParams({ sites, alignments, weightOf: (s) => roleWeight(roles.get(s.key)!.role), maxParams: options.maxParams });
  const sig = parameters(tree, plan, roles);
  const { params, optionsName, answerHelper } = sig;

  const emitWith = (name: string, doc: string) => emitFunction({ name, doc, template: tree, params, optionsName, answerHelper });
  let draft: string;
  let guarded: boolean;
  try {
    const d = emitWith(PLACEHOLDER_NAME, '');
    draft = d.source;
    guarded = d.guardedFinal;
  } catch (e) {
    if (e instanceof EmitError) return { rejected: `cannot emit a function: ${e.message}` };
    throw e;
  }

  const namingInput: NamingInput = {
    clusterId: cluster.id,
    skeleton: cluster.skeleton,
    growth: cluster.growth,
    template: draft,
    prompts: [...new Set([...sites.filter((s) => roles.get(s.key)?.role === 'prompt' && typeof s.literal.value === 'string').map((s) => String(s.literal.value)), ...promptTexts(cluster)])],
    queries: sliced.slice(0, 2).map((s) => s.run.query),
    params: params.map((p) => ({ name: p.name, type: p.type, required: p.plan.required, example: p.plan.default })),
    members: sliced.length,
  };
  const naming = await chooseNaming(namingInput, options);
  const takenNames = options.takenNames ?? new Set<string>();
  const name = uniqueFunctionName(naming.name, takenNames);
  const doc = guarded ? `${naming.doc}\n${GUARD_NOTE}` : naming.doc;
  const emitted = emitWith(name, doc);
  const typed = repairTypes(emitted.source, answerHelper);

  const members: CandidateMember[] = sliced.map((s, i) => {
    const { args, unaligned } = memberArguments(params, i);
    return {
      runId: s.run.runId,
      query: s.run.query,
      answer: s.run.answer,
      source: s.run.source,
      contextSha256: s.run.contextSha256,
      code: s.program.code,
      args,
      structuralDiff: alignments[i].structuralDiff,
      unaligned,
    };
  });
  const gain = descriptionLengthGain(name, typed.source, members);
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
    params: functionParams(sig),
    optionsName: hasOptions ? optionsName : undefined,
    skeleton: cluster.skeleton,
    growth: cluster.growth,
    support: cluster.support,
    successRate: cluster.successRate,
    templateRunId: template.run.runId,
    members,
    excluded,
    gain,
    typeRepairs: typed.repairs,
    namedBy: naming.by,
  };
}
