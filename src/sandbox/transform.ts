/**
 * Turns one REPL step (JavaScript or TypeScript) into a script the isolate can run:
 * - TypeScript is transpiled;
 * - top-level `const`/`let`/`var`/`class` declarations become assignments to `globalThis`, and
 *   top-level functions are published on `globalThis`, so the next step sees them;
 * - the body is wrapped in an async function, so top-level `await` works.
 * Plain JavaScript (what models write nearly always) takes acorn (src/sandbox/transform-js.ts);
 * anything acorn cannot parse takes the TypeScript compiler (src/sandbox/transform-ts.ts), imported
 * the first time a step needs it, which also words the syntax errors.
 */
import { StepSyntaxError, type TransformedStep, wrapAsync } from './step-script.js';
import { hoistPlainJavaScript } from './transform-js.js';

export { StepSyntaxError, type TransformedStep, wrapAsync };

export async function transformStep(code: string): Promise<TransformedStep> {
  const js = hoistPlainJavaScript(code);
  if (js !== undefined) return { script: wrapAsync(js) };
  const { transformTypeScriptStep } = await import('./transform-ts.js');
  return transformTypeScriptStep(code);
}
