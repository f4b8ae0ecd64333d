/** proposeFunction against a real git repository: the branch, its commit, the PR body, the replay test. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proposeFunction, type Proposal } from '../../../miner/promote/index.js';
import { RUNS, makeCandidate, sh } from './candidate.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
let tmp: string;
let lib: string;
let proposal: Proposal;
let mainBefore: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'accrete-promote-'));
  lib = join(tmp, 'library');
  // A failing replay of run c: its fixture is reported in the body but not written.
  const candidate = makeCandidate({ runs: [RUNS.a, RUNS.b, RUNS.c], notReproduced: RUNS.c });
  proposal = await proposeFunction(lib, candidate, { github: false, now: new Date('2026-01-02T03:04:05Z') });
  mainBefore = sh(lib, 'rev-parse', 'refs/heads/main').trim();
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('proposeFunction', () => {
  it('creates the library repository with a first commit on main', () => {
    expect(sh(lib, 'log', '--format=%s', 'main').trim()).toBe('Start the accrete library: manifest, primitive types, README');
    expect(sh(lib, 'ls-tree', '--name-only', 'main').split('\n').filter(Boolean).sort()).toEqual(['.gitignore', 'README.md', 'library.d.ts', 'manifest.json', 'package.json', 'tsconfig.json']);
    expect(JSON.parse(sh(lib, 'show', 'main:manifest.json'))).toEqual({ schema: 1, functions: {} });
    const dts = sh(lib, 'show', 'main:library.d.ts');
    for (const p of ['llm', 'llmBatch', 'rlm', 'print']) expect(dts).toContain(`declare function ${p}(`);
    expect(sh(lib, 'log', '-1', '--format=%an <%ae>', 'main').trim()).toBe('accrete <accrete@localhost>');
  });

  it('commits one change on the branch and leaves main, HEAD and the work tree alone', () => {
    expect(proposal).toMatchObject({ status: 'proposed', version: '1.0.0', bump: 'new', branch: 'accrete/promote-countMentions-1.0.0', dryRun: false, pushed: false });
    expect(sh(lib, 'rev-parse', 'refs/heads/accrete/promote-countMentions-1.0.0').trim()).toBe(proposal.commit);
    expect(sh(lib, 'rev-parse', `${proposal.commit}^`).trim()).toBe(mainBefore);
    expect(sh(lib, 'rev-list', '--count', 'main').trim()).toBe('1');
    expect(sh(lib, 'symbolic-ref', 'HEAD').trim()).toBe('refs/heads/main');
    expect(sh(lib, 'status', '--porcelain')).toBe('');
    const changed = sh(lib, 'diff', '--name-status', 'main', proposal.branch).trim().split('\n').sort();
    expect(changed).toEqual([
      'A\tsrc/countMentions.ts',
      `A\ttest/countMentions.test.ts`,
      `A\ttest/fixtures/countMentions/${RUNS.a}.json`,
      `A\ttest/fixtures/countMentions/${RUNS.b}.json`,
      'M\tmanifest.json',
    ]);
  });

  it('writes the source, fixtures and a manifest entry with the evidence', () => {
    const candidate = makeCandidate({ notReproduced: RUNS.c });
    expect(sh(lib, 'show', `${proposal.branch}:src/countMentions.ts`)).toBe(candidate.source);
    const fixture = JSON.parse(sh(lib, 'show', `${proposal.branch}:test/fixtures/countMentions/${RUNS.a}.json`));
    expect(fixture).toEqual(candidate.fixtures[0]);
    const manifest = JSON.parse(sh(lib, 'show', `${proposal.branch}:manifest.json`));
    expect(manifest.functions.countMentions.version).toBe('1.0.0');
    expect(manifest.functions.countMentions.versions).toHaveLength(1);
    expect(manifest.functions.countMentions.versions[0]).toMatchObject({
      version: '1.0.0',
      signature: candidate.signature,
      clusterId: 'c7',
      sourceRunIds: [RUNS.a, RUNS.b, RUNS.c],
      support: 3,
      gain: 412.5,
      createdAt: '2026-01-02T03:04:05.000Z',
      skeleton: candidate.skeleton,
    });
    expect(manifest.functions.countMentions.versions[0].sourceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('names the function, version, cluster and support in the commit message, as accrete', () => {
    const message = sh(lib, 'log', '-1', '--format=%B', proposal.branch);
    expect(message.split('\n')[0]).toBe('Promote countMentions 1.0.0 (cluster c7, support 3)');
    expect(message).toContain('Cluster-Id: c7');
    expect(sh(lib, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', proposal.branch).trim()).toBe('accrete <accrete@localhost>|accrete <accrete@localhost>');
  });

  it('puts the evidence in the pull request body', () => {
    const body = proposal.body;
    for (const id of [RUNS.a, RUNS.b, RUNS.c]) expect(body).toContain(id);
    expect(body).toContain('```diff');
    expect(body).toContain(`--- member ${RUNS.a}`);
    expect(body).toContain('+++ src/countMentions.ts (body of countMentions)');
    // Run a shares its first line with the function's body (context); run b does not.
    expect(body).toContain("@@ -1,5 +1,3 @@\n const lines = context.split('\\n').filter((line) => line.trim().length > 0);\n-// run 11111111\n");
    expect(body).toMatch(/^-const lines = context\.split\("\\n"\)\.filter\(Boolean\);$/m);
    expect(body).toMatch(/^\+return String\(votes\.filter\(\(v\) => v\.trim\(\)\.toLowerCase\(\) === 'yes'\)\.length\);$/m);
    expect(body).toMatch(/^-FINAL\(String\(n\)\)$/m);
    expect(body).toContain(`| \`${RUNS.a}\` | yes |  |`);
    expect(body).toContain(`| \`${RUNS.c}\` | no | answer differs: logged "3", replayed "2" |`);
    expect(body).toContain('| description-length gain | 413 tokens |');
    expect(body).toContain('| support (distinct successful runs) | 3 |');
    expect(body).toContain('| success rate | 90.0% |');
    expect(body).toMatch(/coverage.*66\.7% \(2\/3 replayed\)/);
    expect(body).toContain('root-model output tokens per run: 180');
    expect(proposal.nextSteps[0]).toBe(`git -C ${proposal.libraryDir} push origin accrete/promote-countMentions-1.0.0`);
    expect(proposal.nextSteps[1]).toMatch(/^cd .* && gh pr create --base main --head accrete\/promote-countMentions-1\.0\.0 --title 'Promote countMentions 1\.0\.0 \(cluster c7, support 3\)' --body-file /);
    const bodyFile = /--body-file (\S+)$/.exec(proposal.nextSteps[1])![1];
    expect(readFileSync(bodyFile, 'utf8')).toBe(body);
    expect(bodyFile.startsWith(join(proposal.libraryDir, '.git'))).toBe(true);
  });

  it('generates a replay test that passes under vitest on the branch checkout', async () => {
    const worktree = join(tmp, 'review');
    sh(lib, 'worktree', 'add', '--quiet', worktree, proposal.branch);
    expect(existsSync(join(worktree, 'test/countMentions.test.ts'))).toBe(true);
    const run = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', worktree, '--reporter', 'verbose', '--color', 'false'],
        { cwd: ROOT, env: { ...process.env, CI: '1', NO_COLOR: '1' } },
        (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
    expect(run.out).toContain(`reproduces run ${RUNS.a}`);
    expect(run.out).toContain(`reproduces run ${RUNS.b}`);
    expect(run.out).toMatch(/Tests\s+3 passed \(3\)/);
    expect(run.code).toBe(0);
    // A fixture that disagrees with the function must fail the test (the test is not vacuous).
    const file = join(worktree, `test/fixtures/countMentions/${RUNS.a}.json`);
    const fixture = JSON.parse(readFileSync(file, 'utf8'));
    fixture.answer = '99';
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, JSON.stringify(fixture));
    const bad = await new Promise<{ code: number | null; out: string }>((resolve) => {
      execFile(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--root', worktree, '--color', 'false'], { cwd: ROOT, env: { ...process.env, CI: '1', NO_COLOR: '1' } }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, out: stdout + stderr }),
      );
    });
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/expected '2' to be '99'/);
  }, 90_000);
});
