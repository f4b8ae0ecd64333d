/**
 * Issue 12 (8): the command line refuses what it cannot do, says why and exits 2 for usage errors;
 * an empty answer is no plain success; a closed pipe is no crash. Called in process (main(argv))
 * except the pipe, which needs a process of its own.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outcomeLine } from '../../src/cli/run-checks.js';
import type { RunSummary } from '../../src/runtime/run.js';
import { commandArgv, runMain } from '../helpers/cli.js';
import { seedDbDir } from '../helpers/db.js';

let dir: string;
let db: string;
const noKey = { OPENAI_API_KEY: '', OPENAI_BASE_URL: '', ACCRETE_MODEL: '', ACCRETE_SUB_MODEL: '', ACCRETE_LIBRARY_DIR: '' };
const accrete = (args: string[], env: Record<string, string> = {}) => runMain([...args, ...(args[0] === 'run' || args[0] === 'runs' || args[0] === 'import' ? ['--db', db] : [])], { env: { ...noKey, ...env } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'accrete-validation-'));
  db = join(dir, 'db');
  // The database directory from the migrated template: no migrations to run in the commands below.
  await seedDbDir(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('accrete run: usage errors exit 2 at once, with what to do', () => {
  it('refuses a run without input, a zero or non-numeric budget, an unknown model and a missing key', async () => {
    const noInput = await accrete(['run', 'How many?']);
    expect(noInput.code).toBe(2);
    expect(noInput.stderr).toMatch(/no input: give it with --context-file FILE, --context TEXT, or --context -/);

    for (const value of ['0', 'abc', '-1', '']) {
      const r = await accrete(['run', 'q', '--context', 'x', '--max-iterations', value, '--model', 'sim:root']);
      expect(r.code, `--max-iterations ${value}`).toBe(2);
      expect(r.stderr).toMatch(/--max-iterations must be/);
    }
    const depth = await accrete(['run', 'q', '--context', '', '--max-depth', '0', '--model', 'sim:rooot']);
    expect(depth.code).toBe(2); // --max-depth 0 is accepted (no sub-runs); the model is not
    expect(depth.stderr).toMatch(/model sim:rooot: Unknown simulated model/);
    expect(depth.stderr).not.toMatch(/max-depth/);

    const keyless = await accrete(['run', 'q', '--context', 'x']);
    expect(keyless.code).toBe(2);
    expect(keyless.stderr).toMatch(/no model key or endpoint is configured for gpt-5-mini: set OPENAI_API_KEY .* or try the simulated models with --model sim:root/);
    const keylessSub = await accrete(['run', 'q', '--context', 'x', '--model', 'sim:root', '--sub-model', 'gpt-5-nano']);
    expect(keylessSub.code).toBe(2);
    expect(keylessSub.stderr).toMatch(/configured for gpt-5-nano/);
  });

  it('an empty answer exits 1 and --json says why', async () => {
    const script = join(dir, 'empty.json');
    writeFileSync(script, JSON.stringify({ responses: ['```js\nFINAL("")\n```'] }));
    const json = await accrete(['run', 'Say nothing', '--context', 'x', '--model', `script:${script}`, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'succeeded', answer: '', warning: expect.stringMatching(/empty answer/) });
  });

  it('says a stopped run\'s status once', () => {
    const summary = { runId: 'r1', status: 'cancelled', error: 'cancelled: interrupted (SIGINT)' } as RunSummary;
    expect(outcomeLine(summary)).toBe('run r1 cancelled: interrupted (SIGINT)');
    expect(outcomeLine({ ...summary, status: 'failed', error: 'the model failed' })).toBe('run r1 failed: the model failed');
  });
});

describe('accrete runs and export check their flags', () => {
  it('refuses an unknown status and a limit that is not a whole number from 1', async () => {
    const status = await accrete(['runs', '--status', 'bogus']);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/Allowed choices are running, succeeded, failed, budget_exhausted, cancelled, interrupted/);
    expect(status.stdout).not.toMatch(/No runs yet/);
    for (const n of ['abc', '0', '-3', '1.5']) {
      const r = await accrete(['runs', '-n', n]);
      expect(r.code, `-n ${n}`).toBe(2);
      expect(r.stderr).toMatch(/-n\/--limit must be a whole number of at least 1/);
    }
    const ok = await accrete(['runs', '-n', '5', '--status', 'failed']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/No failed runs/);
    expect((await runMain(['export', '-n', 'abc', '--db', db])).code).toBe(2);
  });

  it('export | head: a reader that goes away ends the export quietly, without a stack trace', async () => {
    const records = Array.from({ length: 3 }, (_, i) => JSON.stringify({ id: `00000000-0000-4000-8000-00000000000${i}`, query: `q${i}`, status: 'succeeded', answer: 'a', steps: [{ code: ['FINAL("a")'] }] }));
    writeFileSync(join(dir, 'runs.jsonl'), `${records.join('\n')}\n`);
    expect((await accrete(['import', join(dir, 'runs.jsonl')])).code).toBe(0);
    // A real process: the pipe is closed before it writes its first line.
    const child = spawn(process.execPath, [...commandArgv(), 'export', '--db', db], { cwd: dir, env: { ...process.env, DATABASE_URL: '', CI: '1' } });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
