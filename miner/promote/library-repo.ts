/** The library repository on disk: where it is, creating it, and reading main's manifest. */
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MAIN_BRANCH, MANIFEST_FILE, type LibraryManifest } from '../../src/library/format.js';
import { git, isRepositoryRoot, resolveCommit, showText } from '../../src/library/git.js';
import { parseManifest } from './manifest.js';
import { scaffoldFiles } from './scaffold.js';

export const MAIN_REF = `refs/heads/${MAIN_BRANCH}`;

/**
 * Makes sure `dir` is a library repository with a main branch, creating it when missing or empty
 * (`git init -b main` and a first commit with manifest.json, library.d.ts, README.md, package.json).
 * Returns the absolute directory.
 */
export async function ensureLibrary(dirIn: string): Promise<string> {
  const dir = resolve(dirIn);
  if (!existsSync(dir) || (readdirSync(dir).length === 0)) {
    mkdirSync(dir, { recursive: true });
    await git(dir, ['init', '-q', '-b', MAIN_BRANCH]);
    await commitScaffold(dir);
    return realpathSync(dir);
  }
  if (!(await isRepositoryRoot(dir))) {
    throw new Error(
      `${dir} exists and is not a git repository of its own: point --library (or ACCRETE_LIBRARY_DIR) at a library repository, an empty directory, or a path that does not exist yet`,
    );
  }
  if (await resolveCommit(dir, MAIN_REF)) return realpathSync(dir);
  if (await resolveCommit(dir, 'HEAD')) {
    throw new Error(`the library repository ${dir} has no "${MAIN_BRANCH}" branch: create it (git -C ${dir} branch ${MAIN_BRANCH}) and try again`);
  }
  // A repository without commits (e.g. a fresh clone of an empty GitHub repository).
  await git(dir, ['symbolic-ref', 'HEAD', MAIN_REF]);
  await commitScaffold(dir);
  return realpathSync(dir);
}

async function commitScaffold(dir: string): Promise<void> {
  const files = scaffoldFiles();
  for (const f of files) {
    const path = join(dir, f.path);
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path)) writeFileSync(path, f.content);
  }
  await git(dir, ['add', '--', ...files.map((f) => f.path)]);
  await git(dir, ['commit', '-q', '--no-verify', '-m', 'Start the accrete library: manifest, primitive types, README']);
}

/** main's manifest.json, or undefined when main does not exist yet. */
export async function readMainManifest(dir: string): Promise<LibraryManifest | undefined> {
  if (!(await resolveCommit(dir, MAIN_REF))) return undefined;
  const text = await showText(dir, MAIN_REF, MANIFEST_FILE);
  if (text === undefined) {
    throw new Error(`${dir}: the ${MAIN_BRANCH} branch has no ${MANIFEST_FILE}, so it is not an accrete library; add one ({"schema": 1, "functions": {}}) or use another directory`);
  }
  return parseManifest(text, `${MANIFEST_FILE} on ${MAIN_BRANCH} in ${dir}`);
}

/** Versions of `name` that have branches in the repository (accrete/promote-<name>-<version>). */
export async function branchVersions(dir: string, name: string): Promise<string[]> {
  const out = await git(dir, ['for-each-ref', '--format=%(refname:short)', `refs/heads/accrete/promote-${name}-*`]);
  const prefix = `accrete/promote-${name}-`;
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith(prefix) && /^\d+\.\d+\.\d+$/.test(l.slice(prefix.length)))
    .map((l) => l.slice(prefix.length));
}
