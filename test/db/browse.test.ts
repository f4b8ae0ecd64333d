/** The viewer's run list (src/db/browse.ts): keyset paging both ways, ties on started_at, filters; on PGlite and the server. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { pageRuns, runModels, type RunCursor, type RunFilter } from '../../src/db/browse.js';
import { viewerApp } from '../../src/ui/server.js';
import { BACKENDS, freshDb } from '../helpers/db.js';

const N = 130;

describe.each(BACKENDS)('the run list on %s', (backend) => {
  let db: Database;
  /** Root run ids, newest first (started_at desc, id desc). */
  let expected: string[];
  let withSubRuns: string;

  beforeAll(async () => {
    db = await freshDb(backend);
    const roots = Array.from({ length: N }, (_, i) => ({
      id: randomUUID(),
      // groups of 4 share a start (microseconds included) so the order needs the id as well
      startedAt: `2026-03-${String(1 + Math.floor(i / 8)).padStart(2, '0')} 10:00:00.${String(123456 + Math.floor(i / 4)).padStart(6, '0')}+00`,
      status: i % 10 === 0 ? 'failed' : 'succeeded',
      model: i % 3 === 0 ? 'model-a' : 'model-b',
      query: i === 7 ? 'what is 100% of the_total?' : `question number ${i}`,
    }));
    for (const r of roots) {
      await db.query(
        `insert into runs (id, root_run_id, depth, query, status, started_at, gen_ai_request_model, sub_model) values ($1, $1, 0, $2, $3, $4::timestamptz, $5, 'leaf-x')`,
        [r.id, r.query, r.status, r.startedAt, r.model],
      );
    }
    withSubRuns = roots[5].id;
    for (let k = 0; k < 2; k++) {
      await db.query(`insert into runs (id, parent_run_id, root_run_id, depth, query, status, started_at) values ($1, $2, $2, 1, 'sub', 'succeeded', now())`, [randomUUID(), withSubRuns]);
    }
    const rows = await db.query<{ id: string }>('select id from runs where depth = 0 order by started_at desc, id desc');
    expected = rows.map((r) => r.id);
  });

  afterAll(async () => {
    await db?.close();
  });

  async function walk(filter: RunFilter, limit: number): Promise<{ ids: string[]; pages: RunCursor[][] }> {
    const ids: string[] = [];
    const cursors: RunCursor[][] = [];
    let before: RunCursor | undefined;
    for (;;) {
      const page = await pageRuns(db, filter, { limit, before });
      ids.push(...page.rows.map((r) => r.id));
      cursors.push(page.rows.map((r) => ({ startedAt: r.started_key, id: r.id })));
      if (!page.older) return { ids, pages: cursors };
      before = page.older;
    }
  }

  it('pages through every root run once, newest first, and back', async () => {
    const { ids } = await walk({}, 50);
    expect(ids).toEqual(expected);
    // from the last page, "newer" leads back page by page to the first
    let page = await pageRuns(db, {}, { limit: 50, before: { startedAt: (await pageRuns(db, {}, { limit: 100 })).rows[99].started_key, id: expected[99] } });
    expect(page.rows.map((r) => r.id)).toEqual(expected.slice(100));
    expect(page.older).toBeNull();
    page = await pageRuns(db, {}, { limit: 50, after: page.newer! });
    expect(page.rows.map((r) => r.id)).toEqual(expected.slice(50, 100));
    page = await pageRuns(db, {}, { limit: 50, after: page.newer! });
    expect(page.rows.map((r) => r.id)).toEqual(expected.slice(0, 50));
    expect(page.newer).toBeNull();
    expect(page.older).not.toBeNull();
  });

  it('counts sub-runs and filters by status, model, dates and text (taken literally)', async () => {
    const first = await pageRuns(db, {}, { limit: N });
    expect(first.rows).toHaveLength(N);
    expect(first.rows.find((r) => r.id === withSubRuns)?.sub_runs).toEqual(expect.anything());
    expect(Number(first.rows.find((r) => r.id === withSubRuns)!.sub_runs)).toBe(2);
    expect((await walk({ status: 'failed' }, 4)).ids).toHaveLength(13);
    expect((await walk({ model: 'model-a' }, 20)).ids).toHaveLength(44);
    expect((await walk({ model: 'leaf-x' }, 50)).ids).toHaveLength(N);
    const march2 = await walk({ from: new Date('2026-03-02T00:00:00Z'), to: new Date('2026-03-03T00:00:00Z') }, 50);
    expect(march2.ids).toHaveLength(8);
    expect((await walk({ text: '100% of the_' }, 50)).ids).toHaveLength(1);
    expect((await walk({ text: '1_0' }, 50)).ids).toHaveLength(0);
    expect((await walk({ text: 'QUESTION NUMBER 12' }, 50)).ids).toHaveLength(1 + 10); // 12 and 120..129
    expect(await runModels(db)).toEqual(['leaf-x', 'model-a', 'model-b']);
  });

  it('serves the pages of the list through the viewer, the older link leading to the next page', async () => {
    const app = viewerApp(db);
    const first = await app.request('/runs?status=failed&model=model-b');
    expect(first.status).toBe(200);
    const html = await first.text();
    const failedB = (await walk({ status: 'failed', model: 'model-b' }, 50)).ids;
    expect(html.match(/<tr>\s*<td><a href="\/runs\//g)).toHaveLength(failedB.length);
    const all = await (await app.request('/runs')).text();
    const older = /href="([^"]+)" rel="next"/.exec(all)?.[1].replace(/&amp;/g, '&');
    expect(older).toMatch(/^\/runs\?before=/);
    const second = await (await app.request(older!)).text();
    expect(second).toContain(`/runs/${expected[50]}`);
    expect(second).not.toContain(`/runs/${expected[49]}"`);
    const run = await app.request(`/runs/${withSubRuns}`);
    expect(run.status).toBe(200);
    expect(await run.text()).toContain('2 sub-runs');
  });
});
