/** Pushing a proposal branch and opening its pull request (@octokit/rest), or saying how to by hand. */
import { MAIN_BRANCH } from '../../src/library/format.js';
import { GitError, git } from '../../src/library/git.js';
import type { GitHubConfig } from './types.js';

/** GITHUB_TOKEN + GITHUB_REPOSITORY (owner/name) [+ GITHUB_API_URL], or undefined when unset. */
export function githubConfigFromEnv(env: NodeJS.ProcessEnv = process.env): GitHubConfig | undefined {
  const token = env.GITHUB_TOKEN?.trim();
  const repository = env.GITHUB_REPOSITORY?.trim();
  if (!token || !repository) return undefined;
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!m) throw new Error(`GITHUB_REPOSITORY must be owner/name (got "${repository}")`);
  return { token, owner: m[1], repo: m[2].replace(/\.git$/, ''), apiUrl: env.GITHUB_API_URL?.trim() || undefined };
}

/** The URL of the library's `origin`, or undefined when it has none. */
export async function originUrl(dir: string): Promise<string | undefined> {
  try {
    return (await git(dir, ['remote', 'get-url', 'origin'])).trim() || undefined;
  } catch (err) {
    if (err instanceof GitError) return undefined;
    throw err;
  }
}

/**
 * Pushes the branch to `origin` (or to `remote`, a URL). Over https with a token, the token goes in
 * an Authorization header through GIT_CONFIG_* environment variables (never on the command line).
 */
export async function pushBranch(dir: string, branch: string, options: { remote?: string; token?: string } = {}): Promise<void> {
  const target = options.remote ?? 'origin';
  const url = options.remote ?? (await originUrl(dir));
  const env: Record<string, string> = {};
  if (options.token && url && /^https:\/\//i.test(url)) {
    const origin = new URL(url).origin;
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = `http.${origin}/.extraheader`;
    env.GIT_CONFIG_VALUE_0 = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${options.token}`).toString('base64')}`;
  }
  try {
    await git(dir, ['push', '--quiet', target, `refs/heads/${branch}:refs/heads/${branch}`], { env });
  } catch (err) {
    if (err instanceof GitError) {
      throw new Error(`could not push ${branch} to ${target}: ${err.stderr.trim() || err.message}. The branch is committed locally; push it with: git -C ${dir} push ${target} ${branch}`);
    }
    throw err;
  }
}

export interface PullRequestResult {
  url: string;
  number: number;
  /** False when an open pull request for the branch already existed. */
  opened: boolean;
}

/** Opens a pull request from `branch` into main unless one is already open for it. */
export async function openPullRequest(config: GitHubConfig, pr: { branch: string; title: string; body: string }): Promise<PullRequestResult> {
  // Imported here, not at the top: the CLI reads githubConfigFromEnv for every command, and only this needs Octokit.
  const { Octokit } = await import('@octokit/rest');
  const octokit = new Octokit({
    auth: config.token,
    baseUrl: config.apiUrl ?? 'https://api.github.com',
    userAgent: 'accrete-miner',
    // Failures reach the caller as the proposal's publishError; deprecation warnings still show.
    log: { debug: () => {}, info: () => {}, warn: (m: string) => console.warn(m), error: () => {} },
  });
  const existing = await octokit.pulls.list({ owner: config.owner, repo: config.repo, head: `${config.owner}:${pr.branch}`, state: 'open' });
  // Exact match: GitHub ignores a `head` filter it cannot parse and lists every open pull request.
  const open = existing.data.find((p) => p.head.ref === pr.branch);
  if (open) return { url: open.html_url, number: open.number, opened: false };
  const created = await octokit.pulls.create({ owner: config.owner, repo: config.repo, title: pr.title, head: pr.branch, base: MAIN_BRANCH, body: pr.body });
  return { url: created.data.html_url, number: created.data.number, opened: true };
}

/** POSIX shell quoting for printed commands. */
export const shellQuote = (s: string): string => (/^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** The commands that push the branch and open the pull request by hand (gh reads the description from a file). */
export function manualSteps(dir: string, branch: string, title: string, bodyFile: string, repository?: string, remote = 'origin'): string[] {
  const q = shellQuote;
  return [
    `git -C ${q(dir)} push ${q(remote)} ${q(branch)}`,
    `cd ${q(dir)} && gh pr create${repository ? ` --repo ${q(repository)}` : ''} --base ${MAIN_BRANCH} --head ${q(branch)} --title ${q(title)} --body-file ${q(bodyFile)}`,
  ];
}
