/**
 * proposeFunction: one candidate → a branch `accrete/promote-<name>-<version>` with one commit
 * (source, replay test, fixtures, manifest), a pull request (or the commands to open one), and a
 * `proposed` row. Never merges and never moves main, HEAD, the index or the work tree.
 */
import { commitToBranch } from './commit.js';
import { gitOk, isRepositoryRoot, resolveCommit } from '../../src/library/git.js';
import { resolveLibraryDir } from '../../src/library/location.js';
import { MAIN_REF, ensureLibrary, readMainManifest } from './library-repo.js';
import { planProposal } from './plan.js';
import { publishProposal } from './publish.js';
import { recordProposal } from './records.js';
import type { PromotionCandidate, Proposal, ProposeOptions } from './types.js';
import { validateCandidate } from './validate.js';

export async function proposeFunction(libraryDir: string, candidate: PromotionCandidate, options: ProposeOptions = {}): Promise<Proposal> {
  validateCandidate(candidate);
  const dryRun = options.dryRun === true;
  const dir = dryRun ? resolveLibraryDir(libraryDir) : await ensureLibrary(libraryDir);
  const exists = !dryRun || (await isRepositoryRoot(dir));
  const manifest = exists ? await readMainManifest(dir) : undefined;
  const plan = await planProposal(candidate, { dir: exists ? dir : undefined, manifest, db: options.db, now: options.now ?? new Date() });
  const proposal: Proposal = {
    status: plan.unchanged ? 'unchanged' : 'proposed',
    dryRun,
    name: candidate.name,
    version: plan.version,
    previousVersion: plan.previousVersion,
    bump: plan.bump,
    branch: plan.branch,
    libraryDir: dir,
    files: plan.files,
    removed: plan.removed,
    commitMessage: plan.commitMessage,
    title: plan.title,
    body: plan.body,
    pushed: false,
    prOpened: false,
    nextSteps: [],
  };
  if (plan.unchanged || dryRun) return proposal;

  const mainTip = await resolveCommit(dir, MAIN_REF);
  if (!mainTip) throw new Error(`the library repository ${dir} has no ${MAIN_REF}`);
  // Proposing a version again (its members changed before a reviewer merged it) adds a commit to
  // its branch, with main as a second parent when main moved, so the push fast-forwards the PR.
  const oldTip = await resolveCommit(dir, `refs/heads/${plan.branch}`);
  const parents = !oldTip ? [mainTip] : (await gitOk(dir, ['merge-base', '--is-ancestor', mainTip, oldTip])) ? [oldTip] : [oldTip, mainTip];
  const { commit } = await commitToBranch(dir, {
    base: mainTip,
    parents,
    remove: plan.removed,
    files: plan.files,
    message: plan.commitMessage,
    branch: plan.branch,
    expectedOld: oldTip,
  });
  proposal.commit = commit;

  Object.assign(
    proposal,
    await publishProposal({ dir, name: candidate.name, version: plan.version, branch: plan.branch, title: plan.title, body: plan.body, github: options.github, remote: options.remote }),
  );

  if (options.db) {
    proposal.promotionId = await recordProposal(options.db, {
      clusterId: candidate.clusterId,
      membersHash: candidate.membersHash,
      name: candidate.name,
      version: plan.version,
      branch: plan.branch,
      libraryDir: dir,
      commit,
      prUrl: proposal.prUrl,
      support: candidate.support,
      coverage: candidate.coverage,
      gain: candidate.gain,
      evidence: {
        title: plan.title,
        body: plan.body,
        commitMessage: plan.commitMessage,
        bump: plan.bump,
        previousVersion: plan.previousVersion ?? null,
        successRate: candidate.successRate,
        sourceRunIds: candidate.sourceRunIds,
        replay: candidate.replay,
        expectedSavings: candidate.expectedSavings,
        files: plan.files.map((f) => f.path),
        removed: plan.removed,
        ...(proposal.publishError ? { publishError: proposal.publishError } : {}),
      },
    });
  }
  return proposal;
}
