/**
 * The model namer's calls, logged like every model call: one run per naming (source `miner`, its
 * query says which cluster), with its call in `llm_calls` — prompt, reply, tokens, cost, latency.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/connection.js';
import { costUsd as costOfCall } from '../../src/models/prices.js';
import type { ModelClient } from '../../src/models/types.js';
import type { TraceRecord } from '../../src/trace/records.js';
import { writeRecords } from '../../src/trace/writer.js';
import { modelNamer, type Namer, type NamingCall } from './naming.js';

/** The source of the runs that hold the namer's calls. */
export const NAMER_RUN_SOURCE = 'miner';

export function loggedModelNamer(database: Database, client: ModelClient): Namer {
  return modelNamer(client, async (call: NamingCall) => {
    const runId = randomUUID();
    const endedAt = new Date();
    const startedAt = new Date(endedAt.getTime() - call.latencyMs);
    const usage = call.result?.usage;
    const cost = usage ? costOfCall(client.model, usage) : 0;
    const records: TraceRecord[] = [
      {
        table: 'runs',
        row: {
          id: runId,
          rootRunId: runId,
          source: NAMER_RUN_SOURCE,
          query: `name and document the function mined from cluster ${call.input.clusterId}`,
          rootModel: client.model,
          status: call.error ? 'failed' : 'succeeded',
          answer: call.result?.text ?? null,
          error: call.error ?? null,
          llmCalls: 1,
          inputTokens: usage?.inputTokens ?? 0,
          outputTokens: usage?.outputTokens ?? 0,
          costUsd: cost,
          metadata: { namer: { clusterId: call.input.clusterId, accepted: call.naming !== undefined, name: call.naming?.name ?? null } },
          startedAt,
          endedAt,
          durationMs: call.latencyMs,
        },
      },
      {
        table: 'llm_calls',
        row: {
          id: randomUUID(),
          runId,
          seq: 0,
          kind: 'root',
          provider: client.provider,
          requestModel: client.model,
          requestMessages: call.messages,
          requestHash: createHash('sha256').update(JSON.stringify([client.model, call.messages])).digest('hex'),
          status: call.error ? 'error' : 'ok',
          ...(call.error ? { error: call.error } : {}),
          ...(call.result
            ? {
                response: call.result.text,
                responseModel: call.result.responseModel,
                finishReason: call.result.finishReason,
                inputTokens: call.result.usage.inputTokens,
                outputTokens: call.result.usage.outputTokens,
                costUsd: cost,
                providerRequestId: call.result.providerRequestId,
              }
            : {}),
          latencyMs: call.latencyMs,
        },
      },
    ];
    await writeRecords(database.db, records);
  });
}
