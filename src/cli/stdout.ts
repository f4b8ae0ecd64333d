/**
 * Standard output when its reader may go away: `accrete export | head` closes the pipe after ten
 * lines. Writing on stops quietly instead of crashing with an EPIPE stack trace, and a long writer
 * (export) stops early.
 */

/** The reader closed the pipe. */
export function stdoutGone(): boolean {
  return process.stdout.destroyed;
}

/** Installed once by the `accrete` process: a closed pipe is the reader's choice, not an error. */
export function ignoreClosedStdout(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}

/** Writes, waiting while the pipe is full; false once the reader is gone (stop writing). */
export async function writeOut(text: string): Promise<boolean> {
  if (stdoutGone()) return false;
  if (!process.stdout.write(text)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('close', done);
        resolve();
      };
      process.stdout.once('drain', done);
      process.stdout.once('close', done);
    });
  }
  return !stdoutGone();
}
