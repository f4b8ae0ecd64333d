/**
 * The opt-in live check: where replay finds no recorded response that fits a sub-call and a model
 * is configured, verify asks the model itself, within a budget of calls for the whole build (off by
 * default: BuildOptions.liveCheck). Every live call is logged like any model call: in llm_calls
 * (kind 'sub'), under a run of source 'verify' per replayed member (its query says which function,
 * cluster and member run), so `accrete runs` and `accrete show` list them with their tokens and cost.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/connection.js';
import { buildSubCallMessages } from '../../src/contracts/messages.js';
import { costUsd as costOfCall } from '../../src/models/prices.js';
import type { ModelClient } from '../../src/models/types.js';
import type { LlmCallRow, TraceRecord } from '../../src/trace/records.js';
import { writeRecords } from '../../src/trace/writer.js';

export interface LiveCheckOptions {
  /** The model asked when no recorded response fits (a sub-call model). */
  model: ModelClient;
  /** Live calls allowed in one build, over all clusters. */
  budget: number;
}

/** The budget shared by every replay of one build. */
export class LiveBudget {
  used = 0;
  constructor(readonly options: LiveCheckOptions) {}
  get left(): number {
    return Math.max(0, this.options.budget - this.used);
  }
}

/** The source of the runs that hold verify's live calls. */
export const VERIFY_RUN_SOURCE = 'verify';

export interface LiveSession {
  /** Asks the model live (logged); undefined when the budget is spent. */
  ask(query: string, context: string | null): Promise<{ response: string } | { error: string } | undefined>;
  /** Live calls made in this session. */
  readonly calls: number;
  /** Ends the session's run (status from whether the member was reproduced). */
  close(reproduced: boolean): Promise<void>;
}

interface SessionInfo {
  functionName: string;
  clusterId: string;
  memberRunId: string;
  contextSha256: string | null;
}

/** A live session for one replayed member: its run is written at the first live call. */
export function liveSession(database: Database, budget: LiveBudget, info: SessionInfo): LiveSession {
  const runId = randomUUID();
  const startedAt = new Date();
  let calls = 0;
  let inputTokens = 0;
  let outputTokens = 0;
  let costUsd = 0;
  const { model } = budget.options;
  const runRow = (status: 'running' | 'succeeded' | 'failed', endedAt?: Date): TraceRecord => ({
    table: 'runs',
    row: {
      id: runId,
      rootRunId: runId,
      source: VERIFY_RUN_SOURCE,
      query: `verify ${info.functionName} (cluster ${info.clusterId}): live sub-calls replaying run ${info.memberRunId}`,
      contextSha256: info.contextSha256,
      subModel: model.model,
      status,
      llmCalls: calls,
      inputTokens,
      outputTokens,
      costUsd,
      metadata: { verify: { clusterId: info.clusterId, function: info.functionName, memberRunId: info.memberRunId } },
      startedAt,
      ...(endedAt ? { endedAt, durationMs: endedAt.getTime() - startedAt.getTime() } : {}),
    },
  });
  return {
    get calls() {
      return calls;
    },
    async ask(query, context) {
      if (budget.left <= 0) return undefined;
      budget.used++;
      const messages = buildSubCallMessages(query, context ?? undefined);
      const started = performance.now();
      const row: LlmCallRow = {
        id: randomUUID(),
        runId,
        seq: calls,
        kind: 'sub',
        provider: model.provider,
        requestModel: model.model,
        requestMessages: messages,
        requestHash: createHash('sha256').update(JSON.stringify([model.model, messages])).digest('hex'),
        status: 'ok',
      };
      const records: TraceRecord[] = calls === 0 ? [runRow('running')] : [];
      calls++;
      try {
        const r = await model.complete({ messages });
        inputTokens += r.usage.inputTokens;
        outputTokens += r.usage.outputTokens;
        const cost = costOfCall(model.model, r.usage);
        costUsd += cost;
        records.push({
          table: 'llm_calls',
          row: {
            ...row,
            response: r.text,
            responseModel: r.responseModel,
            finishReason: r.finishReason,
            inputTokens: r.usage.inputTokens,
            outputTokens: r.usage.outputTokens,
            costUsd: cost,
            latencyMs: Math.round(performance.now() - started),
            providerRequestId: r.providerRequestId,
          },
        });
        await writeRecords(database.db, records);
        return { response: r.text };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        records.push({ table: 'llm_calls', row: { ...row, status: 'error', error: message, latencyMs: Math.round(performance.now() - started) } });
        await writeRecords(database.db, records);
        return { error: message };
      }
    },
    async close(reproduced) {
      if (calls === 0) return;
      await writeRecords(database.db, [runRow(reproduced ? 'succeeded' : 'failed', new Date())]);
    },
  };
}
