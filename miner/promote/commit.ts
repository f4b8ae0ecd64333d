/**
 * One commit on a branch without touching the working tree, the index or HEAD: git plumbing over a
 * private index (read-tree, hash-object, update-index, write-tree, commit-tree, update-ref).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../../src/library/git.js';
import type { ProposedFile } from './types.js';

export interface BranchCommit {
  /** Start from this commit's tree (main). */
  base: string;
  /** Parents of the new commit: [main], or [the branch's tip, main] when updating a proposal. */
  parents: string[];
  /** Paths to remove from the base tree. */
  remove: string[];
  files: ProposedFile[];
  message: string;
  /** Branch name (without refs/heads/). */
  branch: string;
  /** The branch's current commit, or undefined to require that the branch does not exist. */
  expectedOld?: string;
}

export interface BranchCommitResult {
  commit: string;
  /** False when the branch already held exactly this tree (nothing was committed). */
  created: boolean;
}

const ZERO = '0000000000000000000000000000000000000000';

export async function commitToBranch(dir: string, spec: BranchCommit): Promise<BranchCommitResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'accrete-index-'));
  const env = { GIT_INDEX_FILE: join(tmp, 'index') };
  try {
    await git(dir, ['read-tree', spec.base], { env });
    if (spec.remove.length) await git(dir, ['update-index', '--force-remove', '-z', '--stdin'], { env, input: `${spec.remove.join('\0')}\0` });
    for (const f of spec.files) {
      const blob = (await git(dir, ['hash-object', '-w', '--stdin'], { input: f.content })).trim();
      await git(dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${f.path}`], { env });
    }
    const tree = (await git(dir, ['write-tree'], { env })).trim();
    if (spec.expectedOld && (await git(dir, ['rev-parse', `${spec.expectedOld}^{tree}`])).trim() === tree) {
      return { commit: spec.expectedOld, created: false };
    }
    const commit = (await git(dir, ['commit-tree', tree, ...spec.parents.flatMap((p) => ['-p', p]), '-F', '-'], { input: spec.message })).trim();
    await git(dir, ['update-ref', '-m', `accrete: ${spec.message.split('\n')[0]}`, `refs/heads/${spec.branch}`, commit, spec.expectedOld ?? ZERO]);
    return { commit, created: true };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
