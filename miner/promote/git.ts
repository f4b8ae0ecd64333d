/**
 * The real `git` binary through execFile (no shell). Every call carries an identity
 * (accrete <accrete@localhost>) so commits work on machines without one, never signs, never
 * prompts for credentials, and ignores GIT_DIR/GIT_WORK_TREE/GIT_INDEX_FILE inherited from a hook.
 */
import { execFile } from 'node:child_process';

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly code: number | string | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed${code === null ? '' : ` (exit ${code})`}: ${stderr.trim() || 'no output'}`);
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

function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  for (const k of ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_PREFIX']) delete env[k];
  return { ...env, ...extra };
}

/** Runs `git -C dir ...args` and returns its standard output. */
export function git(dir: string, args: string[], options: GitRunOptions = {}): Promise<string> {
  const full = ['-C', dir, ...IDENTITY, ...args];
  return new Promise((resolve, reject) => {
    const child = execFile('git', full, { env: gitEnv(options.env), maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') reject(new Error('git is not installed or not on PATH: the library is a git repository, install git and try again'));
        else reject(new GitError(args, typeof code === 'number' || typeof code === 'string' ? code : null, stderr));
        return;
      }
      resolve(stdout);
    });
    // A git command that exits without reading its input closes the pipe: its exit status tells.
    child.stdin?.on('error', () => {});
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** Runs git and reports whether it exited 0 (for questions like `merge-base --is-ancestor`). */
export async function gitOk(dir: string, args: string[]): Promise<boolean> {
  try {
    await git(dir, args);
    return true;
  } catch (err) {
    if (err instanceof GitError) return false;
    throw err;
  }
}

/** The commit a ref points to, or undefined when it does not exist. */
export async function revParse(dir: string, ref: string): Promise<string | undefined> {
  try {
    return (await git(dir, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim() || undefined;
  } catch (err) {
    if (err instanceof GitError) return undefined;
    throw err;
  }
}

/** A file's text at a commit, or undefined when the commit has no such file. */
export async function showFile(dir: string, ref: string, path: string): Promise<string | undefined> {
  try {
    return await git(dir, ['cat-file', 'blob', `${ref}:${path}`]);
  } catch (err) {
    if (err instanceof GitError) return undefined;
    throw err;
  }
}
