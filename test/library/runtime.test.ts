/** Later runs call the library: merged functions loaded into runs, called as lib.<name>, logged to lib_calls. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Database } from '../../src/db/connection.js';
import { branchName } from '../../src/library/format.js';
import { loadLibrary } from '../../src/library/load.js';
import { runMain } from '../helpers/cli.js';
import { receivedOf } from '../../src/cli/commands/show.js';
import { exportRuns, importLines } from '../../src/trace/interchange.js';
import { libraryFromOptions } from '../../src/cli/commands/run.js';
import { createRuntime, type RuntimeOptions } from '../../src/index.js';
import { memoryDb } from '../helpers/db.js';
import { js, scriptedServer } from '../helpers/models.js';
import { fnSource, TestRepo } from './repo.js';
import { useSimModels } from '../helpers/sim.js';

useSimModels();

let db: Database;
const repo = new TestRepo();
let c1 = '';
let head = '';

beforeAll(async () => {
  db = await memoryDb();
  c1 = repo.commitFunctions([{ name: 'countLines', version: '1.0.0', source: fnSource('countLines', '  return "old:" + context.split("\\n").length;'), signature: '(context: string) => Promise<string>', doc: 'Counts lines (first version).' }], 'countLines 1.0.0');
  repo.commitFunctions(
    [
      {
        name: 'countLines',
        version: '1.1.0',
        source: fnSource('countLines', '  const check = await llm("Count check", context);\n  return context.split("\\n").length + "/" + check;'),
        signature: '(context: string) => Promise<string>',
        doc: 'Counts the lines of the input and checks them with one llm call.',
      },
      {
        name: 'explode',
        version: '2.0.0',
        source: fnSource('explode', '  await llm("first look", context);\n  throw new Error("kaput after " + context.length + " chars");'),
        signature: '(context: string) => Promise<never>',
        doc: 'Always fails.',
      },
    ],
    'countLines 1.1.0, explode 2.0.0',
  );
  head = repo.git('rev-parse', 'HEAD');
  const merged = repo.snapshotManifest();
  repo.git('checkout', '-q', '-b', branchName('shout', '1.0.0'));
  repo.commitFunctions([{ name: 'shout', version: '1.0.0', source: fnSource('shout', '  return context.toUpperCase();') }], 'proposal: shout');
  repo.git('checkout', '-q', 'main');
  repo.reloadManifest(merged);
});
afterAll(async () => {
  await db?.close();
  repo.remove();
});

const q = <T = Record<string, unknown>>(sql: string, params: unknown[] = []) => db.query<T>(sql, params);

async function runWith(root: string[], library: RuntimeOptions['library'], sub: string[] = ['ok'], query = 'How many lines are there?') {
  const server = await scriptedServer(root, sub);
  const runtime = await createRuntime({ db, ...server.models, spoolDir: '/tmp/accrete-test-spool', library });
  try {
    const summary = await runtime.run({ query, context: 'a\nb\nc' });
    return { summary, library: runtime.library };
  } finally {
    await runtime.close();
    await server.close();
  }
}

interface LibCallRow {
  id: string;
  run_id: string;
  program_id: string | null;
  name: string;
  version: string;
  duration_ms: number;
  llm_calls: number;
  status: string;
  error: string | null;
}
const libCalls = (runId: string) => q<LibCallRow>('select * from lib_calls where run_id = $1 order by created_at, name', [runId]);
const rootRequests = (runId: string) =>
  q<{ request_messages: { role: string; content: string }[] }>("select request_messages from llm_calls where run_id = $1 and kind = 'root' order by seq", [runId]);

describe('runs call merged library functions', () => {
  it('calls lib.countLines from a run, logs the call, the library version and the listing', async () => {
    const { summary, library } = await runWith([js('const r = await lib.countLines(context);\nprint(typeof lib.countLines);\nFINAL(r)')], { dir: repo.dir });
    expect(summary).toMatchObject({ status: 'succeeded', answer: '3/ok', llmCalls: 2 });
    expect(library?.commit).toBe(head);

    const [run] = await q<{ library_commit: string; library_manifest_hash: string }>('select library_commit, library_manifest_hash from runs where id = $1', [summary.runId]);
    expect(run).toEqual({ library_commit: head, library_manifest_hash: library!.manifestHash });

    const [program] = await q<{ id: string; lib_calls: string[]; llm_call_count: number }>('select id, lib_calls, llm_call_count from programs where run_id = $1', [summary.runId]);
    expect(program.lib_calls).toEqual(['countLines']);
    const calls = await libCalls(summary.runId);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: 'countLines', version: '1.1.0', status: 'ok', error: null, llm_calls: 1, program_id: program.id });
    expect(calls[0].duration_ms).toBeGreaterThanOrEqual(0);
    // The sub-call made inside the function is logged under the same program.
    const subs = await q<{ program_id: string }>("select program_id from llm_calls where run_id = $1 and kind = 'sub'", [summary.runId]);
    expect(subs).toEqual([{ program_id: program.id }]);

    // The system prompt lists the relevant functions with signature and doc; explode shares
    // nothing with the query, so it is not listed (it stays callable).
    const [first] = await rootRequests(summary.runId);
    const system = first.request_messages[0].content;
    expect(system).toContain('## Library functions');
    expect(system).toContain('- lib.countLines(context: string): Promise<string>: Counts the lines of the input and checks them with one llm call.');
    expect(system).not.toContain('lib.explode');
    expect(system).not.toContain('shout');
  });

  it('shows what a run received (accrete show --full): the exact system prompt and the functions listed, through export and import', async () => {
    const { summary } = await runWith([js('FINAL(await lib.countLines(context))')], { dir: repo.dir });
    const [first] = await rootRequests(summary.runId);
    const exported = [];
    for await (const r of exportRuns(db)) if (r.id === summary.runId) exported.push(r);
    expect(exported).toHaveLength(1);
    const received = receivedOf(exported[0].modelCalls, exported[0].libraryCommit ?? null);
    expect(received).toEqual({ systemPrompt: first.request_messages[0].content, listed: ['countLines'], libraryCommit: head });
    expect(received.systemPrompt).toMatch(/Judge the fit before you call one/);

    const other = await memoryDb();
    try {
      expect((await importLines(other, [JSON.stringify(exported[0])])).imported).toBe(1);
      const again = [];
      for await (const r of exportRuns(other)) again.push(r);
      expect(receivedOf(again[0].modelCalls, again[0].libraryCommit ?? null)).toEqual(received);
    } finally {
      await other.close();
    }
    expect(receivedOf([], null)).toEqual({ systemPrompt: null, listed: [], libraryCommit: null });
  });

  it('does not load an unmerged branch; a throwing function is logged as an error and the model sees it', async () => {
    const snapshot = await loadLibrary({ dir: repo.dir });
    const { summary } = await runWith(
      [js('const s = await lib.shout(context);'), js('const e = await lib.explode(context);'), js('FINAL("recovered")')],
      snapshot, // a ready snapshot is still accepted
    );
    expect(summary).toMatchObject({ status: 'succeeded', answer: 'recovered', iterations: 3 });
    const requests = await rootRequests(summary.runId);
    expect(requests[1].request_messages.at(-1)!.content).toMatch(/<error>\n.*lib\.shout is not a library function; available: countLines, explode/);
    expect(requests[2].request_messages.at(-1)!.content).toMatch(/<error>\n.*kaput after 5 chars/);
    const calls = await libCalls(summary.runId);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: 'explode', version: '2.0.0', status: 'error', llm_calls: 1 });
    expect(calls[0].error).toMatch(/kaput after 5 chars/);
    const programs = await q<{ status: string }>('select status from programs where run_id = $1 order by seq', [summary.runId]);
    expect(programs.map((p) => p.status)).toEqual(['error', 'error', 'final']);
  });

  it('pins versions: name@version gets the old behaviour, a commit loads the library as of that commit', async () => {
    const pinned = await runWith([js('FINAL(await lib.countLines(context))')], { dir: repo.dir, pin: 'countLines@1.0.0' });
    expect(pinned.summary).toMatchObject({ status: 'succeeded', answer: 'old:3', llmCalls: 1 });
    expect(await libCalls(pinned.summary.runId)).toMatchObject([{ name: 'countLines', version: '1.0.0', status: 'ok', llm_calls: 0 }]);

    const asOf = await runWith([js('print(Object.keys(lib).length);\nFINAL(await lib.countLines(context))')], { dir: repo.dir, pin: c1 });
    expect(asOf.summary.answer).toBe('old:3');
    const [run] = await q<{ library_commit: string }>('select library_commit from runs where id = $1', [asOf.summary.runId]);
    expect(run.library_commit).toBe(c1);
    const [first] = await rootRequests(asOf.summary.runId);
    expect(first.request_messages[0].content).toContain('- lib.countLines(context: string): Promise<string>: Counts lines (first version).');
    expect(first.request_messages[0].content).not.toContain('lib.explode');
  });

  it('runs without a library when told so, and fails fast on a pin that cannot be found', async () => {
    const none = await runWith([js('FINAL(Object.keys(lib).length)')], false);
    expect(none.summary).toMatchObject({ status: 'succeeded', answer: '0' });
    const [first] = await rootRequests(none.summary.runId);
    expect(first.request_messages[0].content).not.toContain('## Library functions');
    const [run] = await q<{ library_commit: string | null }>('select library_commit from runs where id = $1', [none.summary.runId]);
    expect(run.library_commit).toBeNull();

    await expect(createRuntime({ db, library: { dir: repo.dir, pin: 'countLines@9.9.9' } })).rejects.toThrow(/no commit of main has countLines at version 9.9.9 \(versions on main: 1.0.0, 1.1.0\)/);
  });

  it('reads no environment (the CLI resolves ACCRETE_LIBRARY_DIR) and lists only the k most relevant functions', async () => {
    const saved = process.env.ACCRETE_LIBRARY_DIR;
    process.env.ACCRETE_LIBRARY_DIR = repo.dir;
    try {
      const ignored = await createRuntime({ db, model: 'sim:root', warmSandboxes: 0 });
      expect(ignored.library?.dir ?? null).not.toBe(repo.dir); // ./.accrete/library of the working directory, if any
      await ignored.close();
    } finally {
      if (saved === undefined) delete process.env.ACCRETE_LIBRARY_DIR;
      else process.env.ACCRETE_LIBRARY_DIR = saved;
    }
    const runtime = await createRuntime({ db, model: 'sim:root', warmSandboxes: 0, library: { dir: repo.dir } });
    expect(runtime.library?.functions.map((f) => f.name)).toEqual(['countLines', 'explode']);
    await runtime.close();
    const { summary } = await runWith([js('FINAL(await lib.explode("x").catch(() => lib.countLines(context)))')], { dir: repo.dir, k: 1 }, ['ok'], 'Count the lines');
    expect(summary.answer).toBe('3/ok'); // explode is not listed, and still callable
    const [first] = await rootRequests(summary.runId);
    expect(first.request_messages[0].content).toContain('lib.countLines');
    expect(first.request_messages[0].content).not.toContain('lib.explode');
    expect((await libCalls(summary.runId)).map((c) => `${c.name}:${c.status}`).sort()).toEqual(['countLines:ok', 'explode:error']);
  });
});

describe('accrete run --library flags', () => {
  /** The command in this process (no database is opened for these: they fail before). */
  const accrete = (args: string[]) => runMain(args);

  it('maps the flags to the runtime library option', () => {
    expect(libraryFromOptions({ library: repo.dir, libraryPin: 'countLines@1.0.0', libraryK: 3 })).toMatchObject({ dir: repo.dir, pin: 'countLines@1.0.0', k: 3 });
    expect(libraryFromOptions({})).toMatchObject({ dir: join(process.cwd(), '.accrete', 'library'), pin: undefined, k: undefined });
    expect(libraryFromOptions({ library: false })).toBe(false);
  });

  it('rejects a pin that cannot be found, a bad --library-k, and --no-library with a pin, with exit status 2', async () => {
    const bad = await accrete(['run', 'How many lines?', '--context', 'a', '--model', 'sim:root', '--library', repo.dir, '--library-pin', 'countLines@7.0.0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^accrete: library pin countLines@7\.0\.0: no commit of main has countLines at version 7\.0\.0 \(versions on main: 1\.0\.0, 1\.1\.0\)\n$/);
    const k = await accrete(['run', 'q', '--context', 'a', '--library-k', 'many']);
    expect(k.code).toBe(2);
    expect(k.stderr).toMatch(/--library-k must be a non-negative integer/);
    const both = await accrete(['run', 'q', '--context', 'a', '--no-library', '--library-pin', 'countLines@1.0.0']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--no-library cannot be combined with --library-pin/);
  });
});
