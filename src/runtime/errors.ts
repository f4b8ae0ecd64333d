/** Errors the runtime throws that callers tell apart (kept apart from runtime.ts so the CLI can check for them without loading the runtime). */

/** The caller's input cannot be run (an empty query, say); the message says what to change. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
