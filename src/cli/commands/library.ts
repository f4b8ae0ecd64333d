/**
 * `accrete library list|show NAME|stats`: the functions promoted into the library repository, their
 * versions and evidence, and how later runs use them.
 */
import type { Command } from 'commander';
import type { Database } from '../../db/connection.js';
import { libraryUsage, promotionsOf } from '../../db/queries.js';
import { listPromotions, readMainManifest, syncPromotions, type LibraryListRow } from '../../../miner/promote/index.js';
import { MAIN_BRANCH, sourcePath } from '../../library/format.js';
import { showFile } from '../../library/git.js';
import { libraryDir } from '../config.js';
import { UsageError } from '../errors.js';
import { table } from '../format.js';
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
  return library;
}

export interface LibraryStatsRow {
  name: string;
  version: string | null;
  status: string;
  calls: number;
  runs: number;
  successRate: number | null;
  /** Mean model calls made inside one call of the function. */
  llmCallsPerCall: number | null;
  /** Estimated against the cluster's member runs: (members' mean − callers' mean) × calling runs. */
  llmCallsSaved: number | null;
  rootOutputTokensSaved: number | null;
  lastUsed: string | null;
  /** Unused for longer than the threshold (or never used since merged): a candidate for retirement. */
  flaggedForRetirement: boolean;
}

/** Usage of each library function, from the lib_calls log and the promotions it came from. */
export async function libraryStats(database: Database, libraryDir: string, unusedDays = 30): Promise<LibraryStatsRow[]> {
  await syncPromotions(database, libraryDir);
  const rows = await libraryUsage(database);
  const cutoff = Date.now() - unusedDays * 86_400_000;
  return rows.map((r) => {
    const saved = (members: number | null, callers: number | null) => (members !== null && callers !== null && r.runs > 0 ? Math.round((members - callers) * r.runs) : null);
    const lastUsed = r.last_used ? new Date(r.last_used) : null;
    return {
      name: r.name,
      version: r.version,
      status: r.status,
      calls: r.calls,
      runs: r.runs,
      successRate: r.calls > 0 ? r.ok / r.calls : null,
      llmCallsPerCall: r.calls > 0 ? r.inner_calls / r.calls : null,
      llmCallsSaved: saved(r.members_llm, r.callers_llm),
      rootOutputTokensSaved: saved(r.members_root_out, r.callers_root_out),
      lastUsed: lastUsed?.toISOString() ?? null,
      flaggedForRetirement: r.status === 'merged' && (lastUsed ?? new Date(r.since)).getTime() < cutoff,
    };
  });
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

function registerShowFunction(library: Command): void {
  const show = library.command('show').description("a function: its doc, signature, versions and evidence, and its source on the library's main branch").argument('<name>');
  withJson(withDb(withLibrary(show)));
  show.action(async (name: string, opts: LibraryListOptions) => {
    const dir = libraryDir(opts.library);
    const database = await openDbFromOptions(opts);
    try {
      await syncPromotions(database, dir);
      const manifest = await readMainManifest(dir);
      const entry = manifest?.functions[name];
      const promotions = await promotionsOf(database, name);
      if (!entry && promotions.length === 0) throw new UsageError(`no library function ${name} (see accrete library list)`);
      const source = entry ? ((await showFile(dir, MAIN_BRANCH, sourcePath(name)))?.toString('utf8') ?? null) : null;
      if (opts.json) {
        printJson({ name, merged: entry ?? null, promotions, source });
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
