/**
 * Issue 12, item 6, through the real runtime, sandbox and OpenAI-compatible server: planted secrets
 * (in the query, the context, the model's prose and code, printed output, thrown errors, the
 * answer, and output the sandbox truncates with maxOutputChars 100) reach nothing persisted — the
 * tables, the spool (a run written while the database is down), the quarantine and the export.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createRuntime, type RuntimeOptions } from '../../src/index.js';
import { exportRuns } from '../../src/trace/interchange.js';
import { replaySpool } from '../../src/trace/writer.js';
import { memoryDb } from '../helpers/db.js';
import { js, scriptedServer } from '../helpers/models.js';

/** The key the scripted server's client is configured with (test/helpers/models.ts). */
const KEY = 'sk-test-key-that-must-not-be-logged';

/** Planted secrets, each with the fragments that must appear nowhere persisted. */
const PLANTED: { secret: string; fragments: string[] }[] = [
  { secret: 'token_sk-Qw3rTy9UiOp2AsDfGhJk', fragments: ['Qw3rTy9UiOp2'] },
  { secret: 'authorization: bearer Zx8Cv7Bn6Mm5Lk4Jh3', fragments: ['Zx8Cv7Bn6Mm5'] },
  { secret: 'AKIAIOSFODNN7EXAMPLE7', fragments: ['IOSFODNN7'] },
  { secret: 'ghp_R4nd0mT0k3nV4lu3F0rT3st1ngXy12Ab', fragments: ['R4nd0mT0k3nV'] },
  { secret: 'github_pat_11ABCDE0Q9_Gh7Pat0k3nV4lu3F0rT3st', fragments: ['Gh7Pat0k3n'] },
  { secret: 'xoxb-2048-1024-Pq8Wm3Xz7Rt', fragments: ['Pq8Wm3Xz7Rt'] },
  { secret: 'xoxp-4096-8192-Lm2Nb4Vc6Xz', fragments: ['Lm2Nb4Vc6Xz'] },
  { secret: Buffer.from(KEY).toString('base64'), fragments: [Buffer.from(KEY).toString('base64').slice(0, 40)] },
  { secret: 'sk-test-key-\u200bthat-must-not-be-logged', fragments: ['must-not-be-logged', 'must-not-be'] },
  { secret: KEY, fragments: ['must-not-be'] },
];

/** Every persisted string must be free of these. */
const FRAGMENTS = [...PLANTED.flatMap((p) => p.fragments), 'TRUNCAT', 'Hx5Tr4nc4t', 'x9Cut5uffix'];

/** The planted secrets as one JS string literal. */
const ALL = JSON.stringify(PLANTED.map((p) => p.secret).join(' | '));

const dirs: string[] = [];
let db: Database;
beforeAll(async () => {
  db = await memoryDb();
});
afterAll(async () => {
  await db?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'accrete-redaction-'));
  dirs.push(dir);
  return dir;
}

/** A database that refuses every write, as when the server is down (the embedded one's worker writes rows itself: refused too). */
function down(database: Database): Database {
  const refused = () => Promise.reject(new Error('connection refused'));
  return {
    ...database,
    db: new Proxy(database.db, { get: (t, p) => (p === 'transaction' ? refused : Reflect.get(t, p)) }),
    ...(database.insertRows ? { insertRows: refused } : {}),
  };
}

async function plantedRun(database: Database, spoolDir: string, root: string[], options: Partial<RuntimeOptions> = {}) {
  const server = await scriptedServer(root, [`sub reply ${PLANTED[3].secret}`]);
  const runtime = await createRuntime({ db: database, ...server.models, spoolDir, library: false, ...options });
  try {
    return await runtime.run({ query: `find the keys: ${ALL}`, context: `context with ${ALL}` });
  } finally {
    await runtime.close();
    await server.close();
  }
}

/** Every file under a directory (spool and quarantine), as text. */
function filesText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    out += statSync(file).isDirectory() ? filesText(file) : readFileSync(file, 'utf8');
  }
  return out;
}

async function tablesText(): Promise<string> {
  let out = '';
  for (const table of ['contexts', 'runs', 'steps', 'programs', 'llm_calls', 'lib_calls']) {
    const rows = await db.query<{ j: string }>(`select row_to_json(t)::text as j from ${table} t`);
    out += rows.map((r) => r.j).join('\n');
  }
  return out;
}

/** JSON text holds \u200b as-is, but escapes other characters: check the parsed form too. */
function leaks(text: string): string[] {
  const plain = text.replace(/\\u200b/gi, '\u200b');
  return FRAGMENTS.filter((f) => plain.includes(f) || text.includes(f));
}

describe('planted secrets persist nowhere', () => {
  let spoolText = '';

  it('a run written while the database is down: the spool holds no secret, nor the tables after replay', async () => {
    const spoolDir = tmp();
    const summary = await plantedRun(down(db), spoolDir, [
      js(`print(${ALL});\nprint(await llm('sub', ${ALL}));\nthrow new Error('failed with ' + ${ALL});`, `Planting ${ALL}`),
      js(`FINAL('the keys: ' + ${ALL})`),
    ]);
    expect(summary.status).toBe('succeeded');
    spoolText = filesText(spoolDir);
    expect(spoolText).toContain('[REDACTED:');
    expect(leaks(spoolText)).toEqual([]);
    const report = await replaySpool(db, spoolDir);
    expect(report.records).toBeGreaterThan(0);
    expect(report.quarantined).toBe(0);
  });

  it('output the sandbox truncates (maxOutputChars 100) leaves no key prefix or tail', async () => {
    const spoolDir = tmp();
    // The head (50 characters) ends inside one key; the tail (50) starts inside another; a configured key straddles a cut too.
    const cutHead = `print('${'x'.repeat(40)}sk-TRUNCATEDHx5Tr4nc4tSecret0123456789' + '${'y'.repeat(300)}' + 'ghp_Qa1Ws2Ed3Rf4x9Cut5uffixTg6Yh7Uj8' + '${'z'.repeat(30)}')`;
    const cutKey = `print('${'w'.repeat(44)}${KEY}${'v'.repeat(300)}')`;
    const summary = await plantedRun(db, spoolDir, [js(cutHead), js(cutKey), js(`FINAL('done')`)], { budgets: { maxOutputChars: 100 } });
    expect(summary.status).toBe('succeeded');
    const programs = await db.query<{ output: string }>('select output from programs where run_id = $1 order by created_at', [summary.runId]);
    expect(programs.map((p) => p.output).join('\n')).toMatch(/characters omitted/);
    expect(leaks(filesText(spoolDir))).toEqual([]);
  });

  it('the tables, the export and the error text hold none of them', async () => {
    const tables = await tablesText();
    expect(tables).toContain('[REDACTED:');
    expect(leaks(tables)).toEqual([]);
    const errors = await db.query<{ error: string }>("select error from programs where error is not null union all select error from steps where error is not null");
    expect(errors.map((e) => e.error).join('\n')).toMatch(/failed with .*\[REDACTED:/);
    let exported = '';
    for await (const run of exportRuns(db)) exported += JSON.stringify(run) + '\n';
    expect(exported.length).toBeGreaterThan(0);
    expect(leaks(exported)).toEqual([]);
    // Context content is exported as base64: decode it and look again.
    const decoded = [...exported.matchAll(/"content":"([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(m[1], 'base64').toString('utf8')).join('\n');
    expect(leaks(decoded)).toEqual([]);
  });
});
