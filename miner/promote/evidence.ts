/** The words of a proposal: commit message, pull request title and description (the evidence). */
import { sourcePath, testPath } from '../../src/library/format.js';
import { unifiedDiff } from './diff.js';
import { functionBody } from './function-body.js';
import type { PromotionCandidate, VersionBump } from './types.js';

export interface ProposalFacts {
  candidate: PromotionCandidate;
  version: string;
  previousVersion?: string;
  bump: VersionBump;
  branch: string;
  /** Fixture files written on the branch. */
  fixturePaths: string[];
}

/** How many member programs the description diffs against the function. */
export const DIFFED_MEMBERS = 3;

const pct = (x: number) => `${(x * 100).toFixed(x === 1 || x === 0 ? 0 : 1)}%`;
const tokens = (n: number) => `${Math.round(n).toLocaleString('en-US')} tokens`;

function bumpText(f: ProposalFacts): string {
  if (f.bump === 'new') return 'a new function';
  if (f.bump === 'none') return `unchanged from ${f.previousVersion} on main`;
  if (f.bump === 'minor') return `a compatible change (same signature) of ${f.previousVersion}, minor bump`;
  return `a changed signature (was ${f.previousVersion}), major bump`;
}

export function proposalTitle(f: ProposalFacts): string {
  return `Promote ${f.candidate.name} ${f.version} (cluster ${f.candidate.clusterId}, support ${f.candidate.support})`;
}

export function commitMessage(f: ProposalFacts): string {
  const c = f.candidate;
  const reproduced = c.replay.filter((r) => r.reproduced).length;
  return [
    proposalTitle(f),
    '',
    `${c.name} ${f.version} is ${bumpText(f)}, mined from cluster ${c.clusterId}:`,
    `${c.support} successful runs, success rate ${pct(c.successRate)}, coverage ${pct(c.coverage)}`,
    `(${reproduced}/${c.replay.length} replayed members reproduced), description-length gain ${tokens(c.gain)}.`,
    '',
    `Cluster-Id: ${c.clusterId}`,
    `Members-Hash: ${c.membersHash}`,
    '',
  ].join('\n');
}

function savingsLines(c: PromotionCandidate): string[] {
  const s = c.expectedSavings;
  const lines: string[] = [];
  if (s.llmCallsPerRun !== undefined) lines.push(`- model calls per run: ${s.llmCallsPerRun}`);
  if (s.rootOutputTokensPerRun !== undefined) lines.push(`- root-model output tokens per run: ${s.rootOutputTokensPerRun}`);
  if (s.note) lines.push(`- ${s.note}`);
  return lines.length ? lines : ['- not estimated'];
}

const fence = (text: string, lang: string) => {
  const ticks = /```/.test(text) ? '~~~~' : '```';
  return `${ticks}${lang}\n${text.replace(/\n$/, '')}\n${ticks}`;
};

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

/** The pull request description: everything a reviewer needs to decide, in markdown. */
export function proposalBody(f: ProposalFacts): string {
  const c = f.candidate;
  const reproduced = c.replay.filter((r) => r.reproduced).length;
  const out: string[] = [];
  out.push(`## ${c.name} ${f.version}`, '');
  out.push(`${bumpText(f)[0].toUpperCase()}${bumpText(f).slice(1)}, mined by accrete from cluster \`${c.clusterId}\` (members hash \`${c.membersHash.slice(0, 12)}\`).`, '');
  out.push(c.doc.trim() || '(no description)', '');
  out.push('```ts', c.signature, '```', '');
  out.push('| evidence | value |', '|---|---|');
  out.push(`| support (distinct successful runs) | ${c.support} |`);
  out.push(`| success rate | ${pct(c.successRate)} |`);
  out.push(`| coverage (members reproduced by replay) | ${pct(c.coverage)} (${reproduced}/${c.replay.length} replayed) |`);
  out.push(`| description-length gain | ${tokens(c.gain)} |`);
  out.push(`| skeleton | \`${cell(c.skeleton)}\` |`, '');
  out.push('### Expected savings', '', ...savingsLines(c), '');

  out.push('### Files', '');
  out.push(`- \`${sourcePath(c.name)}\``, `- \`${testPath(c.name)}\` (one replay test per recorded case)`);
  out.push(...f.fixturePaths.map((p) => `- \`${p}\``), '- `manifest.json`', '');

  out.push(`### Members (${c.sourceRunIds.length} runs)`, '');
  out.push(c.sourceRunIds.map((id) => `\`${id}\``).join(', ') || '(none listed)', '');

  const diffed = c.members.slice(0, DIFFED_MEMBERS);
  if (diffed.length) {
    const body = functionBody(c.source, c.name);
    const target = body ?? c.source;
    const label = body ? `${sourcePath(c.name)} (body of ${c.name})` : sourcePath(c.name);
    out.push(`### Member programs against the function (${diffed.length} of ${c.members.length})`, '');
    if (body) out.push(`Each member's logged program, diffed against the body of \`${c.name}\` (dedented).`, '');
    for (const m of diffed) {
      const diff = unifiedDiff(m.code, target, `member ${m.runId}`, label);
      out.push(`<details><summary>run <code>${m.runId}</code></summary>`, '', diff ? fence(diff, 'diff') : '(identical)', '', '</details>', '');
    }
  }

  out.push('### Replay', '', '| run | reproduced | reason |', '|---|---|---|');
  for (const r of c.replay) out.push(`| \`${r.runId}\` | ${r.reproduced ? 'yes' : 'no'} | ${cell(r.reason ?? '')} |`);
  if (!c.replay.length) out.push('| (none) | | |');
  out.push('');

  out.push('### Review', '');
  out.push(`Check out \`${f.branch}\`, run \`npx vitest run\` (the replay tests), read the function, and merge.`);
  out.push('accrete never merges by itself; merged versions become callable as `lib.' + c.name + '(...)` in later runs.', '');
  return out.join('\n');
}
