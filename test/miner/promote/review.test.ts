/**
 * The reviewer's acts on a real library repository: review lists the open proposals with their
 * evidence and diff, merge puts one on main (proposed → merged), retire takes one off (merged →
 * retired), and each refuses, changing nothing, when it cannot do what was asked.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/connection.js';
import { loadLibrary } from '../../../src/library/load.js';
import { mergeProposal, proposeFunction, retireFunction, reviewProposals } from '../../../miner/promote/index.js';
import { renderReview } from '../../../src/cli/commands/library.js';
import { memoryDb } from '../../helpers/db.js';
import { RUNS, makeCandidate, sh } from './candidate.js';

let tmp: string;
let lib: string;
let database: Database;
const status = async (name: string) => (await database.query<{ version: string; status: string }>('select version, status from promotions where name = $1 order by version', [name])).map((r) => `${r.version}:${r.status}`);
const mainTip = () => sh(lib, 'rev-parse', 'main').trim();
const mainManifest = () => JSON.parse(sh(lib, 'show', 'main:manifest.json')) as { functions: Record<string, { version: string }> };

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'accrete-review-'));
  database = await memoryDb();
  const first = await proposeFunction(join(tmp, 'library'), makeCandidate(), { db: database, github: false });
  lib = first.libraryDir;
  await proposeFunction(lib, makeCandidate({ name: 'countLines', clusterId: 'c8', runs: [RUNS.b, RUNS.c, RUNS.d] }), { db: database, github: false });
}, 180_000);
afterAll(async () => {
  await database?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('accrete library review / merge / retire', () => {
  it('reviews the open proposals: evidence, doc, signature and the diff against main', async () => {
    const open = await reviewProposals(database, lib);
    expect(open.map((p) => `${p.name}@${p.version}`)).toEqual(['countMentions@1.0.0', 'countLines@1.0.0']);
    const p = open[0];
    expect(p).toMatchObject({ branch: 'accrete/promote-countMentions-1.0.0', support: 3, coverage: 1, gain: 412.5, successRate: 0.9, memberRuns: [RUNS.a, RUNS.b, RUNS.c], onMain: null, mergeable: true, branchExists: true, behindMain: 0 });
    expect(p.signature).toBe('(context: string, topic: string) => Promise<string>');
    expect(p.doc).toMatch(/^Counts the lines of the context/);
    expect(p.diffStat).toMatch(/src\/countMentions\.ts/);
    expect(p.diffStat).toMatch(/test\/fixtures\/countMentions\//);
    expect(p.diff).toMatch(/^\+export async function countMentions\(context: string, topic: string\)/m);
    expect(p.diff).not.toMatch(/^diff --git a\/test\/fixtures/m);
    const text = renderReview(open, lib);
    expect(text).toMatch(/countMentions 1\.0\.0 {2}\(new\)/);
    expect(text).toMatch(/member runs: 11111111 22222222 33333333/);
    expect(text).toMatch(/merge: accrete library merge countMentions@1\.0\.0/);
  });

  it('refuses to merge an unknown name or version, changing nothing', async () => {
    const before = mainTip();
    await expect(mergeProposal(database, lib, 'nope')).rejects.toThrow(/no proposal named nope/);
    await expect(mergeProposal(database, lib, 'countMentions', '9.9.9')).rejects.toThrow(/countMentions 9\.9\.9 has no branch accrete\/promote-countMentions-9\.9\.9/);
    expect(mainTip()).toBe(before);
  });

  it('refuses while the library has uncommitted changes', async () => {
    const before = mainTip();
    const manifestPath = join(lib, 'manifest.json');
    const original = readFileSync(manifestPath, 'utf8');
    writeFileSync(manifestPath, `${original} `);
    try {
      await expect(mergeProposal(database, lib, 'countMentions')).rejects.toThrow(/has uncommitted changes \(manifest\.json\); commit or discard them first/);
      await expect(retireFunction(database, lib, 'countMentions')).rejects.toThrow(/no function countMentions on the library's main|proposed, not merged/);
    } finally {
      writeFileSync(manifestPath, original);
    }
    expect(mainTip()).toBe(before);
    expect(await status('countMentions')).toEqual(['1.0.0:proposed']);
  });

  it('merges proposals one after another (each added its own manifest entry), fast-forwarding the checkout', async () => {
    const before = mainTip();
    const r = await mergeProposal(database, lib, 'countMentions');
    expect(r).toMatchObject({ name: 'countMentions', version: '1.0.0', previousVersion: null });
    expect(mainTip()).toBe(r.commit);
    expect(sh(lib, 'rev-list', '--parents', '-n', '1', r.commit).trim().split(' ').slice(1)).toEqual([before, sh(lib, 'rev-parse', 'accrete/promote-countMentions-1.0.0').trim()]);
    expect(sh(lib, 'log', '-1', '--format=%s', 'main').trim()).toBe('Merge countMentions 1.0.0 (accrete library merge)');
    expect(existsSync(join(lib, 'src', 'countMentions.ts'))).toBe(true);
    expect(sh(lib, 'status', '--porcelain', '--untracked-files=no')).toBe('');
    expect(await status('countMentions')).toEqual(['1.0.0:merged']);

    await expect(mergeProposal(database, lib, 'countMentions', '1.0.0')).rejects.toThrow(/countMentions 1\.0\.0 is already merged into main/);
    await expect(mergeProposal(database, lib, 'countMentions')).rejects.toThrow(/countMentions 1\.0\.0 is already merged and no newer version is proposed/);

    // countLines branched from the old main; its manifest lacks countMentions: the entries are united.
    const second = await mergeProposal(database, lib, 'countLines', '1.0.0');
    expect(Object.keys(mainManifest().functions).sort()).toEqual(['countLines', 'countMentions']);
    expect(second.commit).toBe(mainTip());
    expect(await status('countLines')).toEqual(['1.0.0:merged']);
    expect(await reviewProposals(database, lib)).toEqual([]);
    const loaded = await loadLibrary({ dir: lib });
    expect(loaded?.functions.map((f) => f.name)).toEqual(['countLines', 'countMentions']);
  }, 90_000);

  it('retires a merged function: a commit on main, the row retired, runs no longer load it', async () => {
    const r = await retireFunction(database, lib, 'countLines', 'never called');
    expect(r.version).toBe('1.0.0');
    expect(r.removed).toContain('src/countLines.ts');
    expect(r.removed).toContain('test/countLines.test.ts');
    expect(r.removed.some((p) => p.startsWith('test/fixtures/countLines/'))).toBe(true);
    expect(mainTip()).toBe(r.commit);
    expect(sh(lib, 'log', '-1', '--format=%B', 'main')).toMatch(/^Retire countLines 1\.0\.0 \(accrete library retire\)\n\nnever called/);
    expect(existsSync(join(lib, 'src', 'countLines.ts'))).toBe(false);
    expect(Object.keys(mainManifest().functions)).toEqual(['countMentions']);
    expect(await status('countLines')).toEqual(['1.0.0:retired']);
    expect((await loadLibrary({ dir: lib }))?.functions.map((f) => f.name)).toEqual(['countMentions']);
    // A pin still reaches it in main's history.
    expect((await loadLibrary({ dir: lib, pin: 'countLines@1.0.0' }))?.functions.map((f) => f.name)).toEqual(['countLines', 'countMentions']);

    await expect(retireFunction(database, lib, 'countLines')).rejects.toThrow(/countLines is already retired/);
    await expect(retireFunction(database, lib, 'nope')).rejects.toThrow(/no function nope on the library's main/);
  }, 90_000);

  it('merges into a library whose checkout is on another branch without touching the work tree', async () => {
    await proposeFunction(lib, makeCandidate({ variant: 'v2-signature' }), { db: database, github: false });
    sh(lib, 'checkout', '-q', '-b', 'scratch');
    try {
      const r = await mergeProposal(database, lib, 'countMentions');
      expect(r).toMatchObject({ version: '2.0.0', previousVersion: '1.0.0' });
      expect(mainManifest().functions.countMentions.version).toBe('2.0.0');
      expect(sh(lib, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('scratch');
      expect(readFileSync(join(lib, 'src', 'countMentions.ts'), 'utf8')).not.toMatch(/minLength/);
    } finally {
      sh(lib, 'checkout', '-q', 'main');
    }
    expect(readFileSync(join(lib, 'src', 'countMentions.ts'), 'utf8')).toMatch(/minLength/);
    expect(await status('countMentions')).toEqual(['1.0.0:merged', '2.0.0:merged']);
  }, 90_000);
});
