/** `accrete ui`: the read-only web viewer over the database, on 127.0.0.1, until Ctrl-C. */
import { type Command, Option } from 'commander';
import { startViewer } from '../../ui/server.js';
import { libraryDir } from '../config.js';
import { UsageError } from '../errors.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';

export const UI_DESCRIPTION = 'a read-only web viewer over the database (runs, run trees, clusters, library) on 127.0.0.1; runs until Ctrl-C';

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new UsageError(`--port must be a port number from 0 to 65535 (got "${value}"; 0 picks a free one)`);
  return n;
}

export function registerUi(program: Command): void {
  const cmd = program
    .command('ui')
    .description(UI_DESCRIPTION)
    .addOption(new Option('--port <n>', 'port on 127.0.0.1 (0: any free port)').default(7878).argParser(port));
  cmd.option('--library <dir>', "the library git repository, for a function's source on main (default: $ACCRETE_LIBRARY_DIR or ./.accrete/library)");
  withJson(withDb(cmd), 'print {url} once the viewer listens (notes go to stderr)');
  cmd.addHelpText(
    'after',
    `
The viewer only reads. On the embedded database it holds the database's lock while it runs, so
other accrete commands on the same database (run, mine, ...) are refused until Ctrl-C here; with a
Postgres server (DATABASE_URL or --db postgres://...) they run side by side and a run in progress
updates live.`,
  );
  cmd.action(async (opts: { port: number; db?: string; library?: string; json?: boolean }) => {
    const database = await openDbFromOptions(opts);
    let viewer;
    try {
      viewer = await startViewer(database, { port: opts.port, libraryDir: libraryDir(opts.library) });
    } catch (err) {
      await database.close();
      throw err;
    }
    const note =
      database.kind === 'pglite'
        ? `accrete ui: holding the embedded database ${database.location} while it runs: other accrete commands on it are refused until you stop it (Ctrl-C); use a Postgres server (DATABASE_URL) to watch runs live\n`
        : `accrete ui: reading ${database.location}\n`;
    if (opts.json) {
      process.stderr.write(note);
      printJson({ url: viewer.url });
    } else {
      process.stdout.write(`accrete ui: serving ${viewer.url} (read-only). Ctrl-C stops it.\n`);
      process.stderr.write(note);
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await viewer.close();
    await database.close();
  });
}
