/** `accrete library ...`: the promoted functions. `list` here; other subcommands attach to the parent. */
import type { Command } from 'commander';
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

/** The rows of `accrete library list`: promotions of this library after following its main branch. */
export async function libraryList(opts: LibraryListOptions): Promise<LibraryListRow[]> {
  const dir = resolveLibraryDir(opts.library);
  const database = await openDbFromOptions(opts);
  try {
    await syncPromotions(database, dir);
    return await listPromotions(database, dir);
  } finally {
    await database.close();
  }
}

function printRows(rows: LibraryListRow[]): void {
  if (rows.length === 0) {
    process.stdout.write('No functions proposed to this library yet. `accrete mine` proposes recurring programs as library functions.\n');
    return;
  }
  process.stdout.write(
    `${table(
      rows.map((r) => [r.name, r.version, r.status, String(r.support), `${Math.round(r.coverage * 100)}%`, String(Math.round(r.gain)), r.branch]),
      ['name', 'version', 'status', 'support', 'coverage', 'gain', 'branch'],
    )}\n`,
  );
}

/** Registers `library` and returns it, so that more subcommands (show, stats) can be attached. */
export function registerLibrary(program: Command): Command {
  const library = program.command('library').description('functions promoted from recurring programs into the library repository');
  const list = library
    .command('list')
    .description('each function\'s newest proposed version and its status (proposed, merged, retired), after reading the library\'s main branch');
  withJson(withDb(withLibrary(list)), 'print [{name, version, status, support, coverage, gain, branch}]');
  list.action(async (opts: LibraryListOptions) => {
    const rows = await libraryList(opts);
    if (opts.json) printJson(rows);
    else printRows(rows);
  });
  return library;
}
