/**
 * The web viewer's run page on a large run: 20 steps, each a program making 100 sub-calls over a
 * 10 KB piece of the input (2,000 sub-calls), and root-model calls that carry the conversation so
 * far; inserted by SQL into embedded PGlite (BENCH_DATABASE_URL: a server). Measures the page as
 * `accrete ui` serves it (its size and time, median of 5) and opening one call (/calls/ID).
 * Run: `npx tsx bench/ui/run-page.ts [--json]`.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/connection.js';
import { findRunsByPrefix } from '../../src/db/queries.js';
import { loadRunView } from '../../src/ui/pages/run.js';
import { viewerApp } from '../../src/ui/server.js';
import { benchDatabase } from './database.js';

const json = process.argv.includes('--json');
const STEPS = 20;
const CALLS_PER_STEP = 100;
const PIECE = 10_000;


async function seed(db: Database): Promise<{ runId: string; callId: string }> {
  const runId = randomUUID();
  const t0 = Date.parse('2026-11-28T09:00:00Z');
  await db.query(`insert into runs (id, root_run_id, depth, query, status, started_at, ended_at, duration_ms, iterations, llm_calls) values ($1, $1, 0, 'a large run', 'succeeded', $2, $3, $4, $5, $6)`, [
    runId,
    new Date(t0).toISOString(),
    new Date(t0 + STEPS * 10_000).toISOString(),
    STEPS * 10_000,
    STEPS,
    STEPS * (CALLS_PER_STEP + 1),
  ]);
  const conversation: { role: string; content: string }[] = [{ role: 'system', content: 'You write JavaScript in a REPL. '.repeat(200) }];
  let seq = 0;
  let callId = '';
  for (let s = 0; s < STEPS; s++) {
    const stepId = randomUUID();
    const programId = randomUUID();
    const code = `const pieces = chunk(context, ${PIECE});\nconst answers = await llmBatch(pieces.map((c) => ({ query: "Step ${s}: what does this say?", context: c })));\nprint(answers.join("\\n"));`;
    const reply = `Step ${s}.\n\`\`\`js\n${code}\n\`\`\``;
    conversation.push({ role: 'user', content: `output of step ${s - 1}: ${'x'.repeat(4_000)}` });
    const started = new Date(t0 + s * 10_000).toISOString();
    await db.query(
      `insert into llm_calls (id, run_id, seq, kind, gen_ai_provider_name, gen_ai_request_model, request_messages, request_hash, response, status, latency_ms, created_at)
       values ($1, $2, $3, 'root', 'bench', 'root-model', $4::jsonb, 'h', $5, 'ok', 900, $6)`,
      [randomUUID(), runId, seq++, JSON.stringify(conversation), reply, started],
    );
    conversation.push({ role: 'assistant', content: reply });
    await db.query(`insert into steps (id, run_id, idx, response, code_blocks, output, output_chars, started_at, duration_ms) values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, 9000)`, [
      stepId, runId, s, reply, JSON.stringify([code]), 'y'.repeat(12_000), 40_000, started,
    ]);
    await db.query(`insert into programs (id, run_id, step_id, step_idx, block_idx, code, code_sha256, query, output, output_chars, status, llm_call_count, duration_ms) values ($1, $2, $3, $4, 0, $5, 'h', 'a large run', $6, 40000, 'ok', $7, 8000)`, [
      programId, runId, stepId, s, code, 'y'.repeat(12_000), CALLS_PER_STEP,
    ]);
    await db.query(
      `insert into llm_calls (id, run_id, program_id, seq, kind, gen_ai_provider_name, gen_ai_request_model, request_messages, request_hash, response, status, latency_ms, created_at)
       select gen_random_uuid(), $1, $2, $3 + i, 'sub', 'bench', 'leaf-model',
              jsonb_build_array(jsonb_build_object('role', 'user', 'content', 'Step ' || $4 || ': what does this say? <context>' || repeat('z', $5) || '</context>')),
              'h', 'it says ' || i, 'ok', 700, $6::timestamptz + (i * interval '50 ms')
         from generate_series(0, $7 - 1) i`,
      [runId, programId, seq, s, PIECE, started, CALLS_PER_STEP],
    );
    seq += CALLS_PER_STEP;
  }
  const [one] = await db.query<{ id: string }>("select id from llm_calls where run_id = $1 and kind = 'root' order by seq desc limit 1", [runId]);
  callId = one.id;
  return { runId, callId };
}

async function median(fn: () => Promise<unknown>, n = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(n / 2)]);
}

const { db, done } = await benchDatabase('accrete_bench_ui_run');
try {
  const { runId, callId } = await seed(db);
  const [{ bytes }] = await db.query<{ bytes: string | number }>('select sum(length(request_messages::text)) as bytes from llm_calls where run_id = $1', [runId]);
  const app = viewerApp(db);
  const page = await (await app.request(`/runs/${runId}`)).text();
  const call = await (await app.request(`/calls/${callId}`)).text();
  const result = {
    backend: db.kind,
    steps: STEPS,
    subCalls: STEPS * CALLS_PER_STEP,
    storedMessagesBytes: Number(bytes),
    pageBytes: Buffer.byteLength(page),
    pageMs: await median(async () => (await app.request(`/runs/${runId}`)).text()),
    readTreeMs: await median(async () => loadRunView(db, (await findRunsByPrefix(db, runId))[0])),
    openedRootCallBytes: Buffer.byteLength(call),
    openedRootCallMs: await median(async () => (await app.request(`/calls/${callId}`)).text()),
  };
  if (json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  else
    process.stdout.write(
      `${result.backend}: a run of ${STEPS} steps and ${result.subCalls.toLocaleString('en-US')} sub-calls (messages stored: ${(result.storedMessagesBytes / 1e6).toFixed(1)} MB)\n` +
        `  run page: ${(result.pageBytes / 1e6).toFixed(2)} MB of HTML in ${result.pageMs} ms (median of 5), of which reading the tree ${result.readTreeMs} ms\n` +
        `  opening the last root call: ${(result.openedRootCallBytes / 1e3).toFixed(0)} KB in ${result.openedRootCallMs} ms\n`,
    );
} finally {
  await done();
}
