/**
 * Commits without touching the working tree, the index or HEAD: git plumbing over a private index
 * (read-tree, hash-object, update-index, write-tree, commit-tree, update-ref). Used for proposal
 * branches, and for the reviewer's merge and retire commits on main (library merge/retire).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { git } from '../../src/library/git.js';
import type { ProposedFile } from './types.js';

/** A file taken as it is in another commit: its blob and mode. */
export interface CopiedFile {
  path: string;
  blob: string;
  mode: string;
}

export interface TreeEdits {
  /** Paths to remove from the base tree. */
  remove: string[];
  /** Files written with this content. */
  files: ProposedFile[];
  /** Files copied by blob (e.g. from a proposal branch). */
  copies?: CopiedFile[];
}

export interface BranchCommit extends TreeEdits {
  /** Start from this commit's tree (main). */
  base: string;
  /** Parents of the new commit: [main], or [the branch's tip, main] when updating a proposal. */
  parents: string[];
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

/** The tree of `base` with the edits applied; returns the tree's hash. */
export async function buildTree(dir: string, base: string, edits: TreeEdits): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), 'accrete-index-'));
  const env = { GIT_INDEX_FILE: join(tmp, 'index') };
  try {
    await git(dir, ['read-tree', base], { env });
    if (edits.remove.length) await git(dir, ['update-index', '--force-remove', '-z', '--stdin'], { env, input: `${edits.remove.join('\0')}\0` });
    for (const c of edits.copies ?? []) await git(dir, ['update-index', '--add', '--cacheinfo', `${c.mode},${c.blob},${c.path}`], { env });
    for (const f of edits.files) {
      const blob = (await git(dir, ['hash-object', '-w', '--stdin'], { input: f.content })).trim();
      await git(dir, ['update-index', '--add', '--cacheinfo', `100644,${blob},${f.path}`], { env });
    }
    return (await git(dir, ['write-tree'], { env })).trim();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** A commit of `tree` with these parents (no ref moves). */
export async function commitTree(dir: string, tree: string, parents: string[], message: string): Promise<string> {
  return (await git(dir, ['commit-tree', tree, ...parents.flatMap((p) => ['-p', p]), '-F', '-'], { input: message })).trim();
}

export async function commitToBranch(dir: string, spec: BranchCommit): Promise<BranchCommitResult> {
  const tree = await buildTree(dir, spec.base, spec);
  if (spec.expectedOld && (await git(dir, ['rev-parse', `${spec.expectedOld}^{tree}`])).trim() === tree) {
    return { commit: spec.expectedOld, created: false };
  }
  const commit = await commitTree(dir, tree, spec.parents, spec.message);
  await git(dir, ['update-ref', '-m', `accrete: ${spec.message.split('\n')[0]}`, `refs/heads/${spec.branch}`, commit, spec.expectedOld ?? ZERO]);
  return { commit, created: true };
}
