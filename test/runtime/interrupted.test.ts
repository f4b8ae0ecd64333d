/**
 * Issue 12 (4): a process killed mid-run (kill -9) leaves its run `running`; the next start,
 * `accrete doctor` or a worker marks it `interrupted`, with the totals that were logged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { recoverInterruptedRuns } from '../../src/db/interrupted.js';
import { ownerGone, processOwner } from '../../src/db/owner.js';
import { ScriptedModel } from '../../src/models/scripted.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { startModelServer } from '../../src/sim/server.js';
import { main } from '../../src/cli/main.js';
import { spawnAccrete } from '../helpers/cli.js';
import { BACKENDS, freshDb, seedDbDir } from '../helpers/db.js';
import { hangingModel, js } from '../helpers/models.js';
import { useSimModels } from '../helpers/sim.js';

useSimModels();

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('a run whose process was killed', () => {
  it('kill -9 mid-run, then accrete doctor: the run is interrupted with the totals that were logged', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'accrete-killed-'));
    dirs.push(cwd);
    const sub = hangingModel(2); // answers twice, then hangs
    const server = await startModelServer({
      models: {
        'test-root': new ScriptedModel({
          responses: [js(`const a = await llm('first', 'x');\nconst b = await llm('second', 'y');\nprint(a + b)`), js(`const c = await llm('third', 'z');\nFINAL(c)`)],
          whenExhausted: 'error',
          name: 'test-root',
        }),
        'test-sub': sub.model,
      },
    });
    try {
      await seedDbDir(join(cwd, 'db')); // migrated already: the run starts sooner
      const child = spawnAccrete(['run', 'what is in it?', '--context', 'some input', '--model', 'test-root', '--sub-model', 'test-sub', '--base-url', server.url, '--db', join(cwd, 'db'), '--no-library', '--json'], {
        cwd,
        env: { OPENAI_API_KEY: 'sk-test-killed-run-key' },
      });
      const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      await Promise.race([sub.hanging, exited]);
      expect(child.exitCode, stderr).toBeNull();
      // The first step and four model calls are logged within the writer's 250 ms; give it ample time.
      await new Promise((r) => setTimeout(r, 3_000));
      child.kill('SIGKILL');
      await exited;

      // accrete doctor, in this process (the same command; one process start less on a loaded machine).
      const out: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = ((chunk: string) => (out.push(String(chunk)), true)) as typeof process.stdout.write;
      let code: number;
      try {
        code = await main(['node', 'accrete', 'doctor', '--json', '--db', join(cwd, 'db'), '--spool-dir', join(cwd, '.accrete', 'spool')]);
      } finally {
        process.stdout.write = write;
      }
      expect(code).toBe(0);
      const report = JSON.parse(out.join('')) as { interrupted: { fixed: boolean; runs: { id: string; llmCalls: number; iterations: number; reason: string }[] } };
      expect(report.interrupted.fixed).toBe(true);
      expect(report.interrupted.runs).toHaveLength(1);
      expect(report.interrupted.runs[0].reason).toMatch(/no longer holds the database/);

      const database = await openDatabase(join(cwd, 'db'));
      try {
        const [run] = await database.query<Record<string, unknown>>('select * from runs');
        const [logged] = await database.query<Record<string, unknown>>(
          `select count(*)::int as calls, sum(gen_ai_usage_input_tokens)::int as input, sum(gen_ai_usage_output_tokens)::int as output from llm_calls where status in ('ok', 'error')`,
        );
        expect(run.status).toBe('interrupted');
        expect(run.error).toMatch(/^interrupted: /);
        // Two root-model turns (the second cut short), four model calls answered: root, two llm(), root.
        expect(run.iterations).toBe(2);
        expect(logged.calls).toBe(4);
        expect(run.llm_calls).toBe(4);
        expect(Number(run.gen_ai_usage_input_tokens)).toBe(logged.input);
        expect(Number(run.gen_ai_usage_output_tokens)).toBe(logged.output);
        expect(logged.input).toBeGreaterThan(0);
        expect(run.ended_at).not.toBeNull();
        expect(run.owner_pid).toBe(child.pid);
      } finally {
        await database.close();
      }
    } finally {
      await server.close();
    }
  });

  for (const backend of BACKENDS) {
    it(`a dead owner's runs are marked interrupted with their logged totals; on a server a live owner's are left alone (${backend})`, async () => {
      const database = await freshDb(backend);
      try {
        const started = new Date(Date.now() - 5_000);
        const insert = (id: string, ownerId: string, pid: number, heartbeat: Date) =>
          database.query(
            `insert into runs (id, root_run_id, query, status, started_at, owner_id, owner_host, owner_pid, heartbeat_at) values ($1, $1, 'q', 'running', $2, $3, $4, $5, $6)`,
            [id, started.toISOString(), ownerId, processOwner().host, pid, heartbeat.toISOString()],
          );
        const dead = '00000000-0000-4000-8000-000000000001';
        const live = '00000000-0000-4000-8000-000000000002';
        // A dead pid on this host (pid 2^22 + 1 is above Linux's pid_max), and a live one (ours, under another id: a pid reused).
        await insert(dead, 'gone-owner', 4_194_305, started);
        await insert(live, 'parent-process', process.ppid, new Date());
        await database.query(
          `insert into llm_calls (id, run_id, seq, kind, gen_ai_provider_name, gen_ai_request_model, request_messages, request_hash, gen_ai_usage_input_tokens, gen_ai_usage_output_tokens, cost_usd, status)
           values ('00000000-0000-4000-8000-0000000000a1', $1, 0, 'root', 'p', 'm', '[]', 'h', 30, 5, 0.25, 'ok')`,
          [dead],
        );
        if (backend === 'postgres') {
          // On a server only owners known to be gone are touched (a dead pid here, a stale heartbeat).
          const found = await recoverInterruptedRuns(database);
          expect(found.map((r) => r.id)).toEqual([dead]);
        } else {
          // The embedded database has one process at a time: a runtime's start marks every other owner's runs.
          const found = await recoverInterruptedRuns(database, { exclusive: true, dryRun: true });
          expect(found.map((r) => r.id).sort()).toEqual([dead, live]);
          const runtime = await createRuntime({ db: database, model: 'sim:root', library: false, warmSandboxes: 0 });
          await runtime.close();
        }
        const rows = await database.query<{ id: string; status: string; llm_calls: number; gen_ai_usage_input_tokens: number | string; cost_usd: number }>(
          'select id, status, llm_calls, gen_ai_usage_input_tokens, cost_usd from runs order by id',
        );
        expect(rows[0]).toMatchObject({ id: dead, status: 'interrupted', llm_calls: 1, cost_usd: 0.25 });
        expect(Number(rows[0].gen_ai_usage_input_tokens)).toBe(30);
        expect(rows[1]).toMatchObject({ id: live, status: backend === 'postgres' ? 'running' : 'interrupted' });
      } finally {
        await database.close();
      }
    });
  }

  it('an owner is gone when its pid is dead on this host or its heartbeat is stale', () => {
    const me = processOwner();
    const now = new Date();
    const base = { ownerId: 'x', ownerHost: me.host, startedAt: new Date(now.getTime() - 1_000), heartbeatAt: now };
    expect(ownerGone({ ...base, ownerPid: process.ppid }, now)).toBeNull();
    expect(ownerGone({ ...base, ownerPid: 4_194_305 }, now)).toMatch(/is not running/);
    expect(ownerGone({ ...base, ownerHost: 'elsewhere', ownerPid: 12, heartbeatAt: new Date(now.getTime() - 120_000) }, now)).toMatch(/no heartbeat for 120 s/);
    expect(ownerGone({ ...base, ownerHost: 'elsewhere', ownerPid: 12 }, now)).toBeNull();
    expect(ownerGone({ ...base, ownerId: me.id, ownerPid: me.pid }, now, { exclusive: true })).toBeNull();
  });
});
