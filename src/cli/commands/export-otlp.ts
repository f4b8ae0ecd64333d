/** `accrete export --otlp`: stored runs sent as OpenTelemetry traces, run tree by run tree (src/trace/otel.ts). */
import type { Database } from '../../db/connection.js';
import { findRunsByPrefix } from '../../db/queries.js';
import { OtlpTraceSender, sendStoredRuns, storedRootRunIds } from '../../trace/otel.js';
import { UsageError } from '../errors.js';
import { printJson } from '../options.js';

/** Root run ids for run ids or unique prefixes (a sub-run stands for its root run). */
async function rootsOf(database: Database, ids: string[]): Promise<string[]> {
  const roots: string[] = [];
  for (const id of ids) {
    const matches = /^[0-9a-f-]{4,36}$/i.test(id) ? await findRunsByPrefix(database, id) : [];
    if (matches.length === 0) throw new UsageError(`no run ${id} in this database (see accrete runs)`);
    if (matches.length > 1) throw new UsageError(`${id} matches more than one run; give more of the id`);
    if (!roots.includes(matches[0].rootRunId)) roots.push(matches[0].rootRunId);
  }
  return roots;
}

export async function exportOtlp(database: Database, ids: string[], opts: { since?: Date; limit?: number; endpoint?: string; json?: boolean }): Promise<void> {
  const roots = ids.length > 0 ? await rootsOf(database, ids) : await storedRootRunIds(database, opts);
  const sender = new OtlpTraceSender({ endpoint: opts.endpoint, onError: () => {} });
  const where = sender.url ?? 'the endpoint the OTEL_* variables name (default http://localhost:4318/v1/traces)';
  const progress = process.stderr.isTTY && !opts.json;
  const spans = await sendStoredRuns(database, roots, sender, (done) => {
    if (progress) process.stderr.write(`\rsent ${done}/${roots.length} runs`);
  });
  await sender.shutdown().catch(() => {});
  if (progress) process.stderr.write('\n');
  const { sent, failed, firstError } = sender.counts;
  if (opts.json) printJson({ runs: roots.length, spans, sent, failed, error: firstError ?? null });
  else if (failed === 0) process.stdout.write(`sent ${roots.length} runs (${spans} spans) to ${where}\n`);
  else process.stderr.write(`accrete: ${failed} of ${spans} spans could not be sent to ${where}: ${firstError}\n`);
  if (failed > 0) process.exitCode = 1;
}
