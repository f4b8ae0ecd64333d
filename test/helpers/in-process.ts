/** An accrete command run in this process (a spawned CLI costs seconds on a loaded machine), its output captured. */
import { vi } from 'vitest';
import { buildProgram } from '../../src/cli/main.js';

export async function cliInProcess(args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = (sink: string[]) => ((chunk: string | Uint8Array) => (sink.push(String(chunk)), true)) as typeof process.stdout.write;
  const spies = [vi.spyOn(process.stdout, 'write').mockImplementation(write(out)), vi.spyOn(process.stderr, 'write').mockImplementation(write(err))];
  const before = process.exitCode;
  process.exitCode = 0;
  try {
    const program = await buildProgram(args[0]);
    await program.parseAsync(['node', 'accrete', ...args]);
    return { stdout: out.join(''), stderr: err.join(''), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    for (const s of spies) s.mockRestore();
    process.exitCode = before;
  }
}
