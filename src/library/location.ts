/**
 * Where the library repository lives: one default for every command (run, mine, library, demo),
 * inside the project's `.accrete/` data folder next to the embedded database. Callers pass the
 * directory they were configured with (flag or environment, resolved by the CLI); nothing here
 * reads the environment.
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';

/** The library repository when none is configured (relative to the working directory). */
export const DEFAULT_LIBRARY_DIR = './.accrete/library';

/** The configured directory, or the default; absolute (symlinks resolved when it exists). */
export function resolveLibraryDir(dir?: string): string {
  const abs = resolve(dir || DEFAULT_LIBRARY_DIR);
  return existsSync(abs) ? realpathSync(abs) : abs;
}
