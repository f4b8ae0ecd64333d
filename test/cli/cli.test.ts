/** The `accrete` command as a user runs it: a real process, real files, exit statuses. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAccrete, runMain } from '../helpers/cli.js';
import { seedDbDir } from '../helpers/db.js';

let dir: string;
let db: string;

function accrete(args: string[], stdin?: string) {
  return runAccrete(args, { cwd: dir, stdin, env: { ACCRETE_DB: db, ACCRETE_LIBRARY_DIR: join(dir, 'library') } });
}

/** The same command in this process (main(argv)), where a process of its own adds nothing to the test. */
function here(args: string[]) {
  return runMain(args, { env: { ACCRETE_DB: db, ACCRETE_LIBRARY_DIR: join(dir, 'library') } });
}

const script = (name: string, responses: string[]) => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify({ responses }));
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'accrete-cli-'));
  db = join(dir, 'db');
  writeFileSync(join(dir, 'tickets.txt'), 'refund please\nwhere is my parcel\nI want a refund\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('accrete CLI', () => {
  it('runs a query, prints the answer, and lists and shows the run', async () => {
    const root = script('root.json', ['```js\nconst lines = context.split("\\n").filter(Boolean);\nconst votes = await llmBatch(lines.map(l => ({ query: "refund? yes/no", context: l })));\nFINAL(votes.filter(v => v === "yes").length)\n```']);
    const sub = script('sub.json', ['yes', 'no', 'yes']);
    const r = await accrete(['run', 'How many tickets mention a refund?', '--context-file', 'tickets.txt', '--model', `script:${root}`, '--sub-model', `script:${sub}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('2\n');
    const runs = await here(['runs', '--json']);
    const list = JSON.parse(runs.stdout);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'succeeded', query: 'How many tickets mention a refund?', iterations: 1, llmCalls: 4 });
    const shown = await here(['show', list[0].runId.slice(0, 8)]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('step 1');
    expect(shown.stdout).toContain('llmBatch');
    expect(shown.stdout).toContain('llm [ok] refund? yes/no');
    expect(shown.stdout).toContain('answer: 2');
  }, 270_000);

  it('prints a JSON summary, reads standard input, and exits 1 at a budget', async () => {
    const root = script('loop.json', ['```js\nprint(context.length)\n```', '```js\nprint("again")\n```', 'FINAL("partial")']);
    const r = await accrete(['run', 'Summarize', '--context', '-', '--model', `script:${root}`, '--max-iterations', '2', '--json'], 'piped input');
    expect(r.code).toBe(1);
    const summary = JSON.parse(r.stdout);
    expect(Object.keys(summary).sort()).toEqual(['answer', 'costUsd', 'durationMs', 'error', 'iterations', 'llmCalls', 'runId', 'status', 'usage']);
    expect(summary).toMatchObject({ status: 'budget_exhausted', answer: 'partial', iterations: 2 });
    expect(summary.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
  }, 180_000);

  it('exits 2 for usage errors, with a message that says what to do', async () => {
    // Flag and input checks need no process of their own: main(argv) in this one.
    const accrete = here;
    const empty = await accrete(['run', '', '--context', 'x']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/query is empty/);
    const missing = await accrete(['run', 'q', '--context-file', 'nope.txt']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read the context file nope.txt: no such file/);
    const unknown = await accrete(['run', 'q', '--max-iterations', 'lots']);
    expect(unknown.code).toBe(2);
    const bogus = await accrete(['frobnicate']);
    expect(bogus.code).toBe(2);
    const help = await accrete(['run', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--max-iterations', '--step-timeout-ms', '--run-timeout-ms', '--max-llm-calls', '--max-depth', '--memory-mb', '--concurrency', '--db', '--json']) expect(help.stdout).toContain(flag);
  }, 180_000);

  it('exports and imports JSONL; a malformed line is reported with its number', async () => {
    const exported = await accrete(['export']);
    expect(exported.code).toBe(0);
    const lines = exported.stdout.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const other = join(dir, 'other-db');
    await seedDbDir(other); // migrated already: a new directory's first open is the first test's
    const file = join(dir, 'runs.jsonl');
    writeFileSync(file, `${lines[0]}\nnot json\n${lines.slice(1).join('\n')}\n`);
    const imported = await here(['import', file, '--db', other, '--json']);
    expect(imported.code).toBe(1);
    expect(JSON.parse(imported.stdout)).toMatchObject({ imported: lines.length, skipped: 0, errors: [{ line: 2 }] });
    const again = await here(['import', file, '--db', other]);
    expect(again.stdout).toMatch(/imported 0 runs, 2 already present/);
    expect(again.stderr).toMatch(/runs.jsonl:2: skipped: not valid JSON/);
  }, 270_000);

  it('doctor reports the database and the spool', async () => {
    const r = await accrete(['doctor', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ databaseOk: true, runs: 2, spool: { files: 0, records: 0 } });
  }, 180_000);
});

describe('accrete mine and clusters', () => {
  it('mines imported runs and shows the clusters', async () => {
    const { generateCorpus } = await import('../data/corpus/corpus.js');
    const { randomUUID } = await import('node:crypto');
    const corpus = generateCorpus({ perFamily: 5, noise: 3, seed: 5, families: ['chunk-count', 'per-doc-qa'] });
    const lines = corpus.map((p) => {
      const steps: { code: string[] }[] = [];
      for (const b of p.blocks.filter((x) => x.status === 'ok')) {
        while (steps.length <= b.stepIdx) steps.push({ code: [] });
        steps[b.stepIdx].code.push(b.code);
      }
      return JSON.stringify({ id: randomUUID(), query: p.label, status: 'succeeded', answer: '1', steps: steps.filter((s) => s.code.length) });
    });
    const mineDb = join(dir, 'mine-db');
    await seedDbDir(mineDb);
    writeFileSync(join(dir, 'corpus.jsonl'), `${lines.join('\n')}\n`);
    expect((await here(['import', join(dir, 'corpus.jsonl'), '--db', mineDb])).code).toBe(0);
    const mined = await here(['mine', '--json', '--db', mineDb]);
    expect(mined.code).toBe(0);
    const report = JSON.parse(mined.stdout).pass;
    expect(report).toMatchObject({ runsRead: corpus.length, parsed: corpus.length, unparseable: 0 });
    expect(report.clustersNew).toBeGreaterThanOrEqual(2);
    const listed = await here(['clusters', '--json', '--db', mineDb]);
    const clusters = JSON.parse(listed.stdout);
    expect(clusters[0]).toEqual({ id: expect.any(String), size: expect.any(Number), support: expect.any(Number), successRate: 1, skeleton: expect.any(String), members: expect.any(Array), representative: expect.any(String) });
    expect(clusters[0].members[0]).toEqual({ runId: expect.any(String), programId: expect.any(String) });
    const shown = await here(['clusters', 'show', clusters[0].id, '--db', mineDb]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('skeleton:');
    expect(shown.stdout).toContain('(representative)');
  }, 360_000);
});
