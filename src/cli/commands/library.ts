/**
 * `accrete library list|show NAME|stats|review|merge NAME[@VERSION]|retire NAME`: the functions
 * promoted into the library repository, their versions and evidence, how later runs use them, and
 * the reviewer's acts on them (merging a proposal into main, retiring a merged function).
 */
import type { Command } from 'commander';
import type { Database } from '../../db/connection.js';
import { libraryUsageStats, promotionsOf, type LibraryStatsRow } from '../../db/queries.js';
import {
  listPromotions,
  mergeProposal,
  readMainManifest,
  retireFunction,
  reviewProposals,
  ReviewRefusal,
  syncPromotions,
  type LibraryListRow,
  type OpenProposal,
} from '../../../miner/promote/index.js';
import { MAIN_BRANCH, sourcePath } from '../../library/format.js';
import { showFile } from '../../library/git.js';
import { libraryDir } from '../config.js';
import { UsageError } from '../errors.js';
import { indent, table } from '../format.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';

export interface LibraryListOptions {
  library?: string;
  db?: string;
  json?: boolean;
}

/** Adds `--library DIR` (the library repository). */
export function withLibrary(cmd: Command): Command {
  return cmd.option('--library <dir>', 'the library git repository (default: $ACCRETE_LIBRARY_DIR or ./.accrete/library)');
}

/** Each function's newest version in this library, after following its main branch (merged, retired). */
export async function listLibrary(database: Database, libraryDir: string): Promise<LibraryListRow[]> {
  await syncPromotions(database, libraryDir);
  return listPromotions(database, libraryDir);
}

export function renderLibraryList(rows: LibraryListRow[]): string {
  if (rows.length === 0) return 'No functions proposed to this library yet: `accrete mine` proposes recurring programs as library functions.';
  return table(
    rows.map((r) => [r.name, r.version, r.status, String(r.support), `${Math.round(r.coverage * 100)}%`, String(Math.round(r.gain)), r.branch]),
    ['name', 'version', 'status', 'support', 'coverage', 'gain', 'branch'],
  );
}

/** The action of `accrete library list`. */
export async function libraryListAction(opts: LibraryListOptions): Promise<void> {
  const database = await openDbFromOptions(opts);
  try {
    const rows = await listLibrary(database, libraryDir(opts.library));
    if (opts.json) printJson(rows);
    else process.stdout.write(`${renderLibraryList(rows)}\n`);
  } finally {
    await database.close();
  }
}

/** Registers `library` (with `list`) and returns it, so that more subcommands can be attached. */
export function registerLibrary(program: Command): Command {
  const library = program.command('library').description('functions promoted from recurring programs into the library repository');
  const list = library
    .command('list')
    .description("each function's newest proposed version and its status (proposed, merged, retired), after reading the library's main branch");
  withJson(withDb(withLibrary(list)), 'print [{name, version, status, support, coverage, gain, branch}]');
  list.action(libraryListAction);
  registerShowFunction(library);
  registerStats(library);
  registerReview(library);
  registerMerge(library);
  registerRetire(library);
  return library;
}

/** Usage of each library function, after following the library's main branch (merged, retired). */
export async function libraryStats(database: Database, libraryDir: string, unusedDays = 30): Promise<LibraryStatsRow[]> {
  await syncPromotions(database, libraryDir);
  return libraryUsageStats(database, unusedDays);
}

function registerStats(library: Command): void {
  const stats = library
    .command('stats')
    .description('calls per function, distinct runs, success rate, model calls and root-model tokens saved (estimated against the cluster the function came from); flags functions unused for a while')
    .option('--unused-days <n>', 'flag merged functions unused for this many days for retirement', '30');
  withJson(withDb(withLibrary(stats)));
  stats.action(async (opts: LibraryListOptions & { unusedDays: string }) => {
    const database = await openDbFromOptions(opts);
    try {
      const rows = await libraryStats(database, libraryDir(opts.library), Number(opts.unusedDays) || 30);
      if (opts.json) {
        printJson(rows);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('No library functions yet.\n');
        return;
      }
      const pct = (x: number | null) => (x === null ? '-' : `${Math.round(x * 100)}%`);
      process.stdout.write(
        `${table(
          rows.map((r) => [r.name, r.version ?? '-', r.status, String(r.calls), String(r.runs), pct(r.successRate), r.llmCallsSaved === null ? '-' : String(r.llmCallsSaved), r.rootOutputTokensSaved === null ? '-' : String(r.rootOutputTokensSaved), r.lastUsed?.slice(0, 10) ?? 'never', r.flaggedForRetirement ? 'retire?' : '']),
          ['name', 'version', 'status', 'calls', 'runs', 'success', 'calls saved', 'root out tokens saved', 'last used', ''],
        )}\n`,
      );
    } finally {
      await database.close();
    }
  });
}

/** A function of the library: its manifest entry on main (null when not merged), every promotion, its source on main. */
export async function libraryFunction(database: Database, dir: string, name: string) {
  await syncPromotions(database, dir);
  const manifest = await readMainManifest(dir);
  const merged = manifest?.functions[name] ?? null;
  const promotions = await promotionsOf(database, name);
  if (!merged && promotions.length === 0) throw new UsageError(`no library function ${name} (see accrete library list)`);
  const source = merged ? ((await showFile(dir, MAIN_BRANCH, sourcePath(name)))?.toString('utf8') ?? null) : null;
  return { name, merged, promotions, source };
}

function registerShowFunction(library: Command): void {
  const show = library.command('show').description("a function: its doc, signature, versions and evidence, and its source on the library's main branch").argument('<name>');
  withJson(withDb(withLibrary(show)));
  show.action(async (name: string, opts: LibraryListOptions) => {
    const dir = libraryDir(opts.library);
    const database = await openDbFromOptions(opts);
    try {
      const { merged: entry, promotions, source } = await libraryFunction(database, dir, name);
      if (opts.json) {
        printJson({ name, merged: entry, promotions, source });
        return;
      }
      const latest = entry?.versions.find((v) => v.version === entry.version);
      const lines = [`${name} ${entry ? `${entry.version} (merged)` : '(not merged yet)'}`];
      if (latest) lines.push(`  ${latest.signature}`, `  ${latest.doc}`, `  cluster ${latest.clusterId} · support ${latest.support} · success ${Math.round(latest.successRate * 100)}% · coverage ${Math.round(latest.coverage * 100)}% · gain ${Math.round(latest.gain)} tokens`, `  skeleton: ${latest.skeleton}`);
      lines.push('  versions:', ...promotions.map((p) => `    ${p.version}  ${p.status}  ${p.branch}${p.pr_url ? `  ${p.pr_url}` : ''}`));
      if (source) lines.push('', source);
      process.stdout.write(`${lines.join('\n')}\n`);
    } finally {
      await database.close();
    }
  });
}

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The human form of `accrete library review`: evidence first, then the diff against main. */
export function renderReview(proposals: OpenProposal[], dir: string, full = false): string {
  if (proposals.length === 0) return `No open proposals in ${dir}: \`accrete mine\` proposes recurring programs as library functions.`;
  const out: string[] = [`${proposals.length} open proposal${proposals.length === 1 ? '' : 's'} in ${dir}`];
  for (const p of proposals) {
    out.push('', `${p.name} ${p.version}  ${p.onMain ? `(replaces ${p.onMain} on main)` : '(new)'}  ${p.branch}`);
    if (p.signature) out.push(`  lib.${p.name}${p.signature}`);
    if (p.doc) out.push(indent(p.doc.trim(), '  │ '));
    out.push(
      `  evidence: cluster ${p.clusterId} · support ${p.support} runs · ${p.successRate === null ? '' : `success ${pct(p.successRate)} · `}coverage ${pct(p.coverage)} · gain ${Math.round(p.gain)} tokens`,
      `  member runs: ${p.memberRuns.length ? p.memberRuns.map((id) => id.slice(0, 8)).join(' ') : '(none recorded)'}`,
    );
    if (p.prUrl) out.push(`  pull request: ${p.prUrl}`);
    if (p.behindMain) out.push(`  main has ${p.behindMain} commit${p.behindMain === 1 ? '' : 's'} since this proposal branched off`);
    out.push(p.mergeable ? `  merge: accrete library merge ${p.name}@${p.version}` : `  cannot merge: ${p.blocked ?? 'unknown'}`);
    if (p.diffStat) out.push('  diff against main:', indent(p.diffStat, '    '));
    if (p.diff) {
      const diffLines = p.diff.trimEnd().split('\n');
      const shown = full ? diffLines : diffLines.slice(0, 80);
      out.push(indent(shown.join('\n'), '    '));
      if (shown.length < diffLines.length) out.push(`    … ${diffLines.length - shown.length} more lines (--full shows all; fixtures are in the stat only)`);
    }
  }
  return out.join('\n');
}

/** A refusal of merge/retire is the user's to fix: a usage error that says why. */
async function refusalsAsUsage<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof ReviewRefusal ? new UsageError(err.message) : err;
  }
}

function registerReview(library: Command): void {
  const review = library
    .command('review')
    .description("the open proposals with their evidence: support, coverage, gain, member runs, the function's doc and signature, and the diff of its branch against main")
    .option('--full', 'show every line of each diff');
  withJson(withDb(withLibrary(review)), 'print [{name, version, branch, support, coverage, gain, successRate, memberRuns, doc, signature, onMain, mergeable, blocked, diffStat, diff, ...}]');
  review.addHelpText('after', '\nThen: accrete library merge NAME[@VERSION] merges one into the library\'s main (or merge its pull request on GitHub).');
  review.action(async (opts: LibraryListOptions & { full?: boolean }) => {
    const dir = libraryDir(opts.library);
    const database = await openDbFromOptions(opts);
    try {
      const proposals = await reviewProposals(database, dir);
      if (opts.json) printJson(proposals);
      else process.stdout.write(`${renderReview(proposals, dir, Boolean(opts.full))}\n`);
    } finally {
      await database.close();
    }
  });
}

/** `NAME` or `NAME@VERSION`. */
export function parseFunctionRef(ref: string): { name: string; version?: string } {
  const m = /^([A-Za-z_$][\w$]*)(?:@(\d+\.\d+\.\d+))?$/.exec(ref.trim());
  if (!m) throw new UsageError(`"${ref}" is not NAME or NAME@VERSION (e.g. countMentions@1.2.0)`);
  return { name: m[1], version: m[2] };
}

function registerMerge(library: Command): void {
  const merge = library
    .command('merge')
    .description("merge a proposal into the local library's main (the reviewer's act): a merge commit of its branch; later runs load it")
    .argument('<name[@version]>', 'the function, and the proposed version (default: its newest open proposal)');
  withJson(withDb(withLibrary(merge)), 'print {name, version, branch, commit, previousVersion}');
  merge.addHelpText(
    'after',
    `
Refused (exit 2, nothing changed) when the name or version is unknown, it is already merged, a newer
version is on main, main changed the same files, or the library has uncommitted changes. A library
checked out on main has its work tree fast-forwarded. On GitHub, merge the pull request instead.`,
  );
  merge.action(async (ref: string, opts: LibraryListOptions) => {
    const { name, version } = parseFunctionRef(ref);
    const dir = libraryDir(opts.library);
    const database = await openDbFromOptions(opts);
    try {
      const r = await refusalsAsUsage(() => mergeProposal(database, dir, name, version));
      if (opts.json) printJson(r);
      else process.stdout.write(`Merged ${r.name} ${r.version} into main (${r.commit.slice(0, 12)})${r.previousVersion ? `, replacing ${r.previousVersion}` : ''}; later runs can call lib.${r.name}(...).\n`);
    } finally {
      await database.close();
    }
  });
}

function registerRetire(library: Command): void {
  const retire = library
    .command('retire')
    .description('take a merged function off the library\'s main (a commit removing its source, tests and manifest entry): runs no longer load it')
    .argument('<name>', 'the function')
    .option('--reason <text>', 'why, for the commit message');
  withJson(withDb(withLibrary(retire)), 'print {name, version, commit, removed}');
  retire.addHelpText('after', '\nRefused (exit 2, nothing changed) when the function is not on main or the library has uncommitted changes.\nA pin (--library-pin NAME@VERSION) still loads a retired version from main\'s history.');
  retire.action(async (name: string, opts: LibraryListOptions & { reason?: string }) => {
    const dir = libraryDir(opts.library);
    const database = await openDbFromOptions(opts);
    try {
      const r = await refusalsAsUsage(() => retireFunction(database, dir, parseFunctionRef(name).name, opts.reason));
      if (opts.json) printJson(r);
      else process.stdout.write(`Retired ${r.name} ${r.version} (${r.commit.slice(0, 12)}): runs no longer load it.\n`);
    } finally {
      await database.close();
    }
  });
}
