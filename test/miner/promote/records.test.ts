/** The promotions table: proposed → merged → retired, shouldPropose, and --dry-run writing nothing. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/connection.js';
import { listPromotions, proposeFunction, shouldPropose, syncPromotions } from '../../../miner/promote/index.js';
import { memoryDb } from '../../helpers/db.js';
import { RUNS, makeCandidate, sh } from './candidate.js';

interface Row {
  name: string;
  version: string;
  status: string;
  branch: string;
  commit: string;
  pr_url: string | null;
  members_hash: string;
  library_dir: string;
  support: number;
  coverage: number;
  gain: number;
  evidence: { body: string; bump: string; replay: unknown[] };
}

let tmp: string;
let lib: string;
let database: Database;
const rows = () => database.query<Row>('select * from promotions order by name, version');

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'accrete-records-'));
  lib = join(tmp, 'library');
  database = await memoryDb();
});
afterAll(async () => {
  await database?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('promotion records', () => {
  it('--dry-run computes the version, files and body but writes no repository, branch or row', async () => {
    const p = await proposeFunction(lib, makeCandidate(), { db: database, dryRun: true, github: false });
    expect(p).toMatchObject({ dryRun: true, status: 'proposed', version: '1.0.0', branch: 'accrete/promote-countMentions-1.0.0' });
    expect(p.files.map((f) => f.path)).toEqual([
      'src/countMentions.ts',
      'test/countMentions.test.ts',
      `test/fixtures/countMentions/${RUNS.a}.json`,
      `test/fixtures/countMentions/${RUNS.b}.json`,
      `test/fixtures/countMentions/${RUNS.c}.json`,
      'manifest.json',
    ]);
    expect(p.body).toContain(RUNS.a);
    expect(p.commit).toBeUndefined();
    expect(existsSync(lib)).toBe(false);
    expect(await rows()).toEqual([]);

    // Against an existing library: still no branch, no row, main untouched.
    await proposeFunction(lib, makeCandidate({ name: 'countLines' }), { github: false });
    const refs = sh(lib, 'for-each-ref', '--format=%(refname) %(objectname)');
    const dry = await proposeFunction(lib, makeCandidate(), { db: database, dryRun: true, github: false });
    expect(dry.version).toBe('1.0.0');
    expect(sh(lib, 'for-each-ref', '--format=%(refname) %(objectname)')).toBe(refs);
    expect(sh(lib, 'status', '--porcelain')).toBe('');
    expect(await rows()).toEqual([]);
  });

  it('records a proposal, and follows it to merged and then retired', async () => {
    const candidate = makeCandidate({ runs: [RUNS.a, RUNS.b] });
    expect(await shouldPropose(database, 'c7', candidate.membersHash)).toBe(true);
    const p = await proposeFunction(lib, candidate, { db: database, github: false });
    expect(p.promotionId).toMatch(/^[0-9a-f-]{36}$/);
    let [row] = await rows();
    expect(row).toMatchObject({
      name: 'countMentions',
      version: '1.0.0',
      status: 'proposed',
      branch: p.branch,
      commit: p.commit,
      pr_url: null,
      members_hash: candidate.membersHash,
      library_dir: p.libraryDir,
      support: 2,
      coverage: 1,
      gain: 412.5,
    });
    expect(row.evidence.body).toBe(p.body);
    expect(row.evidence.bump).toBe('new');

    // Unchanged cluster: not again. Changed members: yes.
    expect(await shouldPropose(database, 'c7', candidate.membersHash)).toBe(false);
    expect(await shouldPropose(database, 'c7', makeCandidate({ runs: [RUNS.a, RUNS.b, RUNS.d] }).membersHash)).toBe(true);
    expect(await shouldPropose(database, 'c8', candidate.membersHash)).toBe(true);

    // Nothing merged yet.
    expect(await syncPromotions(database, p.libraryDir)).toEqual({ merged: [], retired: [] });
    expect((await rows())[0].status).toBe('proposed');

    // A reviewer merges the branch.
    sh(lib, 'merge', '--no-ff', '--quiet', '-m', 'Merge countMentions 1.0.0', p.branch);
    expect(await syncPromotions(database, p.libraryDir)).toEqual({ merged: [{ name: 'countMentions', version: '1.0.0' }], retired: [] });
    [row] = await rows();
    expect(row.status).toBe('merged');
    expect(await shouldPropose(database, 'c7', candidate.membersHash)).toBe(false);

    // ... and later removes the function from main's manifest.
    const manifest = JSON.parse(sh(lib, 'show', 'main:manifest.json'));
    delete manifest.functions.countMentions;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(lib, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    sh(lib, 'rm', '--quiet', '-r', 'src/countMentions.ts', 'test/countMentions.test.ts', 'test/fixtures/countMentions');
    sh(lib, 'commit', '--quiet', '-am', 'Retire countMentions');
    expect(await syncPromotions(database, p.libraryDir)).toEqual({ merged: [], retired: [{ name: 'countMentions', version: '1.0.0' }] });
    expect((await rows())[0].status).toBe('retired');
    expect(await syncPromotions(database, p.libraryDir)).toEqual({ merged: [], retired: [] });

    // Proposed again after retirement (its members changed): a new major, not 1.0.0 again.
    const back = await proposeFunction(lib, makeCandidate({ runs: [RUNS.a, RUNS.b, RUNS.d] }), { db: database, github: false });
    expect(back.version).toBe('2.0.0');
    expect(await listPromotions(database, p.libraryDir)).toEqual([
      { name: 'countMentions', version: '2.0.0', status: 'proposed', support: 3, coverage: 1, gain: 412.5, branch: 'accrete/promote-countMentions-2.0.0' },
    ]);
  });

  it('counts a squash merge (the version is in main\'s manifest, the branch is not an ancestor) as merged', async () => {
    const p = await proposeFunction(lib, makeCandidate({ name: 'countWords', clusterId: 'c9' }), { db: database, github: false });
    sh(lib, 'merge', '--squash', '--quiet', p.branch);
    sh(lib, 'commit', '--quiet', '-m', 'countWords 1.0.0 (squashed)');
    expect(await syncPromotions(database, p.libraryDir)).toEqual({ merged: [{ name: 'countWords', version: '1.0.0' }], retired: [] });
  });
});
