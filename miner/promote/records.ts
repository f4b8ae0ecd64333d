/** The `promotions` table: recording proposals, following them to merged/retired, and listing them. */
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { type PromotionStatus, promotions } from '../../src/db/schema.js';
import { gitOk, isRepositoryRoot, resolveCommit } from '../../src/library/git.js';
import { hasVersion } from './manifest.js';
import { MAIN_REF, readMainManifest } from './library-repo.js';
import type { LibraryListRow, SyncReport } from './types.js';
import { compareVersions } from './version.js';

export interface ProposalRecord {
  clusterId: string;
  membersHash: string;
  name: string;
  version: string;
  branch: string;
  libraryDir: string;
  commit: string;
  prUrl?: string;
  support: number;
  coverage: number;
  gain: number;
  evidence: Record<string, unknown>;
}

/** Inserts a `proposed` row (or refreshes the row of the same name and version); returns its id. */
export async function recordProposal(database: Database, r: ProposalRecord): Promise<string> {
  const values = {
    clusterId: r.clusterId,
    membersHash: r.membersHash,
    branch: r.branch,
    status: 'proposed' as PromotionStatus,
    libraryDir: r.libraryDir,
    commit: r.commit,
    prUrl: r.prUrl ?? null,
    support: r.support,
    coverage: r.coverage,
    gain: r.gain,
    evidence: r.evidence,
  };
  const rows = await database.db
    .insert(promotions)
    .values({ id: randomUUID(), name: r.name, version: r.version, ...values })
    .onConflictDoUpdate({ target: [promotions.name, promotions.version], set: { ...values, updatedAt: sql`now()` } })
    .returning({ id: promotions.id });
  return rows[0].id;
}

/**
 * False when this cluster was already promoted with these members (whatever became of it: a
 * reviewer who retired or rejected it has answered); true when it never was or its members changed.
 */
export async function shouldPropose(database: Database, clusterId: string, membersHash: string): Promise<boolean> {
  const rows = await database.db
    .select({ id: promotions.id })
    .from(promotions)
    .where(and(eq(promotions.clusterId, clusterId), eq(promotions.membersHash, membersHash)))
    .limit(1);
  return rows.length === 0;
}

/**
 * Follows the library's main branch: a proposed version whose branch is merged into main (or that
 * main's manifest lists, e.g. after a squash merge) becomes `merged`; a merged version that main's
 * manifest no longer lists becomes `retired`. Only rows of this library directory are touched.
 */
export async function syncPromotions(database: Database, libraryDir: string): Promise<SyncReport> {
  const report: SyncReport = { merged: [], retired: [] };
  if (!(await isRepositoryRoot(libraryDir))) return report;
  const manifest = await readMainManifest(libraryDir);
  if (!manifest) return report;
  const rows = await database.db
    .select({ id: promotions.id, name: promotions.name, version: promotions.version, branch: promotions.branch, status: promotions.status })
    .from(promotions)
    .where(and(eq(promotions.libraryDir, libraryDir), inArray(promotions.status, ['proposed', 'merged'])));
  for (const row of rows) {
    const listed = hasVersion(manifest, row.name, row.version);
    let status = row.status;
    if (status === 'proposed') {
      const merged =
        listed || ((await resolveCommit(libraryDir, `refs/heads/${row.branch}`)) !== undefined && (await gitOk(libraryDir, ['merge-base', '--is-ancestor', `refs/heads/${row.branch}`, MAIN_REF])));
      if (merged) {
        status = 'merged';
        report.merged.push({ name: row.name, version: row.version });
      }
    }
    if (status === 'merged' && !listed) {
      status = 'retired';
      report.retired.push({ name: row.name, version: row.version });
    }
    if (status !== row.status) {
      await database.db.update(promotions).set({ status, updatedAt: sql`now()` }).where(eq(promotions.id, row.id));
    }
  }
  return report;
}

/** One row per function name of this library: its newest version. */
export async function listPromotions(database: Database, libraryDir: string): Promise<LibraryListRow[]> {
  const rows = await database.db
    .select({
      name: promotions.name,
      version: promotions.version,
      status: promotions.status,
      support: promotions.support,
      coverage: promotions.coverage,
      gain: promotions.gain,
      branch: promotions.branch,
    })
    .from(promotions)
    .where(eq(promotions.libraryDir, libraryDir));
  const newest = new Map<string, LibraryListRow>();
  for (const r of rows) {
    const seen = newest.get(r.name);
    if (!seen || compareVersions(r.version, seen.version) > 0) newest.set(r.name, { ...r });
  }
  return [...newest.values()].sort((a, b) => a.name.localeCompare(b.name));
}
