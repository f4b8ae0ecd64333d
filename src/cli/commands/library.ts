/**
 * `accrete library ...`: the functions promoted into the library repository. `list` is here;
 * registerLibrary returns the parent command so further subcommands can be attached to it.
 */
import type { Command } from 'commander';
import type { Database } from '../../db/connection.js';
import { listPromotions, resolveLibraryDir, syncPromotions, type LibraryListRow } from '../../../miner/promote/index.js';
import { table } from '../format.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';

export interface LibraryListOptions {
  library?: string;
  db?: string;
  json?: boolean;
}

/** Adds `--library DIR` (the library repository). */
export function withLibrary(cmd: Command): Command {
  return cmd.option('--library <dir>', 'the library git repository (default: $ACCRETE_LIBRARY_DIR or ./library)');
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
    const rows = await listLibrary(database, resolveLibraryDir(opts.library));
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
  return library;
}
