/**
 * `accrete doctor`: the database, the spool of records written while it was unreachable, the
 * quarantine of records the database rejected (kept with the reason, never replayed), the model
 * configuration.
 */
import type { Command } from 'commander';
import { type InterruptedRun, recoverInterruptedRuns } from '../../db/interrupted.js';
import { countRuns } from '../../db/queries.js';
import { hasOpenAIConfig } from '../../models/resolve.js';
import { dbLocation, openaiConfig } from '../config.js';
import { DEFAULT_SPOOL_DIR, listQuarantine, listSpool, quarantineDirFor, reason, replaySpool } from '../../trace/writer.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';

export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .description('check the database, the spool of records written while it was unreachable, and the model configuration; replays the spool')
    .option('--spool-dir <dir>', 'the spool directory', DEFAULT_SPOOL_DIR)
    .option('--no-replay', 'only report the spool, do not replay it')
    .option('--no-fix', 'only report runs left running by a process that is gone, do not mark them interrupted');
  withJson(withDb(cmd));
  cmd.action(async (opts: { db?: string; json?: boolean; spoolDir: string; replay: boolean; fix: boolean }) => {
    const report: Record<string, unknown> = { database: dbLocation(opts.db) };
    const pending = listSpool(opts.spoolDir);
    report.spool = { dir: opts.spoolDir, files: pending.length, records: pending.reduce((n, f) => n + f.records, 0) };
    const quarantinedBefore = listQuarantine(opts.spoolDir);
    const openaiConfigured = hasOpenAIConfig(openaiConfig(), {});
    report.models = { openaiConfigured };
    let ok = true;
    try {
      const database = await openDbFromOptions(opts);
      try {
        report.runs = await countRuns(database);
        report.databaseOk = true;
        if (opts.replay && pending.length > 0) report.replayed = await replaySpool(database, opts.spoolDir);
        // After the replay: what a dead process spooled counts in its runs' totals.
        const orphans = await recoverInterruptedRuns(database, { exclusive: database.kind === 'pglite', dryRun: !opts.fix });
        report.interrupted = { fixed: opts.fix, runs: orphans };
      } finally {
        await database.close();
      }
    } catch (err) {
      ok = false;
      report.databaseOk = false;
      report.error = reason(err);
    }
    const quarantined = listQuarantine(opts.spoolDir);
    report.quarantine = {
      dir: quarantineDirFor(opts.spoolDir),
      files: quarantined.length,
      records: quarantined.reduce((n, f) => n + f.records, 0),
      new: quarantined.reduce((n, f) => n + f.records, 0) - quarantinedBefore.reduce((n, f) => n + f.records, 0),
    };
    if (opts.json) printJson(report);
    else {
      const spool = report.spool as { files: number; records: number };
      process.stdout.write(
        [
          `database: ${report.database} — ${report.databaseOk ? `ok, ${report.runs} runs` : `NOT reachable: ${report.error}`}`,
          `spool: ${spool.records} records in ${spool.files} files${report.replayed ? ` — replayed ${(report.replayed as { records: number }).records}` : ''}`,
          quarantineLine(report.quarantine as { dir: string; records: number; new: number }),
          ...interruptedLines(report.interrupted as { fixed: boolean; runs: InterruptedRun[] } | undefined),
          `models: ${openaiConfigured ? 'an OpenAI-compatible endpoint is configured' : 'no OPENAI_API_KEY / OPENAI_BASE_URL: use --model sim:root for the simulated models'}`,
        ].join('\n') + '\n',
      );
    }
    if (!ok) process.exitCode = 1;
  });
}

function interruptedLines(r: { fixed: boolean; runs: InterruptedRun[] } | undefined): string[] {
  if (!r) return [];
  if (r.runs.length === 0) return ['runs: none left running by a process that is gone'];
  const n = r.runs.length;
  return [
    `runs: ${n} left running by a process that is gone — ${r.fixed ? 'marked interrupted with the totals that were logged' : 'not changed (--no-fix); run accrete doctor to mark them interrupted'}`,
    ...r.runs.map((x) => `  ${x.id}  ${x.iterations} iterations · ${x.llmCalls} model calls · ${x.inputTokens + x.outputTokens} tokens — ${x.reason}`),
  ];
}

function quarantineLine(q: { dir: string; records: number; new: number }): string {
  if (q.records === 0) return 'quarantine: empty (no record was rejected by the database)';
  return (
    `quarantine: ${q.records} record${q.records === 1 ? '' : 's'} the database rejected${q.new > 0 ? ` (${q.new} from this replay)` : ''}, ` +
    `kept with the reason in ${q.dir}; they are not replayed: read them, fix or drop them, then delete the files`
  );
}
