/** Ctrl-C on a long command: the first stops the work cleanly (logged as cancelled), the second quits. */

export interface Interrupt {
  signal: AbortSignal;
  /** Stops listening for SIGINT. */
  dispose(): void;
}

export function onInterrupt(message: string, beforeMessage: () => void = () => {}): Interrupt {
  const abort = new AbortController();
  let interrupts = 0;
  const handler = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    beforeMessage();
    process.stderr.write(`${message} (Ctrl-C again to quit now)\n`);
    abort.abort(new Error('interrupted (SIGINT)'));
  };
  process.on('SIGINT', handler);
  return { signal: abort.signal, dispose: () => process.off('SIGINT', handler) };
}
