/**
 * The `accrete` command as a user runs it: a child process, from the build when it is current for
 * the sources (src/util/compiled.ts; the web viewer's assets copied too), else from the TypeScript
 * sources through tsx (0.5–1 s more a start).
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledCounterpart } from '../../src/util/compiled.js';

const SOURCE_MAIN = new URL('../../src/cli/main.ts', import.meta.url);
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Whether every file of src/ui/assets was copied to the build after its last change. */
function assetsCopied(): boolean {
  const src = fileURLToPath(new URL('../../src/ui/assets', import.meta.url));
  const dist = fileURLToPath(new URL('../../dist/src/ui/assets', import.meta.url));
  try {
    return readdirSync(src, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .every((e) => {
        const rel = join(e.parentPath, e.name).slice(src.length);
        return statSync(join(dist, rel)).mtimeMs >= statSync(join(src, rel)).mtimeMs;
      });
  } catch {
    return false;
  }
}

let argv: string[] | undefined;
/** node's arguments that start the command (the arguments to it follow). */
export function commandArgv(): string[] {
  if (argv) return argv;
  const compiled = assetsCopied() ? compiledCounterpart(SOURCE_MAIN) : undefined;
  argv = compiled ? [fileURLToPath(compiled)] : ['--import', TSX, fileURLToPath(SOURCE_MAIN)];
  return argv;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runAccrete(args: string[], options: { cwd: string; env?: Record<string, string>; stdin?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...commandArgv(), ...args], {
      cwd: options.cwd,
      env: { ...process.env, DATABASE_URL: '', CI: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** The `accrete` command as a running child process (to signal or kill it mid-run). */
export function spawnAccrete(args: string[], options: { cwd: string; env?: Record<string, string> }): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [...commandArgv(), ...args], {
    cwd: options.cwd,
    env: { ...process.env, DATABASE_URL: '', CI: '1', ...options.env },
  });
  child.stdin.end();
  return child;
}

/**
 * The `accrete` command called in this process (`main(argv)`), its output captured: for behaviour
 * that needs no process of its own (flag checks, exit statuses, messages), without the 1–2 s (10× on
 * a loaded machine) a spawned CLI costs. `env` is set for the call and restored after it.
 */
export async function runMain(args: string[], options: { env?: Record<string, string> } = {}): Promise<CliResult> {
  const { main } = await import('../../src/cli/main.js');
  const env: Record<string, string> = { DATABASE_URL: '', CI: '1', ...options.env };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const capture = (to: 'stdout' | 'stderr') => ((chunk: string | Uint8Array) => {
    out[to] += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = capture('stdout');
  process.stderr.write = capture('stderr');
  process.exitCode = undefined;
  try {
    const code = await main(['node', 'accrete', ...args]);
    return { code, ...out };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    process.exitCode = undefined;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
