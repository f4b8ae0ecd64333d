/**
 * The CLI loads a command's module only when that command runs: `accrete --help` lists every
 * command from the stubs in src/cli/main.ts, and those stubs say what the commands say.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram, COMMANDS, invokedCommand } from '../../src/cli/main.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const HOOK = new URL('../helpers/module-log.mjs', import.meta.url).href;
const dir = mkdtempSync(join(tmpdir(), 'accrete-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The modules `accrete <args>` loads, as file URLs. */
function modulesLoadedBy(args: string[], name: string): Promise<{ code: number; stdout: string; modules: string[] }> {
  const log = join(dir, `${name}.log`);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', HOOK, '--import', TSX, MAIN, ...args], { cwd: dir, env: { ...process.env, ACCRETE_MODULE_LOG: log, CI: '1' } });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) }));
  });
}

const HEAVY = [/node_modules\/typescript\//, /node_modules\/pg-boss\//, /node_modules\/@octokit\//, /node_modules\/@electric-sql\//, /node_modules\/isolated-vm\//, /node_modules\/openai\//, /\/src\/sim\//, /\/src\/runtime\/runtime\.ts$/];

describe('lazy commands', () => {
  it('--help and --version load no command module and none of the heavy dependencies', async () => {
    for (const args of [['--help'], ['--version']]) {
      const r = await modulesLoadedBy(args, args[0].slice(2));
      expect(r.code).toBe(0);
      expect(r.modules.some((m) => m.endsWith('/src/cli/main.ts'))).toBe(true);
      expect(r.modules.filter((m) => HEAVY.some((h) => h.test(m)) || m.includes('/src/cli/commands/'))).toEqual([]);
    }
  });

  it('a read command loads neither the runtime, the simulator, pg-boss nor Octokit', async () => {
    const r = await modulesLoadedBy(['runs', '--help'], 'runs');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--limit');
    const heavy = [/node_modules\/typescript\//, /node_modules\/pg-boss\//, /node_modules\/@octokit\//, /node_modules\/isolated-vm\//, /\/src\/sim\//, /\/src\/runtime\/runtime\.ts$/];
    expect(r.modules.filter((m) => heavy.some((h) => h.test(m)))).toEqual([]);
  });

  it('each stub names, describes and takes the arguments of the command its module registers', async () => {
    for (const entry of COMMANDS) {
      const name = entry.usage.split(' ')[0];
      const program = await buildProgram(name);
      const cmd = program.commands.find((c) => c.name() === name);
      expect(cmd, name).toBeDefined();
      const args = cmd!.registeredArguments.map((a) => {
        const arg = `${a.name()}${a.variadic ? '...' : ''}`;
        return a.required ? `<${arg}>` : `[${arg}]`;
      });
      const stale = `the stub of ${name} in COMMANDS (src/cli/main.ts) no longer matches its command: update it`;
      expect([name, ...args].join(' '), stale).toBe(entry.usage);
      expect(cmd!.description(), stale).toBe(entry.description);
    }
    // Every command any module registers has a stub.
    const stubs = new Set(COMMANDS.map((c) => c.usage.split(' ')[0]));
    for (const entry of COMMANDS) {
      const program = await buildProgram(entry.usage.split(' ')[0]);
      for (const c of program.commands) expect(stubs.has(c.name()), c.name()).toBe(true);
    }
  });

  it('finds the command in argv, also after help', () => {
    expect(invokedCommand(['run', 'q', '--json'])).toBe('run');
    expect(invokedCommand(['help', 'runs'])).toBe('runs');
    expect(invokedCommand(['--help'])).toBeUndefined();
  });
});
