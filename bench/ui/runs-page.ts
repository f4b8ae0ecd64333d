/**
 * The web viewer's run list at scale: N root runs (plus a sub-run for every tenth) inserted by SQL,
 * then one page of 50 fetched the way the viewer asks for it (src/db/browse.ts pageRuns) — the
 * first page, a page halfway down (keyset cursor), the last page, and filtered pages (status,
 * model, a day, text in the query), and the whole /runs page through the viewer's handler. Embedded PGlite by default; BENCH_DATABASE_URL for a server (a
 * fresh database is created and dropped). Each figure is the median of 7 fetches.
 * Run: `npx tsx bench/ui/runs-page.ts [N] [--json]` (default N = 100000).
 */
import type { Database } from '../../src/db/connection.js';
import { pageRuns, type RunCursor, type RunFilter } from '../../src/db/browse.js';
import { viewerApp } from '../../src/ui/server.js';
import { benchDatabase } from './database.js';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
const json = process.argv.includes('--json');
const PAGE = 50;


async function seed(db: Database): Promise<void> {
  const BATCH = 20_000;
  for (let from = 0; from < N; from += BATCH) {
    const to = Math.min(N, from + BATCH) - 1;
    // spread evenly over 60 days from 2026-01-01
    await db.query(
      `insert into runs (id, root_run_id, depth, query, status, started_at, gen_ai_request_model, sub_model, iterations, llm_calls, duration_ms)
       select u, u, 0, 'question ' || i || case when i % 97 = 0 then ' about refunds' else ' about shipping' end,
              case when i % 20 = 0 then 'failed' when i % 50 = 1 then 'budget_exhausted' else 'succeeded' end,
              timestamptz '2026-01-01' + i * (interval '60 days' / $3::int),
              case when i % 3 = 0 then 'gpt-5-mini' else 'sim-root' end, 'sim-leaf', 3, 12, 4000
         from (select gen_random_uuid() as u, i from generate_series($1::int, $2::int) i) s`,
      [from, to, N],
    );
  }
  await db.query(
    `insert into runs (id, parent_run_id, root_run_id, depth, query, status, started_at)
     select gen_random_uuid(), id, id, 1, 'sub', 'succeeded', started_at from runs where depth = 0 and llm_calls = 12 and random() < 0.1`,
  );
  await db.query('analyze runs');
}

async function median(fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[3];
}

async function main(): Promise<void> {
  const { db, done } = await benchDatabase('accrete_bench_ui');
  try {
    const t = performance.now();
    await seed(db);
    const seeded = performance.now() - t;
    const [{ n }] = await db.query<{ n: string | number }>('select count(*) as n from runs');
    const mid = await db.query<{ started_key: string; id: string }>('select started_at::text as started_key, id from runs where depth = 0 order by started_at desc, id desc offset $1 limit 1', [Math.floor(N / 2)]);
    const last = await db.query<{ started_key: string; id: string }>('select started_at::text as started_key, id from runs where depth = 0 order by started_at desc, id desc offset $1 limit 1', [N - PAGE - 1]);
    const cursor = (r: { started_key: string; id: string }): RunCursor => ({ startedAt: r.started_key, id: r.id });
    const cases: [string, RunFilter, { before?: RunCursor; after?: RunCursor }][] = [
      ['first page', {}, {}],
      ['halfway (keyset)', {}, { before: cursor(mid[0]) }],
      ['last page (keyset)', {}, { before: cursor(last[0]) }],
      ['newer from halfway', {}, { after: cursor(mid[0]) }],
      ['status = failed', { status: 'failed' }, {}],
      ['status = budget_exhausted, halfway', { status: 'budget_exhausted' }, { before: cursor(mid[0]) }],
      ['model = gpt-5-mini', { model: 'gpt-5-mini' }, {}],
      ['one day', { from: new Date('2026-01-20T00:00:00Z'), to: new Date('2026-01-21T00:00:00Z') }, {}],
      ['text "refunds" (1 in 97)', { text: 'refunds' }, {}],
      ['text matching nothing', { text: 'no such words' }, {}],
    ];
    const results: { case: string; ms: number; rows: number }[] = [];
    for (const [name, filter, page] of cases) {
      const rows = (await pageRuns(db, filter, { limit: PAGE, ...page })).rows.length;
      results.push({ case: name, ms: Math.round((await median(() => pageRuns(db, filter, { limit: PAGE, ...page }))) * 10) / 10, rows });
    }
    // the whole page as the viewer serves it: the page of runs, the filter's models and statuses, the HTML
    const app = viewerApp(db);
    for (const [name, path] of [['whole page /runs', '/runs'], ['whole page, text filter', '/runs?q=refunds']] as const) {
      const res = await app.request(path);
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
      results.push({ case: name, ms: Math.round((await median(async () => (await app.request(path)).text())) * 10) / 10, rows: PAGE });
    }
    const out = { backend: db.kind, runs: Number(n), rootRuns: N, seededMs: Math.round(seeded), page: PAGE, results };
    if (json) process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    else {
      process.stdout.write(`${db.kind}: ${Number(n).toLocaleString('en-US')} runs (${N.toLocaleString('en-US')} root), seeded in ${(seeded / 1000).toFixed(1)} s; a page of ${PAGE}, median of 7:\n`);
      for (const r of results) process.stdout.write(`  ${r.case.padEnd(38)} ${String(r.ms).padStart(8)} ms  (${r.rows} rows)\n`);
    }
  } finally {
    await done();
  }
}

await main();
