/** Pull requests through @octokit/rest against a local GitHub API; branches pushed to a local bare origin. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GitHubConfig, ensureLibrary, githubConfigFromEnv, proposeFunction } from '../../../miner/promote/index.js';
import { type GitHubServer, startGitHubServer } from '../../helpers/github-server.js';
import { RUNS, makeCandidate, sh } from './candidate.js';

let tmp: string;
let lib: string;
let origin: string;
let server: GitHubServer;
let github: GitHubConfig;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'accrete-gh-'));
  lib = join(tmp, 'library');
  origin = join(tmp, 'origin.git');
  sh(tmp, 'init', '--quiet', '--bare', '-b', 'main', origin);
  await ensureLibrary(lib);
  sh(lib, 'remote', 'add', 'origin', origin);
  sh(lib, 'push', '--quiet', 'origin', 'main');
  server = await startGitHubServer({ token: 'ghp_secret', owner: 'acme', repo: 'library' });
  github = { token: 'ghp_secret', owner: 'acme', repo: 'library', apiUrl: server.url };
});
afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('pull requests', () => {
  it('pushes the branch to origin and opens one pull request into main with the evidence', async () => {
    const p = await proposeFunction(lib, makeCandidate(), { github });
    expect(p.publishError).toBeUndefined();
    expect(p).toMatchObject({ pushed: true, prOpened: true, prUrl: 'https://github.example/acme/library/pull/1', nextSteps: [] });
    expect(sh(origin, 'rev-parse', `refs/heads/${p.branch}`).trim()).toBe(p.commit);
    expect(server.pulls).toHaveLength(1);
    const create = server.requests.find((r) => r.method === 'POST')!;
    expect(create.path).toBe('/repos/acme/library/pulls');
    expect(create.body).toEqual({ title: 'Promote countMentions 1.0.0 (cluster c7, support 3)', head: 'accrete/promote-countMentions-1.0.0', base: 'main', body: p.body });
    expect(create.body!.body).toContain(RUNS.a);
    const list = server.requests.find((r) => r.method === 'GET')!;
    expect(list.query).toMatchObject({ head: 'acme:accrete/promote-countMentions-1.0.0', state: 'open' });
    for (const r of server.requests) expect(r.authorization).toBe('token ghp_secret');
  });

  it('does not open a second pull request for the same branch; the new commit is pushed to it', async () => {
    const before = server.requests.length;
    const p = await proposeFunction(lib, makeCandidate({ runs: [RUNS.a, RUNS.b, RUNS.c, RUNS.d] }), { github });
    expect(p).toMatchObject({ version: '1.0.0', pushed: true, prOpened: false, prUrl: 'https://github.example/acme/library/pull/1' });
    expect(server.pulls).toHaveLength(1);
    expect(server.requests.slice(before).map((r) => r.method)).toEqual(['GET']);
    expect(sh(origin, 'rev-parse', `refs/heads/${p.branch}`).trim()).toBe(p.commit);
  });

  it('reports a refused token without losing the committed branch, and prints the manual steps', async () => {
    const p = await proposeFunction(lib, makeCandidate({ name: 'countLines' }), { github: { ...github, token: 'wrong' } });
    expect(p.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(p.prUrl).toBeUndefined();
    expect(p.publishError).toMatch(/Bad credentials/);
    expect(p.nextSteps).toHaveLength(1);
    expect(p.nextSteps[0]).toMatch(/gh pr create --repo acme\/library --base main --head accrete\/promote-countLines-1\.0\.0 /);
    expect(server.pulls).toHaveLength(1);
  });

  it('reads GITHUB_TOKEN, GITHUB_REPOSITORY and GITHUB_API_URL', () => {
    expect(githubConfigFromEnv({})).toBeUndefined();
    expect(githubConfigFromEnv({ GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'o/r', GITHUB_API_URL: 'https://ghe.example/api/v3' })).toEqual({ token: 't', owner: 'o', repo: 'r', apiUrl: 'https://ghe.example/api/v3' });
    expect(() => githubConfigFromEnv({ GITHUB_TOKEN: 't', GITHUB_REPOSITORY: 'just-a-name' })).toThrow(/owner\/name/);
  });
});
