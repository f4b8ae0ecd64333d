/**
 * `accrete show RUN`: a run's trajectory as a tree (or as exported JSON). With --full, also what the
 * run received: the exact system prompt (logged with the first root-model call of each run, and
 * carried by export/import in its model calls) and the library functions it listed.
 */
import type { Command } from 'commander';
import { listedNames } from '../../contracts/listing.js';
import type { Database } from '../../db/connection.js';
import { findRunsByPrefix, runTree, type RunRow } from '../../db/queries.js';
import { type ExportedRun, exportRuns } from '../../trace/interchange.js';
import { UsageError } from '../errors.js';
import { indent, ms, num, truncate } from '../format.js';
import { openDbFromOptions, printJson, withDb, withJson } from '../options.js';

/** The run with this id or unique prefix; a UsageError saying what to do when there is none or more than one. */
export async function findRun(database: Database, idOrPrefix: string): Promise<RunRow> {
  if (!/^[0-9a-f-]{4,36}$/i.test(idOrPrefix)) throw new UsageError(`"${idOrPrefix}" is not a run id (see accrete runs)`);
  const matches = await findRunsByPrefix(database, idOrPrefix);
  if (matches.length === 0) throw new UsageError(`no run ${idOrPrefix} in this database (see accrete runs)`);
  if (matches.length > 1) throw new UsageError(`${idOrPrefix} matches more than one run; give more of the id`);
  return matches[0];
}

/** A run as `accrete show --json` prints it: as exported, with what it received when `full`. */
export async function exportedRun(database: Database, run: RunRow, full: boolean): Promise<ExportedRun | WithReceived | null> {
  for await (const r of exportRuns(database, { withContext: false, rootRunId: run.rootRunId })) {
    if (r.id === run.rootRunId) {
      const found = findIn(r, run.id);
      return (found && full ? withReceived(found) : found) ?? null;
    }
  }
  return null;
}

export function registerShow(program: Command): void {
  const cmd = program
    .command('show')
    .description('a run\'s trajectory as a tree: steps, code, output, sub-calls and sub-runs')
    .argument('<run-id>', 'the run id (or a unique prefix)')
    .option('--full', 'do not shorten code, output and model replies; show the exact system prompt and the library listing each run received');
  withJson(withDb(cmd), 'print the run as exported (steps, programs, model calls, sub-runs); with --full each run also has received: {systemPrompt, listed, libraryCommit}');
  cmd.action(async (id: string, opts: { db?: string; json?: boolean; full?: boolean }) => {
    const database = await openDbFromOptions(opts);
    try {
      const run = await findRun(database, id);
      if (opts.json) {
        printJson(await exportedRun(database, run, Boolean(opts.full)));
        return;
      }
      process.stdout.write(`${await renderTree(database, run, Boolean(opts.full))}\n`);
    } finally {
      await database.close();
    }
  });
}

/** What a run received: the system prompt of its first root-model call and the functions it listed. */
export interface Received {
  /** null when no root-model call was logged (e.g. an imported minimal record). */
  systemPrompt: string | null;
  listed: string[];
  libraryCommit: string | null;
}

/** The system prompt of a run's first root-model call, from its logged model calls. */
export function receivedOf(calls: readonly { kind: string; seq: number; requestMessages: readonly { role: string; content: string }[] }[], libraryCommit: string | null): Received {
  const first = calls.filter((c) => c.kind === 'root').sort((a, b) => a.seq - b.seq)[0];
  const systemPrompt = first?.requestMessages.find((m) => m.role === 'system')?.content ?? null;
  return { systemPrompt, listed: systemPrompt ? listedNames(systemPrompt) : [], libraryCommit };
}

export type WithReceived = Omit<ExportedRun, 'subRuns'> & { received: Received; subRuns: WithReceived[] };

function withReceived(r: ExportedRun): WithReceived {
  return {
    ...r,
    received: receivedOf(r.modelCalls, r.libraryCommit ?? null),
    subRuns: r.subRuns.map(withReceived),
  };
}

function findIn<T extends { id: string; subRuns: T[] }>(r: T, id: string): T | undefined {
  if (r.id === id) return r;
  for (const s of r.subRuns) {
    const f = findIn(s, id);
    if (f) return f;
  }
  return undefined;
}

const clip = (s: string, full: boolean, n = 1_500) => (full || s.length <= n ? s : `${s.slice(0, n)}\n… [${num(s.length - n)} more characters]`);

async function renderTree(database: Database, run: RunRow, full: boolean): Promise<string> {
  const { runs: tree, steps: stepRows, programs: programRows, llmCalls: callRows } = await runTree(database, run.rootRunId);
  const out: string[] = [];
  const renderRun = (r: RunRow, pad: string) => {
    out.push(`${pad}run ${r.id}  ${r.status}${r.depth > 0 ? `  (sub-run, depth ${r.depth})` : ''}`);
    out.push(`${pad}  query: ${truncate(r.query, 200)}`);
    const meta = r.metadata as { language?: unknown; original?: { file?: unknown } } | null;
    if (typeof meta?.language === 'string') out.push(`${pad}  language: ${meta.language}${typeof meta.original?.file === 'string' ? ` (imported from ${meta.original.file})` : ''}`);
    out.push(`${pad}  models: ${r.rootModel ?? '-'} / ${r.subModel ?? '-'}   iterations ${r.iterations} · model calls ${r.llmCalls} · tokens ${num(r.inputTokens)} in / ${num(r.outputTokens)} out · $${r.costUsd.toFixed(4)} · ${ms(r.durationMs)}`);
    const received = receivedOf(callRows.filter((c) => c.runId === r.id), r.libraryCommit);
    if (r.libraryCommit) out.push(`${pad}  library: ${r.libraryCommit.slice(0, 12)} · listed: ${received.listed.join(', ') || '(none relevant to the query)'}`);
    if (r.error) out.push(`${pad}  error: ${r.error}`);
    if (full) {
      if (received.systemPrompt === null) out.push(`${pad}  system prompt: (not logged: no root-model call was recorded for this run)`);
      else out.push(`${pad}  system prompt (${num(received.systemPrompt.length)} chars, exactly as sent):`, indent(received.systemPrompt, `${pad}  ┆ `));
    }
    for (const s of stepRows.filter((x) => x.runId === r.id)) {
      out.push(`${pad}  ├─ step ${s.idx + 1} (${ms(s.durationMs)})`);
      const root = callRows.find((c) => c.runId === r.id && c.kind === 'root' && c.seq >= 0 && c.response === s.response);
      if (root) out.push(`${pad}  │   root model: ${num(root.inputTokens)} in / ${num(root.outputTokens)} out · ${ms(root.latencyMs)}`);
      const stepPrograms = programRows.filter((p) => p.stepId === s.id);
      if (stepPrograms.length === 0) out.push(indent(clip(s.response, full, 600), `${pad}  │   > `));
      if (s.error && stepPrograms.length === 0) out.push(`${pad}  │   note: ${s.error}`);
      for (const p of stepPrograms) {
        out.push(`${pad}  │   code [${p.status}${p.llmCallCount ? `, ${p.llmCallCount} model calls` : ''}, ${ms(p.durationMs)}]:`);
        out.push(indent(clip(p.code, full), `${pad}  │     `));
        if (p.output) out.push(`${pad}  │   output (${num(p.outputChars)} chars):`, indent(clip(p.output, full), `${pad}  │     `));
        if (p.error) out.push(`${pad}  │   error: ${p.error.split('\n').join(`\n${pad}  │     `)}`);
        if (p.result !== null) out.push(`${pad}  │   FINAL: ${clip(p.result, full, 500)}`);
        const subs = callRows.filter((c) => c.programId === p.id && c.kind === 'sub');
        for (const c of subs.slice(0, full ? subs.length : 8)) {
          const q = c.requestMessages.find((m) => m.role === 'user')?.content ?? '';
          out.push(`${pad}  │   ├─ llm [${c.status}] ${truncate(q, 80)} → ${truncate(c.response ?? c.error ?? '', 60)}`);
        }
        if (!full && subs.length > 8) out.push(`${pad}  │   └─ … ${subs.length - 8} more sub-calls (--full shows all)`);
        for (const child of tree.filter((t) => t.parentRunId === r.id && (t.metadata as { parentProgramId?: string } | null)?.parentProgramId === p.id)) {
          renderRun(child, `${pad}  │   `);
        }
      }
    }
    if (r.answer !== null) out.push(`${pad}  └─ answer: ${clip(r.answer, full, 800)}`);
  };
  renderRun(run, '');
  return out.join('\n');
}
