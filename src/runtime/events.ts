/**
 * The events of a run tree, in the order they happen: what `runtime.stream()` yields. Every event
 * names the run it belongs to (`runId`) and its depth (0 for the root, 1 for its sub-runs, ...).
 * A block's output is what the model saw (capped at --max-output-chars), redacted like the log;
 * the query, code and answer are as the run has them (like RunSummary.answer).
 */
import type { LlmCallKind, LlmCallStatus, RunStatus, ToolCallStatus } from '../db/schema.js';

interface At {
  runId: string;
  depth: number;
}

export type RunEvent =
  | (At & { type: 'run_start'; parentRunId: string | null; query: string; sessionId: string | null })
  | (At & { type: 'step_start'; step: number })
  /** A code block about to run. */
  | (At & { type: 'code'; step: number; block: number; code: string })
  /** What the block printed (as the model sees it), its true length, and its error. */
  | (At & { type: 'output'; step: number; block: number; output: string; outputChars: number; error: string | null })
  | (At & { type: 'model_call_start'; callId: string; kind: LlmCallKind; model: string })
  /** A piece of a model's reply as it is generated (only where the server streams). */
  | (At & { type: 'model_call_delta'; callId: string; kind: LlmCallKind; text: string })
  | (At & { type: 'model_call_end'; callId: string; kind: LlmCallKind; model: string; status: LlmCallStatus; inputTokens: number; outputTokens: number; latencyMs: number })
  /** Progress of an llmBatch or rlmBatch call: items done of the total. */
  | (At & { type: 'batch'; fn: 'llmBatch' | 'rlmBatch'; done: number; total: number })
  | (At & { type: 'tool_call'; name: string; status: ToolCallStatus; durationMs: number; error: string | null })
  /** A sub-run (rlm, rlmBatch) ended; its own events carry `runId: childRunId`. */
  | (At & { type: 'sub_run'; childRunId: string; status: RunStatus; answer: string | null })
  /** History summarized by the root model (sessions, --compact-at-tokens). */
  | (At & { type: 'compaction'; messagesBefore: number; tokensBefore: number; tokensAfter: number })
  | (At & { type: 'answer'; answer: string })
  | (At & { type: 'run_end'; status: RunStatus; error: string | null; iterations: number; llmCalls: number; inputTokens: number; outputTokens: number; costUsd: number; durationMs: number });

export type RunEventType = RunEvent['type'];

/**
 * An async queue of events for one consumer: `push` from the run, `for await` on the other side.
 * Events are buffered (a slow consumer never slows the run); `end` finishes the iteration after
 * what is buffered, `fail` throws after it.
 */
export class EventQueue<T> implements AsyncIterable<T> {
  private buffer: T[] = [];
  private waiting?: () => void;
  private ended = false;
  private failure?: unknown;

  push(event: T): void {
    if (this.ended) return;
    this.buffer.push(event);
    this.wake();
  }

  end(): void {
    this.ended = true;
    this.wake();
  }

  fail(err: unknown): void {
    this.failure = err;
    this.end();
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      if (this.buffer.length > 0) {
        yield this.buffer.shift()!;
        continue;
      }
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
      });
    }
  }
}
