/**
 * A candidate compiled the way runs load it: src/library/compile.ts (the one TypeScript → sandbox
 * compiler, the code that loads merged functions into runs) turns its source into the library
 * source the prelude installs as `lib`, and the step that replays a member calls it the way model
 * code would: `FINAL(await lib.<name>(context, ...args))`. What is verified is what runs.
 */
import { buildLibrarySource, compileFunction } from '../../src/library/compile.js';

/** A candidate ready for the sandbox: its name and the library source that defines `lib.<name>`. */
export interface SandboxFunction {
  name: string;
  librarySource: string;
}

/** The version a candidate carries while it is verified (it has none before it is proposed). */
export const CANDIDATE_VERSION = '0.0.0-candidate';

/** Compiles a candidate's source as the library loader would; says what is wrong when it cannot. */
export function compileCandidate(name: string, source: string): { ok: true; fn: SandboxFunction } | { ok: false; error: string } {
  const r = compileFunction({ name, version: CANDIDATE_VERSION, source });
  if (!r.ok) return r;
  return { ok: true, fn: { name, librarySource: buildLibrarySource([r.fn]) } };
}

/** The step that calls the function with the given arguments (after `context`) and ends with its answer. */
export function callStep(name: string, args: readonly unknown[]): string {
  const rest = args.map((a) => `, ${JSON.stringify(a)}`).join('');
  return `FINAL(await lib.${name}(context${rest}));\n`;
}
