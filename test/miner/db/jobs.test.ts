/** The nightly job through pg-boss on the server: schedule, workers, one pass at a time. */
import { describe, expect, it } from 'vitest';
import { JobsNeedServerError, listSchedules, MINE_QUEUE, openBoss, scheduleMine, unscheduleMine, workMine } from '../../../miner/jobs.js';
import { runMining } from '../../../miner/pipeline.js';
import { openDatabase } from '../../../src/db/connection.js';
import { BACKENDS, serverDbUrl } from '../../helpers/db.js';

describe('scheduled mining', () => {
  it('refuses the embedded database with a clear message', async () => {
    await expect(openBoss('./.accrete/db')).rejects.toThrow(JobsNeedServerError);
  });

  it.runIf(BACKENDS.includes('postgres'))('registers the nightly schedule and runs one pass at a time across workers', async () => {
    const { url, drop } = await serverDbUrl();
    const database = await openDatabase(url);
    const [a, b] = [await openBoss(url), await openBoss(url)];
    try {
      await scheduleMine(a, '0 3 * * *', 'Europe/Berlin');
      expect(await listSchedules(a)).toEqual([{ name: MINE_QUEUE, cron: '0 3 * * *', tz: 'Europe/Berlin' }]);
      let active = 0;
      let maxActive = 0;
      let done = 0;
      const handler = async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await runMining(database);
        await new Promise((r) => setTimeout(r, 300));
        active--;
        done++;
      };
      const stop = new AbortController();
      const workers = [workMine(a, handler, stop.signal), workMine(b, handler, stop.signal)];
      // the singleton policy keeps a second job from running while one is active
      await a.send(MINE_QUEUE, {});
      await b.send(MINE_QUEUE, {});
      await a.send(MINE_QUEUE, {});
      const deadline = Date.now() + 40_000;
      while (done < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      expect(done).toBeGreaterThanOrEqual(2);
      expect(maxActive).toBe(1);
      const passes = await database.query<{ n: number }>("select count(*)::int as n from mining_passes where status = 'done'");
      expect(passes[0].n).toBe(done);
      await unscheduleMine(a);
      expect(await listSchedules(a)).toEqual([]);
      stop.abort();
      await Promise.all(workers);
    } finally {
      await database.close();
      await drop();
    }
  }, 270_000);
});
