/**
 * After the commit: push the branch and open its pull request when GitHub is configured, otherwise
 * (or when that fails) leave the description in the git directory and say which commands do it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git } from '../../src/library/git.js';
import { githubConfigFromEnv, manualSteps, openPullRequest, originUrl, pushBranch } from './github.js';
import type { GitHubConfig } from './types.js';

export interface PublishInput {
  dir: string;
  name: string;
  version: string;
  branch: string;
  title: string;
  body: string;
  /** undefined: from the environment; false: never. */
  github?: GitHubConfig | false;
  remote?: string;
}

export interface PublishResult {
  pushed: boolean;
  prUrl?: string;
  prOpened: boolean;
  publishError?: string;
  nextSteps: string[];
}

export async function publishProposal(p: PublishInput): Promise<PublishResult> {
  const result: PublishResult = { pushed: false, prOpened: false, nextSteps: [] };
  const github = p.github === false ? undefined : (p.github ?? githubConfigFromEnv());
  const remote = p.remote ?? (await originUrl(p.dir));
  if (github && remote) {
    try {
      await pushBranch(p.dir, p.branch, { remote: p.remote, token: github.token });
      result.pushed = true;
      const pr = await openPullRequest(github, { branch: p.branch, title: p.title, body: p.body });
      result.prUrl = pr.url;
      result.prOpened = pr.opened;
    } catch (err) {
      result.publishError = (err as Error).message;
    }
  }
  if (!result.prUrl) {
    // Inside .git: the repository stays clean, and `gh pr create --body-file` can read it.
    const dir = join((await git(p.dir, ['rev-parse', '--absolute-git-dir'])).trim(), 'accrete', 'pr');
    mkdirSync(dir, { recursive: true });
    const bodyFile = join(dir, `${p.name}-${p.version}.md`);
    writeFileSync(bodyFile, p.body);
    result.nextSteps = manualSteps(p.dir, p.branch, p.title, bodyFile, github ? `${github.owner}/${github.repo}` : undefined, p.remote);
    if (result.pushed) result.nextSteps.shift();
  }
  return result;
}
