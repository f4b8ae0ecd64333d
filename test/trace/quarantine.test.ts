/**
 * Issue 12, failure 1: text Postgres rejects (a lone UTF-16 surrogate, NUL) never sticks a run in
 * the spool — it is sanitized where records are written — and a record the database still rejects
 * is quarantined with its reason while the rest is written (a rejection is not an outage).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { createRuntime } from '../../src/index.js';
import { encodeRecord, type TraceRecord } from '../../src/trace/records.js';
import { listQuarantine, listSpool, replaySpool, TraceWriter } from '../../src/trace/writer.js';
import { BACKENDS, freshDb } from '../helpers/db.js';
import { js, scriptedServer } from '../helpers/models.js';

const LONE_HIGH = String.fromCharCode(0xd800);
const LONE_LOW = String.fromCharCode(0xdc00);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tmpSpool(): string {
  const dir = mkdtempSync(join(tmpdir(), 'accrete-quarantine-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function db(backend: (typeof BACKENDS)[number]): Promise<Database> {
  const d = await freshDb(backend);
  cleanups.push(() => d.close());
  return d;
}

function runRecord(id: string): TraceRecord {
  return { table: 'runs', row: { id, rootRunId: id, status: 'running', startedAt: new Date(), query: 'q' } };
}
function stepRecord(runId: string, idx: number): TraceRecord {
  return { table: 'steps', row: { id: randomUUID(), runId, idx, response: `step ${idx}`, codeBlocks: [], output: '', outputChars: 0, startedAt: new Date(), durationMs: 1 } };
}

describe.each(BACKENDS)('records the database rejects (%s)', (backend) => {
  it('a lone surrogate or NUL in program output, a model reply and the answer is written, sanitized, and the run ends', async () => {
    const database = await db(backend);
    const spoolDir = tmpSpool();
    const server = await scriptedServer(
      [
        js(`print('lone ' + String.fromCharCode(0xD800) + ' nul ' + String.fromCharCode(0) + ' low ' + String.fromCharCode(0xDC00))\nconst s = await llm('say it')\nprint(s)`, `thinking ${LONE_HIGH}`),
        js(`FINAL('done ' + String.fromCharCode(0xD800) + String.fromCharCode(0) + ' ' + s)`),
      ],
      [`sub ${LONE_LOW} reply\u0000`],
    );
    cleanups.push(() => server.close());
    const runtime = await createRuntime({ db: database, ...server.models, spoolDir, library: false });
    const summary = await runtime.run({ query: `q ${LONE_HIGH}`, context: 'ctx' });
    await runtime.close();
    expect(summary.status).toBe('succeeded');
    expect(runtime.writer.isSpooling).toBe(false);
    expect(listSpool(spoolDir)).toEqual([]);
    expect(listQuarantine(spoolDir)).toEqual([]);
    const [run] = await database.query<{ status: string; answer: string; query: string }>('select status, answer, query from runs where id = $1', [summary.runId]);
    expect(run.status).toBe('succeeded');
    expect(run.answer).toBe('done \uFFFD sub \uFFFD reply');
    expect(run.query).toBe('q \uFFFD');
    const steps = await database.query<{ response: string; output: string }>('select response, output from steps where run_id = $1 order by idx', [summary.runId]);
    expect(steps).toHaveLength(2);
    expect(steps[0].response).toContain('thinking \uFFFD');
    expect(steps[0].output).toContain('lone \uFFFD nul  low \uFFFD');
    const calls = await database.query<{ response: string }>("select response from llm_calls where run_id = $1 and kind = 'sub'", [summary.runId]);
    expect(calls.map((c) => c.response)).toEqual(['sub \uFFFD reply']);
  });

  it('quarantines a record the database rejects, writes the rest and does not spool', async () => {
    const database = await db(backend);
    const spoolDir = tmpSpool();
    const quarantined: number[] = [];
    const writer = new TraceWriter(database, { spoolDir, onQuarantine: (r) => quarantined.push(r.records) });
    const runId = randomUUID();
    writer.write(runRecord(runId));
    for (let i = 0; i < 5; i++) writer.write(stepRecord(runId, i));
    writer.write(stepRecord(randomUUID(), 0)); // no such run: a foreign-key violation
    for (let i = 5; i < 9; i++) writer.write(stepRecord(runId, i));
    await writer.flush();
    expect(writer.isSpooling).toBe(false);
    expect(listSpool(spoolDir)).toEqual([]);
    expect((await database.query<{ n: number }>('select count(*)::int as n from steps where run_id = $1', [runId]))[0].n).toBe(9);
    expect(writer.quarantined).toBe(1);
    expect(quarantined).toEqual([1]);
    const files = listQuarantine(spoolDir);
    expect(files).toHaveLength(1);
    const line = JSON.parse(readFileSync(files[0].file, 'utf8').trim()) as { error: string; record: { table: string } };
    expect(line.record.table).toBe('steps');
    expect(line.error).toMatch(/foreign key/i);
    expect(line.error).not.toMatch(/Failed query|params:/);
    // Later records are not held back.
    writer.write(stepRecord(runId, 9));
    await writer.flush();
    expect((await database.query<{ n: number }>('select count(*)::int as n from steps where run_id = $1', [runId]))[0].n).toBe(10);
  });

  it('a spool holding a rejected record is replayed once: the rest written, the record quarantined, the spool emptied', async () => {
    const database = await db(backend);
    const spoolDir = tmpSpool();
    const runId = randomUUID();
    const records = [runRecord(runId), stepRecord(runId, 0), stepRecord(randomUUID(), 0), stepRecord(runId, 1)];
    mkdirSync(spoolDir, { recursive: true });
    writeFileSync(join(spoolDir, 'old.jsonl'), records.map(encodeRecord).join('\n') + '\n{"table":"steps","row":{"id\n');
    const report = await replaySpool(database, spoolDir);
    expect(report).toMatchObject({ files: 1, records: 3, quarantined: 2 });
    expect(listSpool(spoolDir)).toEqual([]);
    expect(existsSync(join(spoolDir, 'old.jsonl'))).toBe(false);
    expect(listQuarantine(spoolDir).reduce((n, f) => n + f.records, 0)).toBe(2);
    expect((await database.query<{ n: number }>('select count(*)::int as n from steps where run_id = $1', [runId]))[0].n).toBe(2);
    // Nothing left to replay.
    expect(await replaySpool(database, spoolDir)).toMatchObject({ files: 0, records: 0, quarantined: 0 });
  });
});
