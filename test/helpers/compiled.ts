/** A library function's JavaScript as the one compiler (src/library/compile.ts) emits it, for tests that run it in Node. */
import { compileFunction } from '../../src/library/compile.js';

export function compiledJs(name: string, source: string): string {
  const r = compileFunction({ name, version: '0.0.0-test', source });
  if (!r.ok) throw new Error(r.error);
  return r.fn.js;
}
