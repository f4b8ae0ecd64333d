/**
 * The reviewer's side of the library, where the user is: the open proposals with their evidence
 * (review), merging one into the local library's main on the user's command (merge), and taking a
 * merged function off main (retire). accrete never merges on its own: these run only when a user
 * asks. Both write commits with git plumbing; a library checked out on main has its work tree
 * fast-forwarded, and one with uncommitted changes is left alone (refused).
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { type PromotionStatus, promotions } from '../../src/db/schema.js';
import { type FunctionVersion, type LibraryManifest, MAIN_BRANCH, MANIFEST_FILE, branchName, fixtureDir, sourcePath, testPath } from '../../src/library/format.js';
import { git, gitOk, isRepositoryRoot, resolveCommit, showText } from '../../src/library/git.js';
import { buildTree, type CopiedFile, commitTree } from './commit.js';
import { MAIN_REF, branchVersions, readMainManifest } from './library-repo.js';
import { parseManifest, serializeManifest, withVersion } from './manifest.js';
import { syncPromotions } from './records.js';
import { compareVersions, maxVersion } from './version.js';

/** A merge or retire that cannot be done as asked; the message says why and what to do. */
export class ReviewRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReviewRefusal';
  }
}

/** One open proposal and what a reviewer needs to decide on it. */
export interface OpenProposal {
  name: string;
  version: string;
  branch: string;
  clusterId: string;
  /** Distinct successful member runs, the share of members replay reproduced, the description-length gain (tokens). */
  support: number;
  coverage: number;
  gain: number;
  successRate: number | null;
  memberRuns: string[];
  /** From the branch's manifest (null when the branch is gone). */
  doc: string | null;
  signature: string | null;
  /** The version of this function on main now (null: a new function). */
  onMain: string | null;
  prUrl: string | null;
  proposedAt: string;
  /** The branch exists in the library repository. */
  branchExists: boolean;
  /** Commits on main since the proposal branched off. */
  behindMain: number;
  /** Whether `accrete library merge` would merge it, and why not. */
  mergeable: boolean;
  blocked?: string;
  /** `git diff --stat main...branch`. */
  diffStat: string;
  /** `git diff main...branch`, without the recorded fixtures (they are in diffStat). */
  diff: string;
}

interface PromotionRowLite {
  id: string;
  name: string;
  version: string;
  branch: string;
  status: PromotionStatus;
  clusterId: string;
  support: number;
  coverage: number;
  gain: number;
  prUrl: string | null;
  evidence: Record<string, unknown> | null;
  createdAt: Date;
}

async function rowsOf(database: Database, libraryDir: string, statuses: PromotionStatus[], name?: string): Promise<PromotionRowLite[]> {
  const where = [eq(promotions.libraryDir, libraryDir), inArray(promotions.status, statuses)];
  if (name) where.push(eq(promotions.name, name));
  return database.db
    .select({
      id: promotions.id,
      name: promotions.name,
      version: promotions.version,
      branch: promotions.branch,
      status: promotions.status,
      clusterId: promotions.clusterId,
      support: promotions.support,
      coverage: promotions.coverage,
      gain: promotions.gain,
      prUrl: promotions.prUrl,
      evidence: promotions.evidence,
      createdAt: promotions.createdAt,
    })
    .from(promotions)
    .where(and(...where));
}

async function isBare(dir: string): Promise<boolean> {
  return (await git(dir, ['rev-parse', '--is-bare-repository'])).trim() === 'true';
}

/** Tracked files with changes in the work tree or the index (none in a bare repository). */
export async function uncommittedChanges(dir: string): Promise<string[]> {
  if (await isBare(dir)) return [];
  const out = await git(dir, ['status', '--porcelain', '--untracked-files=no']);
  return out
    .split('\n')
    .map((l) => l.slice(3).trim())
    .filter(Boolean);
}

async function requireLibrary(dir: string): Promise<{ mainTip: string; manifest: LibraryManifest }> {
  if (!(await isRepositoryRoot(dir))) throw new ReviewRefusal(`there is no library repository at ${dir} (--library DIR, or ACCRETE_LIBRARY_DIR)`);
  const mainTip = await resolveCommit(dir, MAIN_REF);
  const manifest = mainTip ? await readMainManifest(dir) : undefined;
  if (!mainTip || !manifest) throw new ReviewRefusal(`the library at ${dir} has no ${MAIN_BRANCH} branch with a ${MANIFEST_FILE}`);
  return { mainTip, manifest };
}

async function requireClean(dir: string, what: string): Promise<void> {
  const dirty = await uncommittedChanges(dir);
  if (dirty.length === 0) return;
  const shown = dirty.slice(0, 5).join(', ') + (dirty.length > 5 ? `, and ${dirty.length - 5} more` : '');
  throw new ReviewRefusal(`the library at ${dir} has uncommitted changes (${shown}); commit or discard them first (git -C ${dir} status), then ${what} again`);
}

const lines = (out: string): string[] => out.split('\0').filter(Boolean);

/** Paths changed between two commits; with statuses when asked (A, M, D, T). */
async function changed(dir: string, from: string, to: string): Promise<{ status: string; path: string }[]> {
  const parts = lines(await git(dir, ['diff', '--name-status', '-z', '--no-renames', from, to]));
  const out: { status: string; path: string }[] = [];
  for (let i = 0; i + 1 < parts.length; i += 2) out.push({ status: parts[i], path: parts[i + 1] });
  return out;
}

async function entryAt(dir: string, commit: string, path: string): Promise<{ mode: string; blob: string } | undefined> {
  const out = (await git(dir, ['ls-tree', '-z', commit, '--', path])).split('\0')[0];
  const m = /^(\d+) blob ([0-9a-f]+)\t/.exec(out);
  return m ? { mode: m[1], blob: m[2] } : undefined;
}

interface MergePlan {
  mainTip: string;
  branchTip: string;
  tree: string;
  entry: FunctionVersion;
  previous?: string;
}

/**
 * The tree main would have with the proposal merged: main's tree with the files the branch changed
 * since it branched off, and main's manifest with the proposed version added (so proposals that
 * each added their own entry merge one after another). A file that main changed too, differently,
 * is a conflict: refused.
 */
async function planMerge(dir: string, name: string, version: string, mainTip: string, manifest: LibraryManifest): Promise<MergePlan> {
  const branch = branchName(name, version);
  const branchTip = await resolveCommit(dir, `refs/heads/${branch}`);
  if (!branchTip) throw new ReviewRefusal(`${name} ${version} has no branch ${branch} in ${dir}; it cannot be merged (see accrete library review)`);
  const onMain = manifest.functions[name];
  if (onMain?.versions.some((v) => v.version === version) || (await gitOk(dir, ['merge-base', '--is-ancestor', branchTip, mainTip]))) {
    throw new ReviewRefusal(`${name} ${version} is already merged into ${MAIN_BRANCH}`);
  }
  if (onMain && compareVersions(onMain.version, version) > 0) {
    throw new ReviewRefusal(`${MAIN_BRANCH} already has ${name} ${onMain.version}, newer than ${version}: this proposal is outdated (retire ${name} first to go back to it)`);
  }
  const text = await showText(dir, branchTip, MANIFEST_FILE);
  const entry = text ? parseManifest(text, `${MANIFEST_FILE} on ${branch}`).functions[name]?.versions.find((v) => v.version === version) : undefined;
  if (!entry) throw new ReviewRefusal(`${branch} has no ${name} ${version} in its ${MANIFEST_FILE}; it is not an accrete proposal`);
  const base = (await git(dir, ['merge-base', mainTip, branchTip])).trim();
  const onMainSince = new Set((await changed(dir, base, mainTip)).map((c) => c.path));
  const remove: string[] = [];
  const copies: CopiedFile[] = [];
  const conflicts: string[] = [];
  for (const c of await changed(dir, base, branchTip)) {
    if (c.path === MANIFEST_FILE) continue;
    const theirs = c.status === 'D' ? undefined : await entryAt(dir, branchTip, c.path);
    if (onMainSince.has(c.path)) {
      const ours = await entryAt(dir, mainTip, c.path);
      if (ours?.blob !== theirs?.blob) conflicts.push(c.path);
      continue;
    }
    if (theirs) copies.push({ path: c.path, ...theirs });
    else remove.push(c.path);
  }
  if (conflicts.length) {
    throw new ReviewRefusal(`${branch} and ${MAIN_BRANCH} both changed ${conflicts.join(', ')}; merge it by hand (git -C ${dir} merge ${branch}) or let accrete mine propose it again`);
  }
  const files = [{ path: MANIFEST_FILE, content: serializeManifest(withVersion(manifest, name, entry)) }];
  const tree = await buildTree(dir, mainTip, { remove, files, copies });
  return { mainTip, branchTip, tree, entry, previous: onMain?.version };
}

/** Moves main from `oldTip` to `commit`: a fast-forward of the work tree when main is checked out. */
async function advanceMain(dir: string, oldTip: string, commit: string, why: string): Promise<void> {
  const head = (await isBare(dir)) ? undefined : (await git(dir, ['symbolic-ref', '-q', 'HEAD']).catch(() => '')).trim();
  if (head === MAIN_REF) await git(dir, ['merge', '--ff-only', '-q', commit]);
  else await git(dir, ['update-ref', '-m', `accrete: ${why}`, MAIN_REF, commit, oldTip]);
}

/** The newest open version of `name`: a proposed row, else a branch not yet on main. */
async function openVersion(database: Database | undefined, dir: string, name: string, manifest: LibraryManifest): Promise<string | undefined> {
  const proposed = database ? (await rowsOf(database, dir, ['proposed'], name)).map((r) => r.version) : [];
  if (proposed.length) return maxVersion(proposed);
  const merged = new Set(manifest.functions[name]?.versions.map((v) => v.version) ?? []);
  return maxVersion((await branchVersions(dir, name)).filter((v) => !merged.has(v)));
}

export interface MergeResult {
  name: string;
  version: string;
  branch: string;
  /** The merge commit, now main's tip. */
  commit: string;
  /** The version on main before (null: a new function). */
  previousVersion: string | null;
}

/**
 * Merges the proposal `name` (its newest open version, or `version`) into the library's main: a
 * merge commit with main and the branch as parents, recorded as `merged` in the promotions table.
 */
export async function mergeProposal(database: Database | undefined, dirIn: string, name: string, version?: string): Promise<MergeResult> {
  const dir = dirIn;
  const { mainTip, manifest } = await requireLibrary(dir);
  if (database) await syncPromotions(database, dir);
  const v = version ?? (await openVersion(database, dir, name, manifest));
  if (!v) {
    const merged = manifest.functions[name];
    throw new ReviewRefusal(
      merged ? `${name} ${merged.version} is already merged and no newer version is proposed (see accrete library review)` : `no proposal named ${name} in the library at ${dir} (see accrete library review)`,
    );
  }
  await requireClean(dir, 'merge');
  const plan = await planMerge(dir, name, v, mainTip, manifest);
  const branch = branchName(name, v);
  const message = [
    `Merge ${name} ${v} (accrete library merge)`,
    '',
    `${plan.previous ? `Replaces ${name} ${plan.previous}` : `Adds ${name}`}: ${plan.entry.doc.split('\n')[0]}`,
    `Cluster ${plan.entry.clusterId} · support ${plan.entry.support} · coverage ${Math.round(plan.entry.coverage * 100)}% · gain ${Math.round(plan.entry.gain)} tokens.`,
    '',
    `Merged from ${branch} by the reviewer's command.`,
    '',
  ].join('\n');
  const commit = await commitTree(dir, plan.tree, [plan.mainTip, plan.branchTip], message);
  await advanceMain(dir, plan.mainTip, commit, `merge ${branch}`);
  if (database) {
    await database.db
      .update(promotions)
      .set({ status: 'merged', updatedAt: sql`now()` })
      .where(and(eq(promotions.libraryDir, dir), eq(promotions.name, name), eq(promotions.version, v)));
    await syncPromotions(database, dir);
  }
  return { name, version: v, branch, commit, previousVersion: plan.previous ?? null };
}

export interface RetireResult {
  name: string;
  /** The version that was on main. */
  version: string;
  /** The commit that removed it, now main's tip. */
  commit: string;
  removed: string[];
}

/**
 * Takes a merged function off main: one commit that deletes its source, tests and fixtures and
 * its manifest entry, so runs no longer load it (a `name@version` pin still reaches it in main's
 * history); its promotions rows become `retired`.
 */
export async function retireFunction(database: Database | undefined, dir: string, name: string, reason?: string): Promise<RetireResult> {
  const { mainTip, manifest } = await requireLibrary(dir);
  const entry = manifest.functions[name];
  if (!entry) {
    const rows = database ? await rowsOf(database, dir, ['proposed', 'retired', 'rejected', 'merged'], name) : [];
    const statuses = [...new Set(rows.map((r) => r.status))];
    throw new ReviewRefusal(
      statuses.includes('retired')
        ? `${name} is already retired: it is not on ${MAIN_BRANCH}`
        : statuses.includes('proposed')
          ? `${name} is proposed, not merged: there is nothing on ${MAIN_BRANCH} to retire`
          : `no function ${name} on the library's ${MAIN_BRANCH} (see accrete library list)`,
    );
  }
  await requireClean(dir, 'retire');
  const fixtures = lines(await git(dir, ['ls-tree', '-r', '-z', '--name-only', mainTip, '--', fixtureDir(name)]));
  const removed = [sourcePath(name), testPath(name), ...fixtures].filter((p, i, all) => all.indexOf(p) === i);
  const present: string[] = [];
  for (const p of removed) if (await entryAt(dir, mainTip, p)) present.push(p);
  const rest: LibraryManifest = { schema: manifest.schema, functions: { ...manifest.functions } };
  delete rest.functions[name];
  const tree = await buildTree(dir, mainTip, { remove: present, files: [{ path: MANIFEST_FILE, content: serializeManifest(rest) }] });
  const message = [`Retire ${name} ${entry.version} (accrete library retire)`, '', reason?.trim() || 'Retired by the reviewer\'s command.', '', 'Runs no longer load it; a pin (name@version) still reaches it in the history of main.', ''].join('\n');
  const commit = await commitTree(dir, tree, [mainTip], message);
  await advanceMain(dir, mainTip, commit, `retire ${name}`);
  if (database) {
    await database.db
      .update(promotions)
      .set({ status: 'retired', updatedAt: sql`now()` })
      .where(and(eq(promotions.libraryDir, dir), eq(promotions.name, name), eq(promotions.status, 'merged')));
    await syncPromotions(database, dir);
  }
  return { name, version: entry.version, commit, removed: present };
}

/** The open proposals of this library, oldest first, each with its evidence and its diff against main. */
export async function reviewProposals(database: Database, dir: string): Promise<OpenProposal[]> {
  if (!(await isRepositoryRoot(dir))) return [];
  await syncPromotions(database, dir);
  const mainTip = await resolveCommit(dir, MAIN_REF);
  const manifest = await readMainManifest(dir);
  const rows = (await rowsOf(database, dir, ['proposed'])).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.name.localeCompare(b.name));
  const out: OpenProposal[] = [];
  for (const r of rows) {
    const evidence = r.evidence ?? {};
    const tip = await resolveCommit(dir, `refs/heads/${r.branch}`);
    const text = tip ? await showText(dir, tip, MANIFEST_FILE) : undefined;
    let entry: FunctionVersion | undefined;
    try {
      entry = text ? parseManifest(text, r.branch).functions[r.name]?.versions.find((v) => v.version === r.version) : undefined;
    } catch {
      entry = undefined;
    }
    let mergeable = false;
    let blocked: string | undefined;
    let behindMain = 0;
    let diffStat = '';
    let diff = '';
    if (!tip) blocked = `the branch ${r.branch} is gone`;
    else if (!mainTip || !manifest) blocked = `the library has no ${MAIN_BRANCH}`;
    else {
      const range = `${MAIN_REF}...${tip}`;
      behindMain = Number((await git(dir, ['rev-list', '--count', `${tip}..${MAIN_REF}`])).trim()) || 0;
      diffStat = (await git(dir, ['diff', '--stat=200,160', range])).trimEnd();
      diff = await git(dir, ['diff', range, '--', '.', `:(exclude)${fixtureDir(r.name)}`]);
      try {
        await planMerge(dir, r.name, r.version, mainTip, manifest);
        mergeable = true;
      } catch (err) {
        if (!(err instanceof ReviewRefusal)) throw err;
        blocked = err.message;
      }
    }
    out.push({
      name: r.name,
      version: r.version,
      branch: r.branch,
      clusterId: r.clusterId,
      support: r.support,
      coverage: r.coverage,
      gain: r.gain,
      successRate: typeof evidence.successRate === 'number' ? evidence.successRate : null,
      memberRuns: Array.isArray(evidence.sourceRunIds) ? evidence.sourceRunIds.filter((x): x is string => typeof x === 'string') : [],
      doc: entry?.doc ?? null,
      signature: entry?.signature ?? null,
      onMain: manifest?.functions[r.name]?.version ?? null,
      prUrl: r.prUrl,
      proposedAt: r.createdAt.toISOString(),
      branchExists: tip !== undefined,
      behindMain,
      mergeable,
      ...(blocked ? { blocked } : {}),
      diffStat,
      diff,
    });
  }
  return out;
}
