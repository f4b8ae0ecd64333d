/** Public types of the promote step: what generalize/verify hand over, and what a proposal returns. */
import type { Database } from '../../src/db/connection.js';
import type { PromotionStatus } from '../../src/db/schema.js';
import type { FunctionParam, ReplayFixture } from '../../src/library/format.js';

/** A generalized, verified function ready to be proposed to the library. */
export interface PromotionCandidate {
  clusterId: string;
  /** The cluster's membersHash (sha256 of its sorted member run ids) at generalization time. */
  membersHash: string;
  /** lower camelCase, matches FUNCTION_NAME. */
  name: string;
  /**
   * TypeScript: `/** doc *\/\nexport async function <name>(context: string, ...): Promise<string> { ... }`,
   * using the free primitives llm/llmBatch/rlm/print and importing nothing.
   */
  source: string;
  signature: string;
  params: FunctionParam[];
  doc: string;
  skeleton: string;
  /** Distinct successful runs in the cluster. */
  support: number;
  successRate: number;
  /** Description-length gain in tokens. */
  gain: number;
  /** Members reproduced by replay / members. */
  coverage: number;
  sourceRunIds: string[];
  /** Replay cases, written to test/fixtures/<name>/<runId>.json. */
  fixtures: ReplayFixture[];
  /** Member programs, for the diffs in the pull request body. */
  members: { runId: string; code: string }[];
  replay: { runId: string; reproduced: boolean; reason?: string }[];
  expectedSavings: { llmCallsPerRun?: number; rootOutputTokensPerRun?: number; note?: string };
}

/** Where pull requests are opened: GITHUB_TOKEN, GITHUB_REPOSITORY (owner/name), GITHUB_API_URL. */
export interface GitHubConfig {
  token: string;
  owner: string;
  repo: string;
  /** REST API base URL (GitHub Enterprise: https://HOST/api/v3); default https://api.github.com. */
  apiUrl?: string;
}

export interface ProposeOptions {
  /** Record the proposal in the `promotions` table. */
  db?: Database;
  /** Compute the version, files and body; write nothing (no repository, branch, push or row). */
  dryRun?: boolean;
  /** Pull requests: undefined reads the environment; false never pushes or opens one. */
  github?: GitHubConfig | false;
  /** Push to this remote URL instead of the library's `origin`. */
  remote?: string;
  /** Timestamp of the new version (default now). */
  now?: Date;
}

/** 'none': main already holds this exact function (status unchanged). */
export type VersionBump = 'new' | 'minor' | 'major' | 'none';

export interface ProposedFile {
  path: string;
  content: string;
}

export interface Proposal {
  /** `unchanged`: main already holds this exact source and signature; nothing was written. */
  status: 'proposed' | 'unchanged';
  dryRun: boolean;
  name: string;
  version: string;
  /** The newest version on main before this one. */
  previousVersion?: string;
  bump: VersionBump;
  branch: string;
  /** Absolute path of the library repository. */
  libraryDir: string;
  /** The commit on the branch (absent for a dry run or an unchanged function). */
  commit?: string;
  files: ProposedFile[];
  /** Paths removed on the branch (the previous version's fixtures). */
  removed: string[];
  commitMessage: string;
  title: string;
  /** The pull request description (markdown). */
  body: string;
  pushed: boolean;
  prUrl?: string;
  /** True when this call opened the pull request; false when one was already open or none was opened. */
  prOpened: boolean;
  /** Why pushing or opening the pull request failed (the branch is committed locally all the same). */
  publishError?: string;
  /** Commands a user runs to push and open the pull request by hand (when not done here). */
  nextSteps: string[];
  /** The promotions row (absent without a db or for a dry run). */
  promotionId?: string;
}

/** One function of `accrete library list`: the newest proposed version of each name. */
export interface LibraryListRow {
  name: string;
  version: string;
  status: PromotionStatus;
  support: number;
  coverage: number;
  gain: number;
  branch: string;
}

/** What syncPromotions changed. */
export interface SyncReport {
  merged: { name: string; version: string }[];
  retired: { name: string; version: string }[];
}
