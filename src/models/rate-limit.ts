/**
 * A rate limit per model endpoint shared by every process that uses the same database (the
 * `rate_limits` table): a token bucket of requests and one of tokens, each refilled continuously at
 * its per-minute rate. A call takes one request and its estimated tokens in one atomic UPDATE (the
 * row lock serializes workers on any number of machines); the estimate is corrected once the
 * response says how many tokens it really used. Ten workers then share one budget instead of each
 * spending the provider's whole limit.
 */
import type { Database } from '../db/connection.js';
import { estimateTokens } from './tokens.js';
import type { CompletionRequest, CompletionResult, ModelClient } from './types.js';

export interface RateLimit {
  requestsPerMinute?: number;
  tokensPerMinute?: number;
}

export type Acquired = { granted: true } | { granted: false; waitMs: number };

/** What is in a bucket now: the stored amount plus the refill since, capped at one minute's worth. */
const REFILLED = (avail: string, perMinute: string) =>
  `least(${perMinute}, ${avail} + ${perMinute} * greatest(0, extract(epoch from (now() - refilled_at))) / 60.0)`;
const REQ = REFILLED('available_requests', 'requests_per_minute');
const TOK = REFILLED('available_tokens', 'tokens_per_minute');

export class SharedRateLimiter {
  private configured?: Promise<void>;

  constructor(
    private readonly database: Database,
    readonly endpoint: string,
    readonly limit: RateLimit,
  ) {
    for (const [k, v] of Object.entries(limit)) {
      if (v !== undefined && (!Number.isFinite(v) || v <= 0)) throw new Error(`rate limit ${k} must be a positive number (got ${v})`);
    }
  }

  /** Creates the endpoint's bucket, full, or sets its limits (the latest configuration wins). */
  configure(): Promise<void> {
    this.configured ??= this.database
      .query(
        `insert into rate_limits (endpoint, requests_per_minute, tokens_per_minute, available_requests, available_tokens)
         values ($1, $2, $3, coalesce($2, 0), coalesce($3, 0))
         on conflict (endpoint) do update set requests_per_minute = excluded.requests_per_minute, tokens_per_minute = excluded.tokens_per_minute`,
        [this.endpoint, this.limit.requestsPerMinute ?? null, this.limit.tokensPerMinute ?? null],
      )
      .then(() => undefined);
    return this.configured;
  }

  /** Takes one request and `tokens` tokens if both buckets hold them; else says how long to wait. */
  async tryAcquire(tokens: number): Promise<Acquired> {
    await this.configure();
    const t = Math.max(0, Math.round(tokens));
    const taken = await this.database.query(
      `update rate_limits set
         available_requests = case when requests_per_minute is null then 0 else ${REQ} - 1 end,
         available_tokens = case when tokens_per_minute is null then 0 else ${TOK} - $2 end,
         refilled_at = now()
       where endpoint = $1
         and (requests_per_minute is null or ${REQ} >= 1)
         and (tokens_per_minute is null or ${TOK} >= least($2, tokens_per_minute))
       returning endpoint`,
      [this.endpoint, t],
    );
    if (taken.length > 0) return { granted: true };
    const [row] = await this.database.query<{ req: number | null; tok: number | null; rpm: number | null; tpm: number | null }>(
      `select case when requests_per_minute is null then null else ${REQ} end as req, case when tokens_per_minute is null then null else ${TOK} end as tok,
              requests_per_minute as rpm, tokens_per_minute as tpm
       from rate_limits where endpoint = $1`,
      [this.endpoint],
    );
    const waitReq = row?.rpm ? ((1 - Number(row.req)) / row.rpm) * 60_000 : 0;
    const waitTok = row?.tpm ? ((Math.min(t, row.tpm) - Number(row.tok)) / row.tpm) * 60_000 : 0;
    return { granted: false, waitMs: Math.max(0, waitReq, waitTok) };
  }

  /** Waits until the call may go (polling the shared bucket, never longer than it needs). */
  async acquire(tokens: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const r = await this.tryAcquire(tokens);
      if (r.granted) return;
      // Others are waiting too: a little jitter keeps them from all asking at the same instant.
      const ms = Math.min(10_000, Math.max(20, r.waitMs)) * (1 + Math.random() * 0.2);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
      });
    }
  }

  /** Charges (or refunds) the difference between the tokens a call used and what was estimated. */
  async settle(estimated: number, used: number): Promise<void> {
    const delta = Math.round(used - estimated);
    if (delta === 0 || this.limit.tokensPerMinute === undefined) return;
    await this.database.query(`update rate_limits set available_tokens = available_tokens - $2 where endpoint = $1 and tokens_per_minute is not null`, [this.endpoint, delta]);
  }
}

/** The tokens a request is expected to use before it is sent: its prompt, plus its output cap if any. */
export function estimateRequestTokens(request: CompletionRequest): number {
  return request.messages.reduce((n, m) => n + estimateTokens(m.content), 0) + (request.maxOutputTokens ?? 0);
}

/** A model whose every call first takes its share of the endpoint's shared rate limit. */
export function rateLimited(model: ModelClient, limiter: SharedRateLimiter): ModelClient {
  return {
    model: model.model,
    provider: model.provider,
    async complete(request: CompletionRequest): Promise<CompletionResult> {
      const estimate = estimateRequestTokens(request);
      await limiter.acquire(estimate, request.signal);
      const result = await model.complete(request);
      await limiter.settle(estimate, result.usage.inputTokens + result.usage.outputTokens).catch(() => undefined);
      return result;
    },
  };
}
