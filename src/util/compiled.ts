/**
 * The build's compiled counterpart of a TypeScript source module, for code that starts a thread or a
 * process from a module file: run from the sources (tests, tsx), such a thread or process would
 * otherwise register tsx first, which costs it ~0.3–0.7 s to start (its own loader thread, the
 * transforms). The compiled file is used only when the build is current for it: it and every
 * module it imports (relative imports, followed through the compiled files) exist and are not older
 * than their sources. Otherwise undefined, and the caller starts the sources through tsx.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageRoot } from './package-root.js';

/**
 * Relative module specifiers in compiled ESM: import and export statements (at a line's start, so
 * not in comments) and dynamic imports. One seen in a comment only costs the fallback to tsx.
 */
const RELATIVE_IMPORT = /^\s*(?:(?:import|export)\b[^'"]*?\bfrom\s*|import\s*)['"](\.{1,2}\/[^'"$]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"$]+)['"]\s*\)/gm;

/** `source` (a .ts file of the package) as its current compiled .js under dist/, or undefined. */
export function compiledCounterpart(source: string | URL): URL | undefined {
  const root = packageRoot();
  const path = typeof source === 'string' ? source : fileURLToPath(source);
  const built = join(root, 'dist', relative(root, path)).replace(/\.ts$/, '.js');
  return current(built, root, new Set()) ? pathToFileURL(built) : undefined;
}

/** Whether `built` and every compiled module it imports exist and are not older than their sources. */
function current(built: string, root: string, seen: Set<string>): boolean {
  if (seen.has(built)) return true;
  seen.add(built);
  const source = join(root, relative(join(root, 'dist'), built)).replace(/\.js$/, '.ts');
  let code: string;
  try {
    if (statSync(built).mtimeMs < statSync(source).mtimeMs) return false;
    code = readFileSync(built, 'utf8');
  } catch {
    return false; // not built, or no such source
  }
  for (const m of code.matchAll(RELATIVE_IMPORT)) {
    if (!current(resolve(dirname(built), m[1] ?? m[2]), root, seen)) return false;
  }
  return true;
}
