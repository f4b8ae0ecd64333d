/**
 * The library API's handles on runs: a run as a stream of events (`runtime.stream`) and a session
 * of queries over one input (`runtime.session`). Both drive the same logged loop as
 * `runtime.run`; the runtime passes in how to run one root run.
 */
import { randomUUID } from 'node:crypto';
import type { Budgets } from './budget.js';
import { type ContextInput, type PreparedContext, prepareContext } from './context.js';
import { EventQueue, type RunEvent } from './events.js';
import type { RunSummary } from './run.js';
import type { SessionState } from './session.js';
import type { JsonSchema } from './tools.js';

/** A run's events as they happen (`for await (const e of stream)`), and its summary. */
export interface RunStream extends AsyncIterable<RunEvent> {
  /** The summary when the run ends; rejects when it could not start (the iteration throws too). */
  readonly result: Promise<RunSummary>;
}

type Emit = (event: RunEvent) => void;

/** Starts a run now; its events are buffered until read. */
export function streamRun(start: (emit: Emit) => Promise<RunSummary>): RunStream {
  const queue = new EventQueue<RunEvent>();
  const result = start((e) => queue.push(e)).then(
    (summary) => {
      queue.end();
      return summary;
    },
    (err: unknown) => {
      queue.fail(err);
      throw err;
    },
  );
  result.catch(() => {}); // also reported through the iteration
  return { result, [Symbol.asyncIterator]: () => queue[Symbol.asyncIterator]() };
}

export interface SessionOptions {
  /** The input every turn works on (prepared and stored once). */
  context?: ContextInput;
  /** A JSON Schema of the context, shown instead of the inferred shape. */
  contextSchema?: JsonSchema;
  /**
   * When the root model's history is estimated over this many tokens at the start of a turn, the
   * older turns are summarized by the root model into one message (logged as a compaction step).
   * Default 0: never.
   */
  compactAtTokens?: number;
  /** Keep this id for the session (default: a new UUID). */
  id?: string;
}

export interface SessionTurn {
  query: string;
  runId?: string;
  budgets?: Partial<Budgets>;
  signal?: AbortSignal;
}

export interface Session {
  readonly id: string;
  /** Turns run so far. */
  readonly turns: number;
  /** One query: a run linked to the session (runs.session_id, session_turn), REPL and history kept. */
  run(turn: SessionTurn | string): Promise<RunSummary>;
  /** The same, as a stream of events. */
  stream(turn: SessionTurn | string): RunStream;
  /** Ends the session: its REPL is disposed. */
  close(): Promise<void>;
}

export type RunTurn = (input: SessionTurn, extra: { emit?: Emit; session: SessionState; ctx: PreparedContext }) => Promise<RunSummary>;

export function openSession(options: SessionOptions, runTurn: RunTurn): Session {
  const compactAt = options.compactAtTokens ?? 0;
  if (!Number.isFinite(compactAt) || compactAt < 0) throw new RangeError(`compactAtTokens must be a non-negative number of tokens (got ${String(options.compactAtTokens)})`);
  const ctx = prepareContext(options.context ?? '', { schema: options.contextSchema });
  const state: SessionState = { id: options.id ?? randomUUID(), turn: 0, messages: [], compactAtTokens: compactAt };
  let turns = 0;
  let busy = false;
  let closed = false;

  const turn = async (t: SessionTurn | string, emit?: Emit): Promise<RunSummary> => {
    if (closed) throw new Error(`session ${state.id} is closed`);
    if (busy) throw new Error(`session ${state.id} runs one query at a time: wait for the previous turn to end`);
    const input = typeof t === 'string' ? { query: t } : t;
    busy = true;
    try {
      state.turn = turns + 1;
      const summary = await runTurn({ ...input }, { emit, session: state, ctx });
      turns++;
      return summary;
    } finally {
      busy = false;
    }
  };

  return {
    id: state.id,
    get turns() {
      return turns;
    },
    run: (t) => turn(t),
    stream: (t) => streamRun((emit) => turn(t, emit)),
    async close() {
      if (closed) return;
      closed = true;
      await state.repl?.dispose();
      state.repl = undefined;
    },
  };
}
