/**
 * The template a cluster is generalized from: the members fall into structural sub-groups (members
 * that are instances of each other up to literals and local names), and the template is a member of
 * the sub-group that covers the most members — the cluster's medoid when it is in that group, else
 * the group's member closest to all the others. A medoid that differs in structure from most of
 * its cluster would otherwise make every other member a structural mismatch.
 */
import { size, type NNode } from '../front/tree.js';
import { printStatements } from '../front/print.js';
import { alignLiterals } from './align.js';

export interface TemplateChoice {
  /** Index of the template among the programs. */
  index: number;
  /** Indices of the members of the template's sub-group (itself included). */
  group: number[];
}

/** Picks the template among `programs` (sliced trees); `preferred` is the medoid's index, if sliced. */
export function chooseTemplate(programs: readonly NNode[], preferred: number | undefined): TemplateChoice {
  const n = programs.length;
  if (n <= 1) return { index: 0, group: n ? [0] : [] };
  const diff: number[][] = programs.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = alignLiterals(programs[i], programs[j]).structuralDiff;
      diff[i][j] = d;
      diff[j][i] = d;
    }
  }
  // Sub-groups: connected components of "no structural difference".
  const groupOf = new Array<number>(n).fill(-1);
  const groups: number[][] = [];
  for (let i = 0; i < n; i++) {
    if (groupOf[i] >= 0) continue;
    const g: number[] = [];
    const stack = [i];
    groupOf[i] = groups.length;
    while (stack.length) {
      const x = stack.pop()!;
      g.push(x);
      for (let y = 0; y < n; y++) {
        if (groupOf[y] < 0 && diff[x][y] === 0) {
          groupOf[y] = groups.length;
          stack.push(y);
        }
      }
    }
    groups.push(g.sort((a, b) => a - b));
  }
  const total = (i: number) => diff[i].reduce((a, b) => a + b, 0);
  const best = Math.max(...groups.map((g) => g.length));
  const largest = groups.filter((g) => g.length === best);
  // Ties between groups: the medoid's, else the group closest to everyone.
  const chosen = largest.find((g) => preferred !== undefined && g.includes(preferred)) ?? largest.sort((a, b) => total(a[0]) - total(b[0]))[0];
  const index = preferred !== undefined && chosen.includes(preferred) ? preferred : [...chosen].sort((a, b) => total(a) - total(b) || a - b)[0];
  return { index, group: chosen };
}

/**
 * Why a member is outside the template's sub-group, in words: how many nodes do not align, and the
 * first of its statements that has no counterpart of the same structure in the template.
 */
export function writtenDifferently(template: NNode, member: NNode, structuralDiff: number): string {
  const unmatched = member.c.find((s) => !template.c.some((t) => alignLiterals(t, s).structuralDiff === 0));
  const missing = unmatched ? undefined : template.c.find((t) => !member.c.some((s) => alignLiterals(t, s).structuralDiff === 0));
  const clip = (s: string) => {
    const one = s.replace(/\s+/g, ' ').trim();
    return one.length > 160 ? `${one.slice(0, 160)}…` : one;
  };
  const where = unmatched
    ? `; its statement \`${clip(printStatements([unmatched]))}\` has no counterpart in the template`
    : missing
      ? `; it has nothing like the template's \`${clip(printStatements([missing]))}\``
      : '';
  const total = Math.max(1, size(template) + size(member));
  return `written differently: ${structuralDiff} node${structuralDiff === 1 ? '' : 's'} of its program and the template's (${Math.round((100 * structuralDiff) / total)}%) do not align${where}`;
}

/**
 * Members whose nodes mostly align with the template's (unaligned nodes of both trees at most this
 * share of their sizes together) are written alike for the evidence: real models add a guard, a
 * retry or a different filter, and replay tells whether that mattered.
 */
export const MAX_RELATIVE_DIFF = 0.5;

/** How an answer is written: a JSON object or array, a number, one short line, or longer text. */
export type AnswerFormat = 'json-object' | 'json-array' | 'number' | 'short' | 'text';

export function answerFormat(answer: string | null): AnswerFormat {
  const a = (answer ?? '').trim();
  if (/^-?\d+(\.\d+)?%?$/.test(a)) return 'number';
  if (/^[[{]/.test(a)) {
    try {
      const v: unknown = JSON.parse(a);
      if (Array.isArray(v)) return 'json-array';
      if (v && typeof v === 'object') return 'json-object';
    } catch {
      // not JSON: text that starts with a bracket
    }
  }
  return !a.includes('\n') && a.length <= 60 ? 'short' : 'text';
}

export interface EvidenceMember {
  tree: NNode;
  answer: string | null;
}

/**
 * The sub-group the function stands for (its evidence): the template's structural sub-group, and
 * the members that share most of its structure (MAX_RELATIVE_DIFF) and answer in the same format.
 * A member that answers in another format (counts where the template answers the top label) or is
 * mostly written otherwise (one call per file where the template makes one per group) is a member
 * written differently; `why` says how.
 */
export function evidenceGroup(members: readonly EvidenceMember[], choice: TemplateChoice): { group: number[]; format: AnswerFormat; other: OutsideMember[] } {
  const template = members[choice.index];
  const format = answerFormat(template.answer);
  const group: number[] = [];
  const other: OutsideMember[] = [];
  members.forEach((m, i) => {
    if (choice.group.includes(i)) {
      group.push(i);
      return;
    }
    const a = alignLiterals(template.tree, m.tree);
    const relative = a.structuralDiff / Math.max(1, a.templateSize + a.memberSize);
    const mine = answerFormat(m.answer);
    if (mine !== format) other.push({ index: i, format: mine, why: `answers in another format (${FORMAT_WORDS[mine]} where the template answers ${FORMAT_WORDS[format]}); ${writtenDifferently(template.tree, m.tree, a.structuralDiff)}` });
    else if (relative > MAX_RELATIVE_DIFF) other.push({ index: i, why: writtenDifferently(template.tree, m.tree, a.structuralDiff) });
    else group.push(i);
  });
  return { group, format, other };
}

/** A member outside the sub-group: why, and its answer format when that is what differs. */
export interface OutsideMember {
  index: number;
  why: string;
  format?: AnswerFormat;
}

export const FORMAT_WORDS: Record<AnswerFormat, string> = {
  'json-object': 'a JSON object',
  'json-array': 'a JSON array',
  number: 'a number',
  short: 'one short line',
  text: 'longer text',
};
