import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/** The directory holding accrete's package.json, whether running from src/ (tsx, vitest) or dist/. */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'migrations'))) return (cached = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error(`accrete: cannot find the package root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
