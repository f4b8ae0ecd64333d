/** What both ways of turning a REPL step into a script share (src/sandbox/transform.ts picks the way). */

export class StepSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyntaxError';
  }
}

/** The async wrapper; the body starts on the wrapper's first line so line numbers match the model's code. */
export function wrapAsync(js: string): string {
  return `(async () => {${js}\n})()`;
}

export interface TransformedStep {
  /** The script to run in the isolate. */
  script: string;
}
