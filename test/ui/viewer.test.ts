/**
 * The web viewer in a real browser: Debian's chromium driven by playwright-core (no browser
 * download). A database seeded through the real runtime — simulated workloads (runs with sub-calls)
 * and a mining pass (clusters), plus a scripted run over HTTP with an rlm() sub-run, a cache hit, a
 * truncated output and an error, and an imported log of the official RLM (Python) — is served on
 * port 0; the tests open the run list, filter it, open the run with the sub-run, expand a sub-call,
 * open the imported run, watch a run in progress update, and visit the mining pages. One screenshot per page goes to the test's temporary folder.
 *
 * Chromium missing fails these tests with how to install it (CI installs it); set
 * ACCRETE_SKIP_BROWSER_TESTS=1 to opt out explicitly.
 */
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { minePass } from '../../miner/cluster/pass.js';
import type { Database } from '../../src/db/connection.js';
import { runWorkload } from '../../src/eval/workload.js';
import { createRuntime } from '../../src/runtime/runtime.js';
import { buildWorkload } from '../../src/sim/workloads.js';
import { importLines } from '../../src/trace/interchange.js';
import { type RunningViewer, startViewer } from '../../src/ui/server.js';
import { memoryDb } from '../helpers/db.js';
import { js, scriptedServer } from '../helpers/models.js';
import { useSimModels } from '../helpers/sim.js';

useSimModels();

const CHROMIUM = process.env.ACCRETE_CHROMIUM ?? '/usr/bin/chromium';
const skip = process.env.ACCRETE_SKIP_BROWSER_TESTS === '1';

/** The scripted run: prose and code, a long print (truncated in the log), a cache hit, an error, an rlm() sub-run. */
const SCRIPT = [
  js('const head = context.slice(0, 40);\nprint("x".repeat(3000));\nconst a = await llm("Summarize the opening", head);\nconst b = await llm("Summarize the opening", head);\nprint(a === b);', 'Let me read the opening first.'),
  js('notDefinedAnywhere();', 'Now the middle.'),
  js('const deep = await rlm("Look closer at the tail", context.slice(-200));\nFINAL("deep: " + deep);', 'A sub-run will look at the tail.'),
  // the sub-run's root model
  js('const t = await llm("What does the tail say?", context);\nFINAL(t);'),
];
const SCRIPTED_QUERY = 'Which section of the viewer fixture matters?';

let db: Database;
let viewer: RunningViewer;
let browser: Browser;
let shots: string;
let scriptedRunId: string;
let importedRunId: string;

/** A log of the official RLM (Python), imported: it shows like any run, its code highlighted as Python. */
const RLM_LOG = join(import.meta.dirname, '..', 'trace', 'fixtures', 'rlm_2026-11-20_14-02-11_3f9a1c2e.jsonl');

beforeAll(async () => {
  if (skip) return;
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The web viewer's browser tests need Chromium at ${CHROMIUM} (Debian's package): install it with ` +
        '`apt-get update && apt-get install -y chromium` as root (.ci/run does), point ACCRETE_CHROMIUM at another build, ' +
        'or set ACCRETE_SKIP_BROWSER_TESTS=1 to skip these tests on purpose.',
    );
  }
  shots = mkdtempSync(join(tmpdir(), 'accrete-ui-'));
  db = await memoryDb();
  const runtime = await createRuntime({ db, model: 'sim:root?bugRate=0&sloppyRate=0&seed=3', subModel: 'sim:leaf?seed=3', warmSandboxes: 1, library: false });
  try {
    const tasks = buildWorkload({ seed: 5, perFamily: 3, sizes: [8_000], families: ['needle'] });
    for (const r of await runWorkload(runtime, tasks, { concurrency: 2 })) expect(r.status, r.error ?? '').toBe('succeeded');
  } finally {
    await runtime.close();
  }
  const server = await scriptedServer(SCRIPT, ['the tail says: keep section 3'], { rootRepeats: true });
  const scripted = await createRuntime({ db, ...server.models, library: false, budgets: { maxOutputChars: 400, maxDepth: 2 } });
  try {
    const s = await scripted.run({ query: SCRIPTED_QUERY, context: `${'intro line\n'.repeat(20)}section 3 is the one that matters\n` });
    expect(s.status, s.error ?? '').toBe('succeeded');
    scriptedRunId = s.runId;
  } finally {
    await scripted.close();
    await server.close();
  }
  await minePass(db);
  expect((await importLines(db, readFileSync(RLM_LOG, 'utf8').split('\n'), { fileName: RLM_LOG })).imported).toBe(1);
  [{ id: importedRunId }] = await db.query<{ id: string }>("select id from runs where source = 'import' and depth = 0");
  viewer = await startViewer(db, { port: 0 });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await viewer?.close();
  await db?.close();
});

async function open(path: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const res = await page.goto(new URL(path, viewer.url).href);
  expect(res?.status(), path).toBe(200);
  page.once('close', () => expect(errors, `script errors on ${path}`).toEqual([]));
  return page;
}

async function screenshot(page: Page, name: string): Promise<void> {
  const file = join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  expect(statSync(file).size).toBeGreaterThan(10_000);
}

describe.skipIf(skip)('accrete ui in Chromium', () => {
  it('lists the runs with their facts, and filters them by the text of the query', async () => {
    const page = await open('/runs');
    const rows = page.locator('table.runs tbody tr');
    expect(await rows.count()).toBe(5); // 3 workload runs, the scripted one and the imported one; sub-runs are inside their trees
    const scripted = rows.filter({ hasText: SCRIPTED_QUERY });
    await expect.poll(() => scripted.count()).toBe(1);
    const cells = await scripted.locator('td').allInnerTexts();
    expect(cells[2]).toBe('succeeded');
    expect(cells[4]).toContain('test-root');
    expect(cells[4]).toContain('test-sub');
    expect(cells[7]).toBe('1'); // one sub-run
    await screenshot(page, 'runs');

    await page.fill('input[name=q]', 'viewer fixture');
    await Promise.all([page.waitForURL(/q=viewer/), page.click('form.filters button[type=submit]')]);
    expect(await page.locator('table.runs tbody tr').count()).toBe(1);
    await page.selectOption('select[name=status]', 'failed');
    await Promise.all([page.waitForURL(/status=failed/), page.click('form.filters button[type=submit]')]);
    expect(await page.locator('.empty').innerText()).toContain('No run matches');
    await page.close();
  });

  it('shows a run: steps with highlighted code, output with its true length, the error, the sub-run nested; a sub-call expands', async () => {
    const page = await open(`/runs/${scriptedRunId}`);
    const root = page.locator(`#run-${scriptedRunId}`);
    const steps = root.locator(':scope > details.step');
    expect(await steps.count()).toBe(3);
    // the reply's prose, then its code block highlighted by highlight.js
    await expect.poll(() => steps.nth(0).locator('.prose').first().innerText()).toContain('Let me read the opening first.');
    expect(await steps.nth(0).locator('pre.code .hljs-keyword').first().innerText()).toBe('const');
    // the output was cut to the logged budget: the page gives its true length
    expect(await steps.nth(0).locator('.truncated').innerText()).toMatch(/logged [\d,]+ of 3,00\d/);
    // the error of step 2
    expect(await steps.nth(1).locator('pre.error').innerText()).toContain('notDefinedAnywhere');
    // the cache hit, and the sub-calls collapsed
    const calls = steps.nth(0).locator('.program details.call.kind-sub');
    expect(await calls.count()).toBe(2);
    expect(await calls.nth(1).getAttribute('class')).toContain('status-cache_hit');
    expect(await calls.nth(0).evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
    expect(await calls.nth(0).locator('.messages').isVisible()).toBe(false);
    // the sub-run, nested under the block that called rlm()
    const sub = steps.nth(2).locator('.subrun section.run');
    expect(await sub.count()).toBe(1);
    expect(await sub.locator('.run-head .query').innerText()).toBe('Look closer at the tail');
    const subCall = sub.locator('details.call.kind-sub').filter({ hasText: 'What does the tail say?' });
    await subCall.locator('summary').click();
    expect(await subCall.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(true);
    // opening it loads its messages and response
    await subCall.locator('.messages[data-loaded=yes]').waitFor();
    const shown = await subCall.locator('.messages').innerText();
    expect(shown).toContain('What does the tail say?');
    expect(shown).toContain('section 3 is the one that matters'); // the context sent with the prompt
    expect(await subCall.locator('.msg.response pre').innerText()).toBe('the tail says: keep section 3');
    // the answer, tokens and cost per step, and the waterfall with a bar for each step and call
    expect(await root.locator(':scope > .answer pre').innerText()).toBe('deep: the tail says: keep section 3');
    expect(await steps.nth(0).locator(':scope > summary').innerText()).toMatch(/step 1 .* in \/ .* out · \$/);
    expect(await page.locator('.waterfall .wf-sub').count()).toBe(2);
    expect(await page.locator('.waterfall .wf-cache').count()).toBe(1);
    expect(await page.locator('.waterfall .wf-step').count()).toBe(4);
    await screenshot(page, 'run');
    await page.close();
  });

  it('shows an imported official RLM log with its Python highlighted as Python', async () => {
    const page = await open(`/runs/${importedRunId}`);
    expect(await page.locator('.run-head .tag').first().innerText()).toBe('import');
    const code = page.locator('pre.code code.language-python').first();
    expect(await code.innerText()).toContain("context.split('\\n')");
    expect(await code.locator('.hljs-built_in').first().innerText()).toBe('print');
    expect(await page.locator('.subrun section.run').count()).toBe(1);
    await screenshot(page, 'imported-run');
    await page.close();
  });

  it('updates a run in progress without a reload', async () => {
    const [{ id }] = await db.query<{ id: string }>("select id from runs where depth = 0 and source = 'runtime' and id <> $1 order by started_at limit 1", [scriptedRunId]);
    await db.query("update runs set status = 'running', answer = null where id = $1", [id]);
    const page = await open(`/runs/${id}`);
    expect(await page.locator('.live').innerText()).toContain('live');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await db.query("update runs set status = 'succeeded', answer = 'finished while watched' where id = $1", [id]);
    await page.waitForFunction((runId) => document.querySelector(`#run-${runId} > .answer pre`)?.textContent === 'finished while watched', id, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1); // the same page: no reload
    expect(await page.locator('.live').count()).toBe(0);
    await page.close();
  });

  it('shows the clusters, one cluster with two members side by side, and the library with a function, its evidence and its callers', async () => {
    const page = await open('/clusters');
    const rows = page.locator('table.clusters tbody tr');
    expect(await rows.count()).toBeGreaterThan(0);
    await screenshot(page, 'clusters');
    await Promise.all([page.waitForURL(/\/clusters\/c\d+/), rows.first().locator('a').first().click()]);
    expect(await page.locator('pre.skeleton').innerText()).toMatch(/FINAL/);
    const sides = page.locator('.side-by-side .side');
    expect(await sides.count()).toBe(2);
    expect(await sides.nth(0).locator('pre.code').count()).toBe(1);
    expect(await sides.nth(1).locator('pre.code').count()).toBe(1);
    const members = page.locator('table.members tbody tr');
    expect(await members.count()).toBeGreaterThan(1);
    await screenshot(page, 'cluster');
    await Promise.all([page.waitForURL(/\/runs\//), members.first().locator('a').first().click()]);
    expect(await page.locator('.run-page').count()).toBe(1);
    await page.close();

    // a function as the promote stage records it (promotions, with its evidence) and a call of it (lib_calls)
    const [cluster] = await db.query<{ id: string }>('select id from clusters order by support desc limit 1');
    const memberRuns = (await db.query<{ run_id: string }>('select run_id from mined_programs where cluster_id = $1', [cluster.id])).map((r) => r.run_id);
    await db.query(
      `insert into promotions (id, cluster_id, members_hash, name, version, branch, status, library_dir, support, coverage, gain, evidence)
       values (gen_random_uuid(), $1, 'h', 'findSecretCode', '1.0.0', 'accrete/promote-findSecretCode-1.0.0', 'merged', '/nowhere', 3, 1, 420, $2::jsonb)`,
      [cluster.id, JSON.stringify({ sourceRunIds: memberRuns, successRate: 1, expectedSavings: { llmCallsPerRun: 2 }, body: '## findSecretCode 1.0.0\n\nthe evidence' })],
    );
    const [step] = await db.query<{ program_id: string }>("select id as program_id from programs where run_id = $1 and status = 'final'", [scriptedRunId]);
    await db.query("insert into lib_calls (id, run_id, program_id, name, version, duration_ms, llm_calls, status) values (gen_random_uuid(), $1, $2, 'findSecretCode', '1.0.0', 12, 2, 'ok')", [scriptedRunId, step.program_id]);

    const library = await open('/library');
    const fn = library.locator('table.library tbody tr');
    expect(await fn.count()).toBe(1);
    expect(await fn.locator('td').allInnerTexts()).toEqual(expect.arrayContaining(['findSecretCode', '1.0.0', 'merged', cluster.id]));
    await screenshot(library, 'library');
    await Promise.all([library.waitForURL(/\/library\/findSecretCode$/), fn.locator('a').first().click()]);
    expect(await library.locator('details.version').first().innerText()).toContain('model calls saved / run');
    const tables = library.locator('table.members');
    expect(await tables.nth(0).locator('tbody tr').count()).toBe(memberRuns.length); // the runs it was mined from
    expect(await tables.nth(1).locator('tbody tr').innerText()).toContain(SCRIPTED_QUERY); // the run that called it
    await screenshot(library, 'function');
    await library.close();

    const run = await open(`/runs/${scriptedRunId}`);
    expect(await run.locator('li.libcall').innerText()).toMatch(/lib\.findSecretCode 1\.0\.0 ok/);
    await run.close();
  });

  it('only reads, and says what was wrong with a bad filter', async () => {
    expect((await fetch(new URL('/runs', viewer.url), { method: 'POST' })).status).toBe(405);
    const bad = await fetch(new URL('/runs?from=yesterday', viewer.url));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('from must be a date like 2026-01-31');
    const progress = (await (await fetch(new URL(`/api/runs/${scriptedRunId}/progress`, viewer.url))).json()) as { status: string; runs: number };
    expect(progress).toMatchObject({ status: 'succeeded', runs: 2 });
    expect((await fetch(new URL('/runs/00000000-0000-0000-0000-000000000000', viewer.url))).status).toBe(404);
    const css = await fetch(new URL('/assets/hljs.css', viewer.url));
    expect(css.headers.get('content-type')).toContain('text/css');
  });
});
