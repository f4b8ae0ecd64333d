/** The library repository: where it may be created, and candidates that cannot be proposed. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandidateError, ensureLibrary, proposeFunction, resolveLibraryDir } from '../../../miner/promote/index.js';
import { makeCandidate, sh } from './candidate.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'accrete-librepo-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the library repository', () => {
  it('gives the first commit to a repository without commits (a clone of an empty remote)', async () => {
    const dir = join(tmp, 'empty-clone');
    mkdirSync(dir);
    sh(dir, 'init', '--quiet', '-b', 'trunk');
    await ensureLibrary(dir);
    expect(sh(dir, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/main');
    expect(JSON.parse(sh(dir, 'show', 'main:manifest.json'))).toEqual({ schema: 1, functions: {} });
    expect(sh(dir, 'status', '--porcelain')).toBe('');
    await ensureLibrary(dir); // idempotent
    expect(sh(dir, 'rev-list', '--count', 'main').trim()).toBe('1');
  });

  it('refuses a directory with files that is not a repository of its own, and a repository without main', async () => {
    const outer = join(tmp, 'outer');
    mkdirSync(join(outer, 'lib'), { recursive: true });
    sh(outer, 'init', '--quiet', '-b', 'main');
    writeFileSync(join(outer, 'lib', 'notes.txt'), 'x');
    await expect(ensureLibrary(join(outer, 'lib'))).rejects.toThrow(/exists and is not a git repository of its own/);
    const other = join(tmp, 'other');
    mkdirSync(other);
    sh(other, 'init', '--quiet', '-b', 'trunk');
    sh(other, 'commit', '--quiet', '--allow-empty', '-m', 'x');
    await expect(ensureLibrary(other)).rejects.toThrow(/has no "main" branch/);
  });

  it('resolves the configured directory, else the default inside .accrete/', () => {
    expect(resolveLibraryDir('/x/lib')).toBe('/x/lib');
    expect(resolveLibraryDir(undefined)).toBe(join(process.cwd(), '.accrete', 'library'));
  });

  it('rejects candidates that import, misname their function, or lack responses, before writing anything', async () => {
    const dir = join(tmp, 'never');
    const imports = makeCandidate();
    imports.source = `import fs from 'node:fs';\n${imports.source}`;
    await expect(proposeFunction(dir, imports, { github: false })).rejects.toThrow(CandidateError);
    await expect(proposeFunction(dir, imports, { github: false })).rejects.toThrow(/import nothing/);
    await expect(proposeFunction(dir, makeCandidate({ name: 'Count-Lines' }), { github: false })).rejects.toThrow(/lower camelCase/);
    const renamed = { ...makeCandidate(), name: 'otherName' };
    await expect(proposeFunction(dir, renamed, { github: false })).rejects.toThrow(/export async function otherName/);
    const missing = makeCandidate();
    missing.fixtures[0] = { ...missing.fixtures[0], responses: {} };
    await expect(proposeFunction(dir, missing, { github: false })).rejects.toThrow(/records no response/);
    expect(existsSync(dir)).toBe(false);
  });
});
