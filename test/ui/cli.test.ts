/** `accrete ui` as a user runs it: prints {url}, serves the pages, holds the embedded database's lock and says so, stops on Ctrl-C. */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAccrete, spawnAccrete } from '../helpers/cli.js';
import { seedDbDir } from '../helpers/db.js';

describe('accrete ui', () => {
  it('serves the viewer on 127.0.0.1, holding the embedded database until Ctrl-C', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'accrete-ui-cli-'));
    const db = join(cwd, 'db');
    await seedDbDir(db); // migrated already: the viewer starts sooner
    const child = spawnAccrete(['ui', '--port', '0', '--json', '--db', db], { cwd });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const { url } = await new Promise<{ url: string }>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        try {
          resolve(JSON.parse(stdout) as { url: string });
        } catch {
          /* not all of it yet */
        }
      });
      child.on('close', (code) => reject(new Error(`accrete ui exited (${code}) before printing its URL: ${stderr}`)));
    });
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(stderr).toContain(`holding the embedded database ${db}`);
      const runs = await fetch(new URL('/runs', url));
      expect(runs.status).toBe(200);
      expect(await runs.text()).toContain('No runs yet');
      // the lock: another command on the same embedded database is told who holds it
      const other = await runAccrete(['runs', '--db', db], { cwd });
      expect(other.code).toBe(2);
      expect(other.stderr).toMatch(/in use by process \d+ .*ui --port 0/);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    expect(existsSync(`${db}.lock`)).toBe(false); // released
  });

  it('refuses a bad port with what to do', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'accrete-ui-cli-'));
    const r = await runAccrete(['ui', '--port', 'eighty', '--db', join(cwd, 'db')], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--port must be a port number from 0 to 65535');
  });
});
