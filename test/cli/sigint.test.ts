/**
 * Ctrl-C on `accrete run` (issue 12's matrix): a real SIGINT mid-run to a real process. The run is
 * logged as cancelled with what it did, said once ("cancelled: interrupted (SIGINT)"), exit 1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { ScriptedModel } from '../../src/models/scripted.js';
import { startModelServer } from '../../src/sim/server.js';
import { spawnAccrete } from '../helpers/cli.js';
import { seedDbDir } from '../helpers/db.js';
import { hangingModel, js } from '../helpers/models.js';

const dir = mkdtempSync(join(tmpdir(), 'accrete-sigint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Ctrl-C on accrete run', () => {
  it('logs the run as cancelled with what it did, says so once, and exits 1', async () => {
    const sub = hangingModel(1); // answers once, then waits
    const server = await startModelServer({
      models: {
        'test-root': new ScriptedModel({ responses: [js(`print(await llm('first', 'x'));\nFINAL(await llm('second', 'y'))`)], whenExhausted: 'error', name: 'test-root' }),
        'test-sub': sub.model,
      },
    });
    try {
      const db = join(dir, 'db');
      await seedDbDir(db); // migrated already: the run starts sooner
      const child = spawnAccrete(['run', 'what is in it?', '--context', 'some input', '--model', 'test-root', '--sub-model', 'test-sub', '--base-url', server.url, '--db', db, '--no-library'], {
        cwd: dir,
        env: { OPENAI_API_KEY: 'sk-test-sigint-key' },
      });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await Promise.race([sub.hanging, exited]);
      child.kill('SIGINT');
      const code = await exited;
      expect(stderr).toMatch(/accrete: interrupted; saving the run/);
      expect(stderr).toMatch(/run \S+ cancelled: interrupted \(SIGINT\)/);
      expect(stderr).not.toMatch(/cancelled: cancelled/);
      expect(code).toBe(1);
      const database = await openDatabase(db);
      try {
        const [run] = await database.query<{ status: string; llm_calls: number; ended_at: unknown }>('select status, llm_calls, ended_at from runs');
        const [{ n }] = await database.query<{ n: number }>('select count(*)::int as n from llm_calls');
        expect(run.status).toBe('cancelled');
        expect(run.ended_at).not.toBeNull();
        expect(run.llm_calls).toBe(n);
        expect(n).toBeGreaterThanOrEqual(2); // the root call and the first sub-call at least
      } finally {
        await database.close();
      }
    } finally {
      await server.close();
    }
  });
});
