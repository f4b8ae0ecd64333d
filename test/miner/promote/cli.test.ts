/** `accrete library list`: its rows and table in-process, and the real command in a child process. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../src/db/connection.js';
import { listLibrary, renderLibraryList } from '../../../src/cli/commands/library.js';
import { type LibraryListRow, proposeFunction } from '../../../miner/promote/index.js';
import { runMain } from '../../helpers/cli.js';
import { seedDbDir } from '../../helpers/db.js';
import { makeCandidate, sh } from './candidate.js';

let tmp: string;
let lib: string;
let database: Database;

/** The command in this process (main(argv)): these need no process of their own. */
function accrete(args: string[], env: Record<string, string> = {}) {
  return runMain(args, { env: { ACCRETE_DB: '', ACCRETE_LIBRARY_DIR: '', ...env } });
}

const EXPECTED: LibraryListRow[] = [
  { name: 'countLines', version: '1.0.0', status: 'proposed', support: 3, coverage: 1, gain: 412.5, branch: 'accrete/promote-countLines-1.0.0' },
  { name: 'countMentions', version: '2.0.0', status: 'proposed', support: 3, coverage: 1, gain: 412.5, branch: 'accrete/promote-countMentions-2.0.0' },
];

/** countMentions 1.0.0 merged by a reviewer, 2.0.0 proposed; countLines 1.0.0 proposed. */
async function seed(db: Database, library: string): Promise<void> {
  const first = await proposeFunction(library, makeCandidate(), { db, github: false });
  sh(library, 'merge', '--no-ff', '--quiet', '-m', 'Merge', first.branch);
  await proposeFunction(library, makeCandidate({ variant: 'v2-signature' }), { db, github: false });
  await proposeFunction(library, makeCandidate({ name: 'countLines', clusterId: 'c8' }), { db, github: false });
}

let dbDir: string;
beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'accrete-libcli-'));
  lib = join(tmp, 'library');
  dbDir = join(tmp, 'db');
  await seedDbDir(dbDir);
  database = await openDatabase(dbDir);
  await seed(database, lib);
}, 180_000);
afterAll(async () => {
  await database?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('accrete library list', () => {
  it('lists one row per function, its newest version, after following main', async () => {
    expect(await listLibrary(database, sh(lib, 'rev-parse', '--show-toplevel').trim())).toEqual(EXPECTED);
    expect(await database.query('select version, status from promotions where name = $1 order by version', ['countMentions'])).toEqual([
      { version: '1.0.0', status: 'merged' },
      { version: '2.0.0', status: 'proposed' },
    ]);
    const lines = renderLibraryList(EXPECTED).split('\n');
    expect(lines[0].split(/\s{2,}/)).toEqual(['name', 'version', 'status', 'support', 'coverage', 'gain', 'branch']);
    expect(lines[2].split(/\s{2,}/)).toEqual(['countLines', '1.0.0', 'proposed', '3', '100%', '413', 'accrete/promote-countLines-1.0.0']);
    expect(lines).toHaveLength(4);
    expect(renderLibraryList([])).toMatch(/^No functions proposed/);
  });

  it('prints the rows as JSON from the command line (--json, --db, ACCRETE_LIBRARY_DIR)', async () => {
    await database.close(); // the embedded database is for one process at a time
    const r = await accrete(['library', 'list', '--json', '--db', dbDir], { ACCRETE_LIBRARY_DIR: lib });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED);
  }, 180_000);
});

describe('accrete library review / merge / retire from the command line', () => {
  it('reviews, merges on command, refuses what it cannot do, and has --help', async () => {
    // (the database was closed by the test above: one process at a time)
    const env = { ACCRETE_LIBRARY_DIR: lib };
    const review = await accrete(['library', 'review', '--json', '--db', dbDir], env);
    expect(review.code).toBe(0);
    const open = JSON.parse(review.stdout) as { name: string; version: string; mergeable: boolean; memberRuns: string[] }[];
    expect(open.map((p) => `${p.name}@${p.version}:${p.mergeable}`).sort()).toEqual(['countLines@1.0.0:true', 'countMentions@2.0.0:true']);

    const merged = await accrete(['library', 'merge', 'countLines@1.0.0', '--json', '--db', dbDir], env);
    expect(merged.stderr).toBe('');
    expect(JSON.parse(merged.stdout)).toMatchObject({ name: 'countLines', version: '1.0.0', branch: 'accrete/promote-countLines-1.0.0', previousVersion: null });

    const again = await accrete(['library', 'merge', 'countLines@1.0.0', '--db', dbDir], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^accrete: countLines 1\.0\.0 is already merged into main/);
    const bad = await accrete(['library', 'merge', 'count-lines', '--db', dbDir], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not NAME or NAME@VERSION/);

    const retired = await accrete(['library', 'retire', 'countLines', '--db', dbDir], env);
    expect(retired.code).toBe(0);
    expect(retired.stdout).toMatch(/^Retired countLines 1\.0\.0 \([0-9a-f]{12}\): runs no longer load it\./);

    for (const cmd of ['review', 'merge', 'retire']) {
      const help = await accrete(['library', cmd, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/--json/);
    }
  }, 360_000);
});
