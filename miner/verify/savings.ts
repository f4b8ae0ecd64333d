/**
 * Expected savings of calling the function instead of writing the program: the sub-calls stay the
 * same; what goes is the root model's work of peeking and writing code. Estimated from the
 * reproduced members' logged root-model calls: their count beyond one turn (a run that calls the
 * function still needs one) and their output tokens beyond the call's own.
 */
import type { Database } from '../../src/db/connection.js';
import { countTokens, callText } from '../generalize/gain.js';
import type { CandidateMember } from '../generalize/types.js';
import type { PromotionCandidate } from '../promote/types.js';

export async function expectedSavings(database: Database, name: string, members: readonly CandidateMember[]): Promise<PromotionCandidate['expectedSavings']> {
  if (members.length === 0) return { note: 'no reproduced members to estimate from' };
  const rows = await database.query<{ run_id: string; calls: number; output_tokens: number }>(
    `select run_id, count(*)::int as calls, coalesce(sum(gen_ai_usage_output_tokens), 0)::int as output_tokens
       from llm_calls where run_id = any($1::uuid[]) and kind in ('root', 'answer_now') group by run_id`,
    [members.map((m) => m.runId)],
  );
  if (rows.length === 0) return { note: 'the members logged no root-model calls' };
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const calls = mean(rows.map((r) => Number(r.calls)));
  const output = mean(rows.map((r) => Number(r.output_tokens)));
  const callTokens = mean(members.map((m) => countTokens(callText(name, m.args))));
  return {
    llmCallsPerRun: Math.max(0, Math.round((calls - 1) * 100) / 100),
    rootOutputTokensPerRun: Math.max(0, Math.round(output - callTokens)),
    note: `from ${rows.length} reproduced runs: ${calls.toFixed(1)} root-model calls and ${Math.round(output)} root output tokens per run; a run that calls ${name} needs one turn and about ${Math.round(callTokens)} tokens for the call`,
  };
}
