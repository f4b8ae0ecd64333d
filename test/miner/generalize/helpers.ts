/** Clusters and members built in memory, for generalize tests that need no database. */
import { sliceProgram } from '../../../miner/front/program.js';
import type { NNode } from '../../../miner/front/tree.js';
import type { ClusterRow, MemberRun } from '../../../miner/generalize/members.js';

export function cluster(overrides: Partial<ClusterRow> = {}): ClusterRow {
  return {
    id: 'c1',
    size: 0,
    support: 0,
    successRate: 1,
    skeleton: 'split(chars) |> map(llm) |> filter(match) |> FINAL',
    growth: 'linear',
    templates: [],
    representativeRunId: 'run-0',
    membersHash: 'h',
    ...overrides,
  };
}

/** One member per program; each program is one block (or several, split on a line `;;;`). `queries`: the members' questions (default `query <i>`). */
export function members(programs: string[], queries: readonly string[] = []): MemberRun[] {
  return programs.map((code, i) => ({
    runId: `run-${i}`,
    query: queries[i] ?? `query ${i}`,
    answer: 'x',
    source: 'runtime',
    contextSha256: null,
    blocks: code.split('\n;;;\n').map((c, j, all) => ({ stepIdx: j, blockIdx: 0, code: c, status: j === all.length - 1 ? 'final' : 'ok' })),
  }));
}

/** The sliced tree of a one-block program (what generalization works on). */
export function programTree(code: string): NNode {
  const s = sliceProgram('r', [{ stepIdx: 0, blockIdx: 0, code, status: 'final' }]);
  if (!s.ok) throw new Error(s.reason);
  return s.program.tree;
}
