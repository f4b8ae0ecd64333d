/**
 * JSONL interchange: one root run a line, with its steps, programs, model calls, context and
 * nested sub-runs. Import also takes the minimal record of logs from elsewhere:
 * {"id": "<uuid>", "query": "...", "status": "succeeded"|"failed", "answer": "...", "steps": [{"code": ["..."]}]}
 */
import { sha256, uuidFromText } from '../contracts/hash.js';
import { asc, eq, inArray } from 'drizzle-orm';
import { MODEL_CALL_NAMES } from '../contracts/sandbox-api.js';
import type { Database } from '../db/connection.js';
import { contexts, libCalls, llmCalls, programs, runs, steps, toolCalls } from '../db/schema.js';
import type { ContextRow, LibCallRow, LlmCallRow, ProgramRow, RunRow, StepRow, ToolCallRow, TraceRecord } from './records.js';
import { Redactor } from './redact.js';
import { describeWriteError, differencesFromStored, recordsProblem, withDates } from './import-check.js';
import { isRlmLogEntry, RlmLogReader } from './rlm-log.js';
import { sanitizeDeep } from './sanitize.js';
import { writeRecords } from './writer.js';

/** A call of a sandbox function that makes a model call (llm, recursive_llm, llmBatch, rlm). */
const CALLS_MODEL = new RegExp(`\\b(${MODEL_CALL_NAMES.join('|')})\\s*\\(`);

export const EXPORT_FORMAT = 'accrete.run/1';

type Jsonify<T> = { [K in keyof T]: T[K] extends Date | null | undefined ? string | null : T[K] };

export interface ExportedRun extends Omit<Jsonify<RunRow>, 'contextSha256'> {
  format: typeof EXPORT_FORMAT;
  context: { sha256: string; kind: string; sizeBytes: number; content?: string; encoding?: 'utf8' | 'base64' } | null;
  steps: Jsonify<StepRow>[];
  programs: Jsonify<ProgramRow>[];
  modelCalls: Jsonify<LlmCallRow>[];
  /** Calls of library functions (absent in exports from before the library existed). */
  libCalls?: Jsonify<LibCallRow>[];
  /** Calls of custom tools (absent in exports from before tools existed). */
  toolCalls?: Jsonify<ToolCallRow>[];
  subRuns: ExportedRun[];
}

function iso<T extends Record<string, unknown>>(row: T): Jsonify<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v instanceof Date ? v.toISOString() : v;
  return out as Jsonify<T>;
}

export interface ExportOptions {
  /** Include each context's content (base64); default true. */
  withContext?: boolean;
  /** Only runs started at or after this time. */
  since?: Date;
  limit?: number;
  /** Only this root run. */
  rootRunId?: string;
}

/** Yields exported root runs, oldest first. */
export async function* exportRuns(database: Database, options: ExportOptions = {}): AsyncGenerator<ExportedRun> {
  const db = database.db;
  const where = ['depth = 0'];
  const params: unknown[] = [];
  if (options.since) where.push(`started_at >= $${params.push(options.since.toISOString())}`);
  if (options.rootRunId) where.push(`id = $${params.push(options.rootRunId)}`);
  const roots = await database.query<{ id: string }>(
    `select id from runs where ${where.join(' and ')} order by started_at asc, id asc ${options.limit ? `limit ${Math.floor(options.limit)}` : ''}`,
    params,
  );
  for (const { id } of roots) {
    const tree = await db.select().from(runs).where(eq(runs.rootRunId, id));
    const ids = tree.map((r) => r.id);
    const [stepRows, programRows, callRows, libRows, toolRows] = await Promise.all([
      db.select().from(steps).where(inArray(steps.runId, ids)).orderBy(asc(steps.idx)),
      db.select().from(programs).where(inArray(programs.runId, ids)).orderBy(asc(programs.seq)),
      db.select().from(llmCalls).where(inArray(llmCalls.runId, ids)).orderBy(asc(llmCalls.seq)),
      db.select().from(libCalls).where(inArray(libCalls.runId, ids)).orderBy(asc(libCalls.createdAt)),
      db.select().from(toolCalls).where(inArray(toolCalls.runId, ids)).orderBy(asc(toolCalls.seq)),
    ]);
    const ctxShas = [...new Set(tree.map((r) => r.contextSha256).filter((s): s is string => Boolean(s)))];
    const ctxRows = ctxShas.length
      ? await db
          .select(
            options.withContext === false
              ? { sha256: contexts.sha256, kind: contexts.kind, sizeBytes: contexts.sizeBytes }
              : { sha256: contexts.sha256, kind: contexts.kind, sizeBytes: contexts.sizeBytes, content: contexts.content, encoding: contexts.encoding },
          )
          .from(contexts)
          .where(inArray(contexts.sha256, ctxShas))
      : [];
    const ctxBySha = new Map(ctxRows.map((c) => [c.sha256, c as NonNullable<ExportedRun['context']>]));
    const build = (run: (typeof tree)[number]): ExportedRun => {
      const { contextSha256, ...rest } = run;
      const c = contextSha256 ? ctxBySha.get(contextSha256) : undefined;
      return {
        format: EXPORT_FORMAT,
        ...iso(rest),
        context: c ?? null,
        steps: stepRows.filter((s) => s.runId === run.id).map(iso),
        programs: programRows.filter((p) => p.runId === run.id).map(({ seq: _seq, ...p }) => iso(p)),
        modelCalls: callRows.filter((c) => c.runId === run.id).map(iso),
        libCalls: libRows.filter((c) => c.runId === run.id).map(iso),
        toolCalls: toolRows.filter((c) => c.runId === run.id).map(iso),
        subRuns: tree.filter((r) => r.parentRunId === run.id).map(build),
      };
    };
    const root = tree.find((r) => r.id === id);
    if (root) yield build(root);
  }
}

export class ImportLineError extends Error {}

/** The formats `accrete import` reads, named in its errors. */
export const FORMATS_READ =
  'accrete reads: lines of `accrete export` (format accrete.run/1); minimal records {"id": "<uuid>", "query", "status", "answer", "steps": [{"code": ["..."]}]}; and the official RLM logger\'s JSONL ({"type": "metadata"} then {"type": "iteration"} lines, one file per completion)';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const STATUSES = new Set(['running', 'succeeded', 'failed', 'budget_exhausted', 'cancelled', 'interrupted']);

function need(cond: unknown, message: string): asserts cond {
  if (!cond) throw new ImportLineError(message);
}

const date = (v: unknown, fallback: Date): Date => {
  if (typeof v !== 'string' && typeof v !== 'number') return fallback;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? fallback : d;
};

/** The records of one line, validated; throws ImportLineError saying what is wrong. */
export function recordsOfLine(value: unknown): { rootId: string; records: TraceRecord[] } {
  need(value && typeof value === 'object' && !Array.isArray(value), `expected a JSON object; ${FORMATS_READ}`);
  const v = value as Record<string, unknown>;
  need(v.format === EXPORT_FORMAT || v.id !== undefined || v.query !== undefined || v.steps !== undefined, `not a format accrete reads; ${FORMATS_READ}`);
  need(typeof v.id === 'string' && UUID.test(v.id), '"id" must be a UUID');
  need(typeof v.query === 'string', '"query" must be a string');
  need(typeof v.status === 'string' && STATUSES.has(v.status), `"status" must be one of ${[...STATUSES].join(', ')}`);
  if (v.format === EXPORT_FORMAT) return { rootId: v.id, records: fullRecords(v as unknown as ExportedRun, v.id, null) };
  return { rootId: v.id, records: minimalRecords(v) };
}

function minimalRecords(v: Record<string, unknown>): TraceRecord[] {
  const runId = v.id as string;
  need(v.answer === undefined || v.answer === null || typeof v.answer === 'string', '"answer" must be a string');
  need(Array.isArray(v.steps), '"steps" must be an array of {"code": ["..."]}');
  const now = new Date();
  const startedAt = date(v.startedAt ?? v.started_at, now);
  const records: TraceRecord[] = [];
  const run: RunRow = {
    id: runId,
    rootRunId: runId,
    depth: 0,
    source: 'import',
    query: v.query as string,
    status: v.status as RunRow['status'],
    answer: (v.answer as string | undefined) ?? null,
    iterations: (v.steps as unknown[]).length,
    startedAt,
    endedAt: startedAt,
    metadata: typeof v.metadata === 'object' && v.metadata ? (v.metadata as Record<string, unknown>) : null,
  };
  records.push({ table: 'runs', row: run });
  (v.steps as unknown[]).forEach((s, stepIdx) => {
    need(s && typeof s === 'object' && Array.isArray((s as { code?: unknown }).code), `steps[${stepIdx}].code must be an array of strings`);
    const code = (s as { code: unknown[] }).code;
    need(code.every((c) => typeof c === 'string'), `steps[${stepIdx}].code must be an array of strings`);
    const stepId = deterministicId(runId, `step:${stepIdx}`);
    records.push({
      table: 'steps',
      row: { id: stepId, runId, idx: stepIdx, response: code.map((c) => '```js\n' + c + '\n```').join('\n'), codeBlocks: code as string[], output: '', outputChars: 0, startedAt, durationMs: 0 },
    });
    (code as string[]).forEach((c, blockIdx) => {
      const isLast = stepIdx === (v.steps as unknown[]).length - 1 && blockIdx === code.length - 1;
      records.push({
        table: 'programs',
        row: {
          id: deterministicId(runId, `program:${stepIdx}:${blockIdx}`),
          runId,
          stepId,
          stepIdx,
          blockIdx,
          code: c,
          codeSha256: sha256(c),
          query: v.query as string,
          status: isLast && v.status === 'succeeded' && /\bFINAL(_VAR)?\s*\(/.test(c) ? 'final' : 'ok',
          result: isLast && v.status === 'succeeded' ? ((v.answer as string | undefined) ?? null) : null,
          callsModel: CALLS_MODEL.test(c),
          llmCallCount: 0,
        },
      });
    });
  });
  return records;
}

/** A stable UUID for rows that an imported minimal record does not name. */
function deterministicId(runId: string, what: string): string {
  return uuidFromText(`${runId}/${what}`);
}

function fullRecords(run: ExportedRun, rootId: string, parentId: string | null): TraceRecord[] {
  need(Array.isArray(run.steps) && Array.isArray(run.programs) && Array.isArray(run.modelCalls) && Array.isArray(run.subRuns), `run ${run.id}: steps, programs, modelCalls and subRuns must be arrays`);
  const records: TraceRecord[] = [];
  if (run.context) {
    need(typeof run.context.sha256 === 'string' && /^[0-9a-f]{64}$/.test(run.context.sha256), `run ${run.id}: context.sha256 must be a sha256 in hex`);
    if (run.context.content !== undefined) {
      need(typeof run.context.content === 'string', `run ${run.id}: context.content must be a string`);
      const encoding = run.context.encoding === 'base64' ? 'base64' : 'utf8';
      const row: ContextRow = { sha256: run.context.sha256, kind: run.context.kind, sizeBytes: run.context.sizeBytes, content: run.context.content, encoding };
      records.push({ table: 'contexts', row });
    }
  }
  need(run.libCalls === undefined || Array.isArray(run.libCalls), `run ${run.id}: libCalls must be an array`);
  need(run.toolCalls === undefined || Array.isArray(run.toolCalls), `run ${run.id}: toolCalls must be an array`);
  const { format: _f, context, steps: st, programs: pr, modelCalls: lc, libCalls: lib, toolCalls: tools, subRuns, ...rest } = run;
  const startedAt = date(rest.startedAt, new Date());
  records.push({
    table: 'runs',
    row: {
      ...(rest as unknown as RunRow),
      rootRunId: rootId,
      parentRunId: parentId,
      contextSha256: context?.content !== undefined ? context.sha256 : null,
      startedAt,
      endedAt: rest.endedAt ? date(rest.endedAt, startedAt) : null,
    },
  });
  for (const s of st) records.push({ table: 'steps', row: { ...(s as unknown as StepRow), runId: run.id, startedAt: date(s.startedAt, startedAt) } });
  for (const p of pr) records.push({ table: 'programs', row: { ...(p as unknown as ProgramRow), runId: run.id, createdAt: date(p.createdAt, startedAt) } });
  for (const c of lc) records.push({ table: 'llm_calls', row: { ...(c as unknown as LlmCallRow), runId: run.id, createdAt: date(c.createdAt, startedAt) } });
  for (const c of lib ?? []) records.push({ table: 'lib_calls', row: { ...(c as unknown as LibCallRow), runId: run.id, createdAt: date(c.createdAt, startedAt) } });
  for (const c of tools ?? []) records.push({ table: 'tool_calls', row: { ...(c as unknown as ToolCallRow), runId: run.id, createdAt: date(c.createdAt, startedAt) } });
  for (const sub of subRuns) records.push(...fullRecords(sub, rootId, run.id));
  return records;
}

export interface ImportReport {
  lines: number;
  imported: number;
  /** Already in the database with the same content: re-importing is a no-op. */
  skipped: number;
  /** Already in the database under the same id with different content: not imported, said line by line. */
  conflicts: { line: number; id: string; error: string }[];
  errors: { line: number; error: string }[];
  /** The format read: accrete's JSONL, or the official RLM logger's. */
  format?: 'accrete' | 'rlm';
}

export interface ImportOptions {
  redactor?: Redactor;
  /** The file's name: official RLM logs get run ids derived from it (default: from the content). */
  fileName?: string;
}

/**
 * Imports one run's records: validated field by field, compared with what is stored under the same
 * id (same content: skipped; different: a conflict), then written in one transaction.
 */
async function importRun(database: Database, rootId: string, records: TraceRecord[], redactor: Redactor, report: ImportReport, line: number): Promise<void> {
  const clean = records.map((r) => withDates({ table: r.table, row: sanitizeDeep(redactor.deep(r.row)) } as TraceRecord));
  const problem = recordsProblem(clean);
  if (problem) throw new ImportLineError(problem);
  const existing = await database.db.select({ id: runs.id }).from(runs).where(eq(runs.id, rootId));
  if (existing.length > 0) {
    const diffs = await differencesFromStored(database, rootId, clean);
    if (diffs.length === 0) report.skipped++;
    else {
      const more = diffs.length > 3 ? `; and ${diffs.length - 3} more` : '';
      report.conflicts.push({ line, id: rootId, error: `run ${rootId} is already in the database with different content (${diffs.slice(0, 3).join('; ')}${more}); the stored run is kept — give the run a new id to import it as well` });
    }
    return;
  }
  try {
    await writeRecords(database.db, clean);
  } catch (err) {
    throw new ImportLineError(`could not write: ${describeWriteError(err)}`);
  }
  report.imported++;
}

/** Imports JSONL text: accrete's format line by line (each line all or nothing), or an official RLM log. */
export async function importLines(
  database: Database,
  lines: AsyncIterable<string> | Iterable<string>,
  redactorOrOptions: Redactor | ImportOptions = {},
): Promise<ImportReport> {
  const options: ImportOptions = redactorOrOptions instanceof Redactor ? { redactor: redactorOrOptions } : redactorOrOptions;
  const redactor = options.redactor ?? new Redactor();
  const report: ImportReport = { lines: 0, imported: 0, skipped: 0, conflicts: [], errors: [] };
  let n = 0;
  let rlmLog: RlmLogReader | undefined;
  for await (const raw of lines) {
    n++;
    const line = raw.trim();
    if (!line) continue;
    report.lines++;
    if (rlmLog) {
      rlmLog.add(n, line);
      continue;
    }
    try {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new ImportLineError(`not valid JSON (${(err as Error).message})`);
      }
      if (report.format === undefined && isRlmLogEntry(value)) {
        report.format = 'rlm';
        rlmLog = new RlmLogReader(options.fileName);
        rlmLog.add(n, line);
        continue;
      }
      report.format = 'accrete';
      const { rootId, records } = recordsOfLine(value);
      await importRun(database, rootId, records, redactor, report, n);
    } catch (err) {
      report.errors.push({ line: n, error: err instanceof ImportLineError ? err.message : `could not write: ${describeWriteError(err)}` });
    }
  }
  if (rlmLog) {
    for (const problem of rlmLog.problems) report.errors.push(problem);
    for (const run of rlmLog.runs()) {
      try {
        if ('error' in run) throw new ImportLineError(run.error);
        await importRun(database, run.rootId, run.records, redactor, report, run.line);
      } catch (err) {
        report.errors.push({ line: run.line, error: err instanceof ImportLineError ? err.message : `could not write: ${describeWriteError(err)}` });
      }
    }
  }
  return report;
}
