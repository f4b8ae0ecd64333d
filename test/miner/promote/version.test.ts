/** Versions: new → 1.0.0, same signature → minor, changed signature → major; older versions kept. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, nextVersion, proposeFunction } from '../../../miner/promote/index.js';
import type { LibraryManifest } from '../../../src/library/format.js';
import { RUNS, makeCandidate, sh } from './candidate.js';

let tmp: string;
let lib: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'accrete-semver-'));
  lib = join(tmp, 'library');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** What a reviewer does: merge the branch into main. */
const merge = (branch: string) => sh(lib, 'merge', '--no-ff', '--quiet', '-m', `Merge ${branch}`, branch);
const manifestAt = (ref: string): LibraryManifest => JSON.parse(sh(lib, 'show', `${ref}:manifest.json`)) as LibraryManifest;

describe('semver of proposals against main', () => {
  it('bumps new → 1.0.0, changed body → 1.1.0, changed signature → 2.0.0, and keeps older versions', async () => {
    const v1 = await proposeFunction(lib, makeCandidate({ runs: [RUNS.a, RUNS.b] }), { github: false });
    expect([v1.version, v1.bump, v1.previousVersion]).toEqual(['1.0.0', 'new', undefined]);

    // Not merged yet: proposing again still targets 1.0.0 and updates that proposal's branch.
    const again = await proposeFunction(lib, makeCandidate({ runs: [RUNS.a, RUNS.b, RUNS.c] }), { github: false });
    expect([again.version, again.branch]).toEqual(['1.0.0', v1.branch]);
    expect(sh(lib, 'rev-parse', `${again.commit}^`).trim()).toBe(v1.commit);
    merge(v1.branch);
    expect(manifestAt('main').functions.countMentions.version).toBe('1.0.0');

    // The same function again: nothing to propose.
    const same = await proposeFunction(lib, makeCandidate({ runs: [RUNS.a, RUNS.b, RUNS.c] }), { github: false });
    expect(same.status).toBe('unchanged');
    expect(same.commit).toBeUndefined();

    const v11 = await proposeFunction(lib, makeCandidate({ variant: 'v1-body', runs: [RUNS.a, RUNS.d] }), { github: false });
    expect([v11.version, v11.bump, v11.previousVersion, v11.branch]).toEqual(['1.1.0', 'minor', '1.0.0', 'accrete/promote-countMentions-1.1.0']);
    // The new version's fixtures replace the old ones on its branch.
    expect(v11.removed).toEqual([`test/fixtures/countMentions/${RUNS.b}.json`, `test/fixtures/countMentions/${RUNS.c}.json`]);
    expect(sh(lib, 'ls-tree', '--name-only', `${v11.branch}:test/fixtures/countMentions`).trim().split('\n')).toEqual([`${RUNS.a}.json`, `${RUNS.d}.json`]);
    expect(v11.body).toContain('A compatible change (same signature) of 1.0.0, minor bump');
    merge(v11.branch);

    const v2 = await proposeFunction(lib, makeCandidate({ variant: 'v2-signature' }), { github: false });
    expect([v2.version, v2.bump, v2.previousVersion]).toEqual(['2.0.0', 'major', '1.1.0']);
    const manifest = manifestAt(v2.branch);
    const entry = manifest.functions.countMentions;
    expect(entry.version).toBe('2.0.0');
    expect(entry.versions.map((v) => v.version)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    expect(entry.versions[0].signature).toBe('(context: string, topic: string) => Promise<string>');
    expect(entry.versions[2].signature).toBe('(context: string, topic: string, minLength: number) => Promise<string>');
    expect(new Set(entry.versions.map((v) => v.sourceHash)).size).toBe(3);
    // Main holds 1.1.0 until a reviewer merges 2.0.0; 1.0.0's source stays in main's history.
    expect(manifestAt('main').functions.countMentions.version).toBe('1.1.0');
    expect(sh(lib, 'show', `${v1.branch}:src/countMentions.ts`)).toBe(makeCandidate().source);
    expect(sh(lib, 'merge-base', '--is-ancestor', v1.branch, 'main')).toBe('');
  }, 90_000);

  it('starts a new major for a retired function proposed again', async () => {
    const entry = { name: 'f', version: '1.2.0', versions: [] };
    expect(nextVersion(undefined, '(a: string) => Promise<string>')).toEqual({ version: '1.0.0', bump: 'new' });
    expect(nextVersion(undefined, '(a: string) => Promise<string>', ['1.0.0', '2.3.0', '1.4.0']).version).toBe('3.0.0');
    // An entry whose newest version is not described falls back to a major bump.
    expect(nextVersion(entry, '(a: string) => Promise<string>')).toMatchObject({ version: '2.0.0', bump: 'major', previousVersion: '1.2.0' });
    expect(compareVersions('1.10.0', '1.9.3')).toBeGreaterThan(0);
    expect(compareVersions('2.0.0', '2.0.0')).toBe(0);
  });
});
