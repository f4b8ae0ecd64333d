/** The model namer's calls are logged like any model call: a run of source `miner` with its call. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/connection.js';
import { ScriptedModel } from '../../../src/models/scripted.js';
import { loggedModelNamer, NAMER_RUN_SOURCE } from '../../../miner/generalize/namer-log.js';
import type { NamingInput } from '../../../miner/generalize/naming.js';
import { memoryDb } from '../../helpers/db.js';

const input: NamingInput = {
  clusterId: 'c7',
  skeleton: 'split(lines) |> map(llm) |> count |> FINAL',
  growth: 'linear',
  template: 'const lines = context.split("\\n");',
  prompts: ['Label each ticket as bug or feature.'],
  queries: ['How many tickets are bugs?'],
  params: [],
  members: 4,
};

describe('loggedModelNamer', () => {
  let db: Database;
  beforeAll(async () => {
    db = await memoryDb();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('logs an accepted naming and a refused one, each as a run with its model call', async () => {
    const good = loggedModelNamer(db, new ScriptedModel({ responses: [JSON.stringify({ name: 'countTicketLabelsWithLlm', doc: 'Labels each ticket line and counts the labels.' })], name: 'namer-good' }));
    expect(await good(input)).toEqual({ name: 'countTicketLabelsWithLlm', doc: 'Labels each ticket line and counts the labels.' });
    const bad = loggedModelNamer(db, new ScriptedModel({ responses: ['not json at all'], name: 'namer-bad' }));
    expect(await bad(input)).toBeUndefined();
    const runs = await db.query<{ id: string; source: string; query: string; status: string; metadata: { namer: { accepted: boolean } } }>(
      'select id, source, query, status, metadata from runs where source = $1 order by started_at',
      [NAMER_RUN_SOURCE],
    );
    expect(runs).toHaveLength(2);
    expect(runs.map((r) => r.metadata.namer.accepted).sort()).toEqual([false, true]);
    expect(runs[0].query).toContain('cluster c7');
    const calls = await db.query<{ run_id: string; response: string; status: string }>('select run_id, response, status from llm_calls where run_id = any($1::uuid[])', [runs.map((r) => r.id)]);
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.status === 'ok' && c.response.length > 0)).toBe(true);
  });
});
