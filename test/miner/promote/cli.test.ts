/** `accrete library list`: its rows and table in-process, and the real command in a child process. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../../src/db/connection.js';
import { migrationsFolder } from '../../../src/db/migrate.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { listLibrary, renderLibraryList } from '../../../src/cli/commands/library.js';
import { type LibraryListRow, proposeFunction } from '../../../miner/promote/index.js';
import { memoryDb } from '../../helpers/db.js';
import { makeCandidate, sh } from './candidate.js';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let tmp: string;
let lib: string;
let database: Database;

function accrete(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], {
      cwd: tmp,
      env: { ...process.env, DATABASE_URL: '', ACCRETE_DB: '', ACCRETE_LIBRARY_DIR: '', CI: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end();
  });
}

/**
 * The migrated database template test/helpers/db.ts keeps (its file name hashes the migrations the
 * same way), so a database directory starts in ~1 s instead of ~10 s; undefined → migrate afresh.
 */
async function migratedTemplate(): Promise<Blob | undefined> {
  const h = createHash('sha256');
  const dir = migrationsFolder();
  for (const f of readdirSync(dir).sort()) if (f.endsWith('.sql')) h.update(readFileSync(join(dir, f)));
  h.update(readFileSync(join(dir, 'meta', '_journal.json')));
  const file = join(packageRoot(), 'node_modules', '.cache', 'accrete-test', `pglite-${h.digest('hex').slice(0, 16)}.tar.gz`);
  if (!existsSync(file)) await (await memoryDb()).close(); // writes the template
  return existsSync(file) ? new Blob([readFileSync(file)]) : undefined;
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
  database = await openDatabase(dbDir, { loadDataDir: await migratedTemplate() });
  await seed(database, lib);
}, 60_000);
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
  }, 60_000);
});
