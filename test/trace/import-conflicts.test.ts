/**
 * Issue 12 (7): import of an id already in the database with different content says so, line by
 * line; a write error names the field and the reason, never the SQL with its parameters.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { describeWriteError } from '../../src/trace/import-check.js';
import { EXPORT_FORMAT, importLines } from '../../src/trace/interchange.js';
import { writeRecords } from '../../src/trace/writer.js';
import { BACKENDS, freshDb } from '../helpers/db.js';

const minimal = (id: string, answer: string, code = 'FINAL("4")') => JSON.stringify({ id, query: 'count refunds', status: 'succeeded', answer, steps: [{ code: [code] }] });

/** A full-format line (accrete export) with one step. */
function full(id: string, over: { run?: Record<string, unknown>; steps?: Record<string, unknown>[] } = {}): string {
  const at = '2026-11-01T10:00:00.000Z';
  const step = (idx: number) => ({ id: randomUUID(), runId: id, idx, response: 'r', codeBlocks: [], output: '', outputChars: 0, error: null, startedAt: at, durationMs: 1 });
  return JSON.stringify({
    format: EXPORT_FORMAT,
    id,
    parentRunId: null,
    rootRunId: id,
    depth: 0,
    source: 'runtime',
    query: 'q',
    status: 'succeeded',
    answer: 'a',
    iterations: 1,
    startedAt: at,
    endedAt: at,
    context: null,
    steps: over.steps ?? [step(0)],
    programs: [],
    modelCalls: [],
    libCalls: [],
    subRuns: [],
    ...over.run,
  });
}

describe.each(BACKENDS)('import conflicts and write errors (%s)', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await freshDb(backend);
  });
  afterAll(async () => {
    await db?.close();
  });

  it('an id already present with the same content is skipped quietly; with different content it is reported on its line', async () => {
    const id = randomUUID();
    expect((await importLines(db, [minimal(id, '4')])).imported).toBe(1);
    const report = await importLines(db, [minimal(id, '4'), minimal(id, '5'), minimal(id, '4', 'FINAL(String(2 + 2))')]);
    expect(report.imported).toBe(0);
    expect(report.skipped).toBe(1);
    expect(report.conflicts.map((c) => c.line)).toEqual([2, 3]);
    expect(report.conflicts[0]).toMatchObject({ id });
    expect(report.conflicts[0].error).toMatch(new RegExp(`run ${id} is already in the database with different content`));
    expect(report.conflicts[0].error).toMatch(/answer/);
    expect(report.conflicts[1].error).toMatch(/code/);
    // the stored run is kept as it was
    const [run] = await db.query<{ answer: string }>('select answer from runs where id = $1', [id]);
    expect(run.answer).toBe('4');
  });

  it('a field of the wrong type is named, with the reason, and no SQL or parameters are printed', async () => {
    const id = randomUUID();
    const report = await importLines(db, [full(id, { run: { iterations: 'many' } })]);
    expect(report.imported).toBe(0);
    expect(report.errors).toHaveLength(1);
    const { error } = report.errors[0];
    expect(error).toMatch(/iterations/);
    expect(error).toMatch(/number/);
    expect(error).not.toMatch(/insert into|params:|\$1/i);
    expect(error.length).toBeLessThan(400);
    expect(await db.query('select 1 from runs where id = $1', [id])).toHaveLength(0);
  });

  it('two rows the database would take as one (steps of a run with the same index) are named, not dropped silently', async () => {
    const id = randomUUID();
    const at = '2026-11-01T10:00:00.000Z';
    const step = { runId: id, idx: 0, response: 'secret-free reply', codeBlocks: [], output: '', outputChars: 0, error: null, startedAt: at, durationMs: 1 };
    const report = await importLines(db, [full(id, { steps: [{ id: randomUUID(), ...step }, { id: randomUUID(), ...step }] })]);
    expect(report.imported).toBe(0);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0].error).toMatch(new RegExp(`steps of run ${id}: index 0 appears twice`));
    expect(await db.query('select 1 from runs where id = $1', [id])).toHaveLength(0);
  });

  it('a write the database refuses is said by its table, constraint and reason, not its SQL and parameters', async () => {
    const at = new Date();
    let refused: unknown;
    try {
      // a step of a run that does not exist: the foreign key refuses it
      await writeRecords(db.db, [{ table: 'steps', row: { id: randomUUID(), runId: randomUUID(), idx: 0, response: 'secret-free reply', codeBlocks: [], output: '', outputChars: 0, startedAt: at, durationMs: 1 } }]);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeDefined();
    expect(String((refused as Error).message)).toMatch(/insert into/i); // what used to be printed
    const said = describeWriteError(refused);
    expect(said).toMatch(/steps/);
    expect(said).toMatch(/foreign key|steps_run_id/);
    expect(said).not.toMatch(/insert into|params:|secret-free reply/i);
    expect(said.length).toBeLessThan(400);
  });
});
