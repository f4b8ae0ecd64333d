/**
 * Recorded sub-calls: the key of a call, and what a member run logged. A key is
 * sha256(JSON.stringify([query, context ?? null])) — the key of ReplayFixture.responses in
 * src/library/format.ts. A call logged without a context (`llm(q)` or `llm(q, '')`: the request
 * messages are the same) answers both spellings.
 */
import { sha256 } from '../../src/contracts/hash.js';
import type { Database } from '../../src/db/connection.js';
import type { ChatMessage } from '../../src/models/types.js';
import { parseSubCallMessages } from '../../src/contracts/messages.js';

export const callKey = (query: string, context: string | null | undefined): string =>
  sha256(JSON.stringify([query, context ?? null]));

/** Keys that identify the same call whatever spelling of "no context" was used. */
const canonicalContext = (context: string | null | undefined): string | null => (context === undefined || context === null || context === '' ? null : context);
export const canonicalKey = (query: string, context: string | null | undefined): string => callKey(query, canonicalContext(context));

/** One recorded sub-call or rlm() sub-run answer, in full (what replay matches against). */
export interface RecordedCall {
  /** Position among the member's recorded calls (sub-calls by llm_calls.seq, then sub-runs). */
  index: number;
  kind: 'llm' | 'rlm';
  query: string;
  /** null when the call had no context. */
  context: string | null;
  response: string;
  /** canonicalKey(query, context). */
  key: string;
}

export interface Recording {
  /** Canonical key → the response. */
  responses: Map<string, string>;
  /** The canonical keys of the logged calls, in the order they were logged (llm_calls.seq). */
  calls: string[];
  /** Calls answered by rlm() sub-runs (their keys are in `responses`, not in `calls`' order). */
  subRuns: string[];
  /** Every recorded call in full, sub-calls first (in logged order), then sub-runs. */
  entries: RecordedCall[];
}

/** The member's recorded sub-calls (kind 'sub', status ok or cache_hit) and rlm() sub-run answers. */
export async function loadRecording(database: Database, runId: string): Promise<Recording> {
  const rows = await database.query<{ request_messages: ChatMessage[]; response: string | null }>(
    `select request_messages, response from llm_calls
      where run_id = $1 and kind = 'sub' and status in ('ok', 'cache_hit') and response is not null
      order by seq`,
    [runId],
  );
  const responses = new Map<string, string>();
  const calls: string[] = [];
  const entries: RecordedCall[] = [];
  for (const r of rows) {
    const { query, context } = parseSubCallMessages(r.request_messages);
    const key = canonicalKey(query, context);
    calls.push(key);
    if (r.response !== null && !responses.has(key)) responses.set(key, r.response);
    if (r.response !== null) entries.push({ index: entries.length, kind: 'llm', query, context: canonicalContext(context), response: r.response, key });
  }
  const children = await database.query<{ query: string; answer: string | null; content: string | null; encoding: string | null }>(
    `select r.query, r.answer, c.content, c.encoding from runs r left join contexts c on c.sha256 = r.context_sha256
      where r.parent_run_id = $1 and r.answer is not null order by r.started_at`,
    [runId],
  );
  const subRuns: string[] = [];
  for (const c of children) {
    const context = c.content === null ? null : c.encoding === 'base64' ? Buffer.from(c.content, 'base64').toString('utf8') : c.content;
    const key = canonicalKey(c.query, context);
    subRuns.push(key);
    if (c.answer !== null && !responses.has(key)) responses.set(key, c.answer);
    if (c.answer !== null) entries.push({ index: entries.length, kind: 'rlm', query: c.query, context: canonicalContext(context), response: c.answer, key });
  }
  return { responses, calls, subRuns, entries };
}

/** Whether the run logged any model call at all (imported minimal records have none). */
export async function hasLoggedCalls(database: Database, runId: string): Promise<boolean> {
  const [row] = await database.query<{ n: number }>('select count(*)::int as n from llm_calls where run_id = $1', [runId]);
  return Number(row?.n ?? 0) > 0;
}
