/**
 * The few git commands the loader needs, run with the real `git` binary through execFile (no
 * shell). Variables that would point git at another repository (GIT_DIR, set inside git hooks,
 * for one) are removed, and messages are in English so they can be told apart.
 */
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';

export class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly exitCode: number | null,
    /** The git binary itself is missing. */
    readonly notInstalled = false,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

const STRIPPED = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE', 'GIT_COMMON_DIR'];

function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
  for (const k of STRIPPED) delete env[k];
  return env;
}

/** Runs `git -C dir ...args`; resolves with stdout as bytes. */
export function gitBytes(dir: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', dir, ...args], { env: gitEnv(), encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (!err) {
        resolve(stdout);
        return;
      }
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      if (e.code === 'ENOENT') {
        reject(new GitError('the git command was not found: install git to use a library (or run without one: --no-library)', '', null, true));
        return;
      }
      const text = stderr.toString('utf8').trim();
      reject(new GitError(`git ${args[0]} failed: ${text || e.message}`, text, typeof e.code === 'number' ? e.code : null));
    });
  });
}

export async function git(dir: string, args: string[]): Promise<string> {
  return (await gitBytes(dir, args)).toString('utf8');
}

/** Runs a git command whose exit status is the answer (0 → true, 1 → false). */
export async function gitTest(dir: string, args: string[]): Promise<boolean> {
  try {
    await gitBytes(dir, args);
    return true;
  } catch (err) {
    if (err instanceof GitError && err.exitCode === 1) return false;
    throw err;
  }
}

const real = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};

/**
 * Whether `dir` is itself the root of a git repository (a work tree's top level, or a bare
 * repository). A plain folder inside some other repository — `./library` inside a project's own
 * checkout — is not a library repository.
 */
export async function isRepositoryRoot(dir: string): Promise<boolean> {
  let out: string;
  try {
    out = await git(dir, ['rev-parse', '--is-bare-repository', '--absolute-git-dir']);
  } catch (err) {
    if (err instanceof GitError && !err.notInstalled && /dubious ownership/.test(err.stderr)) {
      throw new GitError(`git refuses to read ${dir}: it is owned by another user. Run \`git config --global --add safe.directory ${real(dir)}\` or use a library you own.`, err.stderr, err.exitCode);
    }
    if (err instanceof GitError && !err.notInstalled) return false;
    throw err;
  }
  const [bare, gitDir] = out.trim().split('\n');
  if (bare === 'true') return real(gitDir) === real(dir);
  try {
    const top = (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
    return real(top) === real(dir);
  } catch {
    return false;
  }
}

/** The commit a revision names, or undefined when there is none. */
export async function resolveCommit(dir: string, rev: string): Promise<string | undefined> {
  if (rev.startsWith('-') || rev.length === 0) return undefined;
  try {
    const out = await git(dir, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
    return out.trim() || undefined;
  } catch (err) {
    if (err instanceof GitError && !err.notInstalled) return undefined;
    throw err;
  }
}

/** A file's bytes at a commit, or undefined when the commit has no such file. */
export async function showFile(dir: string, commit: string, path: string): Promise<Buffer | undefined> {
  try {
    return await gitBytes(dir, ['show', `${commit}:${path}`]);
  } catch (err) {
    if (err instanceof GitError && /does not exist|exists on disk, but not in|Path '.*' does not exist/.test(err.stderr)) return undefined;
    throw err;
  }
}
