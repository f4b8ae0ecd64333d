/**
 * A session's state between turns: one REPL (its top-level variables) and the root model's
 * history. Each turn is a run of its own, linked to the session (runs.session_id, session_turn).
 * When the history is over `compactAtTokens`, the older turns are summarized by the root model
 * into one message (see RunExecution in run.ts; logged as a compaction step).
 */
import { buildCompactedHistory, type ChatMessage, COMPACT_REQUEST } from '../contracts/messages.js';
import { estimateTokens } from '../models/tokens.js';
import type { Repl } from '../sandbox/repl.js';

export interface SessionState {
  readonly id: string;
  /** The turn being run (1 for the first). */
  turn: number;
  /** The root model's history after the last turn (system prompt first); empty before the first. */
  messages: ChatMessage[];
  /** The REPL the turns share; reopened (variables lost) if the sandbox was reset. */
  repl?: Repl;
  /** Summarize older turns when the history is estimated over this many tokens (0: never). */
  compactAtTokens: number;
}

/** Estimated tokens of a history (4 a message for its framing). */
export function historyTokens(messages: readonly ChatMessage[]): number {
  return messages.reduce((n, m) => n + estimateTokens(m.content) + 4, 0);
}

/**
 * The compaction of a turn's starting history `[system, ...older turns, new query]`: the messages
 * to send for the summary (undefined when there is nothing older to summarize), and how to
 * rebuild the history from the summary.
 */
export function compactHistory(messages: readonly ChatMessage[]): { request: ChatMessage[]; rebuild: (summary: string) => ChatMessage[] } | undefined {
  if (messages.length < 4) return undefined;
  const [system, ...rest] = messages;
  const next = rest[rest.length - 1];
  const older = rest.slice(0, -1);
  return {
    request: [system, ...older, { role: 'user', content: COMPACT_REQUEST }],
    rebuild: (summary) => [system, { role: 'user', content: `${buildCompactedHistory(summary)}\n\n${next.content}` }],
  };
}
