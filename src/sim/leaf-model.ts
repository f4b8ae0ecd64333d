/**
 * The simulated leaf model: answers `llm(query, ctx)` sub-calls by doing the sub-task for real,
 * by rule, on the text it is given (see src/sim/leaf/*). Realistic limits:
 * - it sees only the first `window` characters of the context (default 8,000), so chunks bigger
 *   than the window lose information;
 * - it errs with probability `errorRate` (default 0.02) as a pure function of seed + request, so
 *   identical requests always get identical answers;
 * - it takes `latency` (default none) and honors `request.signal`.
 */
import type { CompletionRequest, CompletionResult, ModelClient } from '../models/types.js';
import { parseSubCallMessages } from '../contracts/messages.js';
import { finishCompletion } from './completion.js';
import type { LatencyModel } from './latency.js';
import { throwIfAborted } from './latency.js';
import { answerRequest } from './leaf/answer.js';
import { corruptAnswer } from './leaf/corrupt.js';
import { Rng, seedOf } from './rng.js';

export interface LeafModelOptions {
  seed?: number;
  /** Characters of context the model can see; the rest is cut off (head kept). Default 8000. */
  window?: number;
  /** Probability of a wrong answer per distinct request. Default 0.02. */
  errorRate?: number;
  latency?: LatencyModel;
  /** The model name reported (gen_ai.request.model). Default "sim-leaf". */
  model?: string;
}

export const DEFAULT_LEAF_WINDOW = 8000;

export class SimLeafModel implements ModelClient {
  readonly provider = 'sim';
  readonly model: string;
  readonly window: number;
  private readonly seed: number;
  private readonly errorRate: number;
  private readonly latency: LatencyModel | undefined;

  constructor(options: LeafModelOptions = {}) {
    this.seed = options.seed ?? 0;
    this.window = options.window ?? DEFAULT_LEAF_WINDOW;
    this.errorRate = options.errorRate ?? 0.02;
    this.latency = options.latency;
    this.model = options.model ?? 'sim-leaf';
  }

  /** The reply text for a request (no latency, no usage): useful in tests and the direct baseline. */
  answer(query: string, context: string): string {
    let visibleQuery = query;
    let visible = context.slice(0, this.window);
    if (context === '' && query.length > this.window) {
      // Everything was pasted into the request itself: the window applies to it.
      visibleQuery = query.slice(0, this.window);
      visible = visibleQuery;
    }
    const { kind, answer } = answerRequest(visibleQuery, visible);
    const seed = seedOf(this.seed, 'leaf-error', visibleQuery, visible);
    if (this.errorRate > 0 && seed / 4294967296 < this.errorRate) {
      return corruptAnswer(kind, answer, new Rng(seed));
    }
    return answer;
  }

  async complete(request: CompletionRequest): Promise<CompletionResult> {
    throwIfAborted(request.signal);
    const { query, context } = parseSubCallMessages(request.messages);
    const text = this.answer(query, context);
    return finishCompletion(this.model, request, text, this.latency);
  }
}

export function createLeafModel(options: LeafModelOptions = {}): SimLeafModel {
  return new SimLeafModel(options);
}
