/**
 * The template a cluster is generalized from: the members fall into structural sub-groups (members
 * that are instances of each other up to literals and local names), and the template is a member of
 * the sub-group that covers the most members — the cluster's medoid when it is in that group, else
 * the group's member closest to all the others. A medoid that differs in structure from most of
 * its cluster would otherwise make every other member a structural mismatch.
 */
import type { NNode } from '../front/tree.js';
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
