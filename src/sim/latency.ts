/** The simulated models' latency: a fixed part plus a part per output token, abortable. */

export interface LatencyModel {
  /** Milliseconds added to every call. Default 0. */
  fixedMs?: number;
  /** Milliseconds per generated token. Default 0. */
  perOutputTokenMs?: number;
}

export function latencyFor(model: LatencyModel | undefined, outputTokens: number): number {
  if (!model) return 0;
  return Math.max(0, (model.fixedMs ?? 0) + (model.perOutputTokenMs ?? 0) * outputTokens);
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** Throws the signal's reason if it is already aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortError(signal);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  throwIfAborted(signal);
  if (ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
