/** A run tree as the run page shows it: runs, steps, programs, and model calls without their messages (loaded when opened). */
import type { Database } from '../../db/connection.js';
import { type CallSummaryRow, treeCallSummaries } from '../../db/browse.js';
import { runTreeRuns } from '../../db/queries.js';

export type Tree = Awaited<ReturnType<typeof runTreeRuns>> & { llmCalls: CallSummaryRow[] };

export async function loadTree(database: Database, rootRunId: string): Promise<Tree> {
  const runs = await runTreeRuns(database, rootRunId);
  return { ...runs, llmCalls: await treeCallSummaries(database, runs.runs.map((r) => r.id)) };
}
