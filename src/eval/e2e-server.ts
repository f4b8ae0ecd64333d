/**
 * The scripted OpenAI-compatible server of the end-to-end benchmark (src/eval/e2e-bench.ts), run in
 * a process of its own (forked) so that its work is never counted as accrete's. It serves:
 * - `bench-root`: the root model, scripted by the run's query (see `rootReply`);
 * - `bench-leaf-<L>`: a sub-call model that answers "ok" after L ms (L = 0, 20 or 50).
 * Every root request is reported to the parent (IPC) with when it arrived and when its reply was
 * ready, on the monotonic clock all processes of the machine share, with the sub-calls served so far.
 */
import { startModelServer } from '../sim/server.js';
import type { CompletionRequest, CompletionResult, ModelClient } from '../models/types.js';

/** Milliseconds on the machine's monotonic clock (comparable across processes). */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

export const ROOT_MODEL = 'bench-root';
export const LEAF_LATENCIES = [0, 20, 50] as const;
export const leafModel = (latencyMs: number): string => `bench-leaf-${latencyMs}`;

/** A root request as the server saw it. */
export interface RootEvent {
  type: 'root';
  query: string;
  /** Assistant turns before this request (0 for a run's first request). */
  turn: number;
  arrivedMs: number;
  repliedMs: number;
  /** Sub-call requests served so far (all runs). */
  subCalls: number;
}

const fence = (code: string): string => '```js\n' + code + '\n```';

/**
 * The root model's reply at `turn`, from the query's first word and number:
 * - `steps K`: K trivial steps (`print` of a number), then FINAL;
 * - `fanout N`: one llmBatch of N sub-calls, then FINAL;
 * - `seq N`: N llm() calls one after another, then FINAL.
 */
export function rootReply(query: string, turn: number): string {
  const [kind, count] = query.split(/\s+/);
  const n = Number(count) || 0;
  if (kind === 'steps') return turn < n ? fence(`const x${turn} = ${turn} * 2;\nprint(x${turn})`) : fence('FINAL("done")');
  if (kind === 'fanout') {
    return turn === 0 ? fence(`const r = await llmBatch(Array.from({ length: ${n} }, (_, i) => ({ query: "item " + i })));\nprint(r.length)`) : fence('FINAL(String(r.length))');
  }
  if (kind === 'seq') return turn === 0 ? fence(`let k = 0;\nfor (let i = 0; i < ${n}; i++) { await llm("item " + i); k++; }\nprint(k)`) : fence('FINAL(String(k))');
  return fence('FINAL("unknown benchmark query")');
}

const usage = { inputTokens: 10, outputTokens: 5 };

async function main(): Promise<void> {
  let subCalls = 0;
  const root: ModelClient = {
    provider: 'bench',
    model: ROOT_MODEL,
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const arrivedMs = monotonicMs();
      const user = req.messages.filter((m) => m.role === 'user').map((m) => m.content);
      const q = user.map((text) => /\b(steps|fanout|seq) \d+/.exec(text)?.[0]).find(Boolean) ?? '';
      const turn = req.messages.filter((m) => m.role === 'assistant').length;
      const text = rootReply(q, turn);
      const event: RootEvent = { type: 'root', query: q, turn, arrivedMs, repliedMs: monotonicMs(), subCalls };
      process.send?.(event);
      return { text, finishReason: 'stop', usage };
    },
  };
  const models: Record<string, ModelClient> = { [ROOT_MODEL]: root };
  for (const latency of LEAF_LATENCIES) {
    models[leafModel(latency)] = {
      provider: 'bench',
      model: leafModel(latency),
      async complete(): Promise<CompletionResult> {
        subCalls++;
        if (latency > 0) await new Promise((r) => setTimeout(r, latency));
        return { text: 'ok', finishReason: 'stop', usage };
      },
    };
  }
  const server = await startModelServer({ models });
  process.send?.({ type: 'ready', url: server.url });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
}

if (process.send) void main();
