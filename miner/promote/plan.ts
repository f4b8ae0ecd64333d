/**
 * What a proposal will be, computed without writing anything: the version against main's manifest,
 * the files of the branch, the fixtures it replaces, and the words (title, body, commit message).
 */
import { sha256 } from '../../src/contracts/hash.js';
import { and, eq, inArray } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import { promotions } from '../../src/db/schema.js';
import {
  type FunctionVersion,
  type LibraryManifest,
  MANIFEST_FILE,
  branchName,
  fixtureDir,
  sourcePath,
  testPath,
} from '../../src/library/format.js';
import { commitMessage, proposalBody, proposalTitle } from './evidence.js';
import { git, gitOk } from '../../src/library/git.js';
import { MAIN_REF, branchVersions } from './library-repo.js';
import { serializeManifest, withVersion } from './manifest.js';
import { renderReplayTest } from './replay-test.js';
import type { PromotionCandidate, ProposedFile, VersionBump } from './types.js';
import { type NextVersion, nextVersion, sameSignature } from './version.js';

export interface ProposalPlan {
  /** main already holds this exact source and signature. */
  unchanged: boolean;
  version: string;
  bump: VersionBump;
  previousVersion?: string;
  branch: string;
  files: ProposedFile[];
  removed: string[];
  title: string;
  body: string;
  commitMessage: string;
}

export interface PlanInput {
  /** The library directory; undefined when it does not exist yet (a dry run). */
  dir?: string;
  /** main's manifest (undefined: empty). */
  manifest?: LibraryManifest;
  db?: Database;
  now: Date;
}

const withNewline = (text: string) => (text.endsWith('\n') ? text : `${text}\n`);

/** Versions of `name` used before and no longer on main: merged branches and merged/retired rows. */
async function takenVersions(dir: string, name: string, db: Database | undefined): Promise<string[]> {
  const taken: string[] = [];
  for (const v of await branchVersions(dir, name)) {
    if (await gitOk(dir, ['merge-base', '--is-ancestor', `refs/heads/${branchName(name, v)}`, MAIN_REF])) taken.push(v);
  }
  if (db) {
    const rows = await db.db
      .select({ version: promotions.version })
      .from(promotions)
      .where(and(eq(promotions.name, name), eq(promotions.libraryDir, dir), inArray(promotions.status, ['merged', 'retired'])));
    taken.push(...rows.map((r) => r.version));
  }
  return taken;
}

/** Paths under `path` on main. */
async function listAtMain(dir: string, path: string): Promise<string[]> {
  const out = await git(dir, ['ls-tree', '-r', '-z', '--name-only', MAIN_REF, '--', path]);
  return out.split('\0').filter(Boolean);
}

export async function planProposal(candidate: PromotionCandidate, input: PlanInput): Promise<ProposalPlan> {
  const { name } = candidate;
  const { dir, manifest } = input;
  const entry = manifest?.functions[name];
  const source = withNewline(candidate.source);
  const sourceHash = sha256(source);
  const latest = entry?.versions.find((v) => v.version === entry.version);
  const unchanged = !!latest && latest.sourceHash === sourceHash && sameSignature(latest.signature, candidate.signature);
  const next: NextVersion =
    unchanged && entry
      ? { version: entry.version, bump: 'none', previousVersion: entry.version }
      : nextVersion(entry, candidate.signature, dir && manifest ? await takenVersions(dir, name, input.db) : []);
  const branch = branchName(name, next.version);

  // Cases that did not reproduce would fail the branch's tests: they are reported, not recorded.
  const failed = new Set(candidate.replay.filter((r) => !r.reproduced).map((r) => r.runId));
  const fixtureFiles: ProposedFile[] = candidate.fixtures
    .filter((f) => !failed.has(f.runId))
    .map((f) => ({
      path: `${fixtureDir(name)}/${f.runId}.json`,
      content: `${JSON.stringify({ runId: f.runId, args: f.args, responses: f.responses, calls: f.calls, answer: f.answer }, null, 2)}\n`,
    }));
  const version: FunctionVersion = {
    version: next.version,
    signature: candidate.signature,
    params: candidate.params,
    doc: candidate.doc,
    clusterId: candidate.clusterId,
    sourceRunIds: candidate.sourceRunIds,
    support: candidate.support,
    successRate: candidate.successRate,
    gain: candidate.gain,
    coverage: candidate.coverage,
    sourceHash,
    skeleton: candidate.skeleton,
    createdAt: input.now.toISOString(),
  };
  const files: ProposedFile[] = unchanged
    ? []
    : [
        { path: sourcePath(name), content: source },
        { path: testPath(name), content: renderReplayTest(name) },
        ...fixtureFiles,
        { path: MANIFEST_FILE, content: serializeManifest(withVersion(manifest, name, version)) },
      ];
  const written = new Set(files.map((f) => f.path));
  // A new version's fixtures replace the previous version's (those stay in main's history).
  const removed = dir && manifest && !unchanged ? (await listAtMain(dir, fixtureDir(name))).filter((p) => !written.has(p)) : [];
  const facts = { candidate, version: next.version, previousVersion: next.previousVersion, bump: next.bump, branch, fixturePaths: fixtureFiles.map((f) => f.path) };
  return {
    unchanged,
    version: next.version,
    bump: next.bump,
    previousVersion: next.previousVersion,
    branch,
    files,
    removed,
    title: proposalTitle(facts),
    body: proposalBody(facts),
    commitMessage: commitMessage(facts),
  };
}
