/**
 * The one git wrapper: the real `git` binary through execFile (no shell), used by the library
 * loader, the miner's promote step and the evaluation harness. Every call carries an identity
 * (accrete <accrete@localhost>) so commits work on machines without one, never signs, never
 * prompts for credentials, speaks English (messages can be told apart), and ignores
 * GIT_DIR/GIT_WORK_TREE/GIT_INDEX_FILE inherited from a hook.
 */
import { execFile } from 'node:child_process';
import { realpathSync } from 'node:fs';

export class GitError extends Error {
  constructor(
    message: string,
    /** The git arguments (after `-C dir`). */
    readonly args: readonly string[],
    readonly stderr: string,
    readonly exitCode: number | null,
    /** The git binary itself is missing. */
    readonly notInstalled = false,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

export interface GitRunOptions {
  /** Written to git's standard input. */
  input?: string;
  /** Extra environment (e.g. GIT_INDEX_FILE for a private index). */
  env?: Record<string, string>;
}

const IDENTITY = ['-c', 'user.name=accrete', '-c', 'user.email=accrete@localhost', '-c', 'commit.gpgsign=false'];
const STRIPPED = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES', 'GIT_NAMESPACE', 'GIT_COMMON_DIR', 'GIT_PREFIX'];

function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // The inherited environment is passed through to git (PATH, HOME, proxies), minus the variables
  // that would point it at another repository.
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', LANG: 'C', GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' };
  for (const k of STRIPPED) delete env[k];
  return { ...env, ...extra };
}

/** Runs `git -C dir ...args`; resolves with standard output as bytes. */
export function gitBytes(dir: string, args: string[], options: GitRunOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile('git', ['-C', dir, ...IDENTITY, ...args], { env: gitEnv(options.env), encoding: 'buffer', maxBuffer: 256 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (!err) {
        resolve(stdout);
        return;
      }
      const e = err as NodeJS.ErrnoException & { code?: string | number };
      if (e.code === 'ENOENT') {
        reject(new GitError('git is not installed or not on PATH: the library is a git repository; install git and try again (or run without a library: --no-library)', args, '', null, true));
        return;
      }
      const text = stderr.toString('utf8').trim();
      const code = typeof e.code === 'number' ? e.code : null;
      reject(new GitError(`git ${args.join(' ')} failed${code === null ? '' : ` (exit ${code})`}: ${text || e.message}`, args, text, code));
    });
    // A git command that exits without reading its input closes the pipe: its exit status tells.
    child.stdin?.on('error', () => {});
    child.stdin?.end(options.input);
  });
}

/** Runs `git -C dir ...args` and returns its standard output as text. */
export async function git(dir: string, args: string[], options: GitRunOptions = {}): Promise<string> {
  return (await gitBytes(dir, args, options)).toString('utf8');
}

/** A git command whose exit status is the answer: 0 → true, 1 → false, anything else throws. */
export async function gitTest(dir: string, args: string[]): Promise<boolean> {
  try {
    await gitBytes(dir, args);
    return true;
  } catch (err) {
    if (err instanceof GitError && err.exitCode === 1) return false;
    throw err;
  }
}

/** Whether a git command exits 0; any failure of git itself (a missing ref too) is false. */
export async function gitOk(dir: string, args: string[]): Promise<boolean> {
  try {
    await gitBytes(dir, args);
    return true;
  } catch (err) {
    if (err instanceof GitError && !err.notInstalled) return false;
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
      throw new GitError(`git refuses to read ${dir}: it is owned by another user. Run \`git config --global --add safe.directory ${real(dir)}\` or use a library you own.`, err.args, err.stderr, err.exitCode);
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

/** The commit a revision (a ref, a hash) names, or undefined when there is none. */
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

/** A file's text at a commit, or undefined when the commit has no such file. */
export async function showText(dir: string, commit: string, path: string): Promise<string | undefined> {
  return (await showFile(dir, commit, path))?.toString('utf8');
}
