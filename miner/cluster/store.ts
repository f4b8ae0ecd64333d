/**
 * The miner's database access: finished runs not mined yet, their code blocks, and the document
 * frequencies of profile terms.
 */
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../../src/db/connection.js';
import { miningTerms } from '../../src/db/schema.js';
import { TermStatistics } from '../represent/vectorize.js';
import type { BlockInput } from '../front/types.js';

export interface RunToMine {
  runId: string;
  query: string;
  status: string;
  maxSeq: number;
  blocks: BlockInput[];
  /** runs.metadata.language: set on imported runs of another language (official RLM logs: python). */
  language: string | null;
}


export function parseVector(v: unknown): number[] {
  if (Array.isArray(v)) return v.map(Number);
  if (typeof v === 'string') return JSON.parse(v) as number[];
  return [];
}

/** The highest program seq that is safe to mine up to: past it, or in a run still going, wait. */
export async function safeWatermark(database: Database): Promise<number> {
  const [row] = await database.query<{ max_seq: string | number | null; first_open: string | number | null }>(
    `select (select max(seq) from programs) as max_seq,
            (select min(p.seq) from programs p join runs r on r.id = p.run_id where r.status = 'running') as first_open`,
  );
  const max = Number(row?.max_seq ?? 0);
  const open = row?.first_open === null || row?.first_open === undefined ? Infinity : Number(row.first_open) - 1;
  return Math.min(max, open);
}

/**
 * Finished runs, not mined yet, with a program in the window (fromSeq, toSeq] of programs.seq.
 * Callers walk the watermark range window by window, so each batch reads a bounded slice.
 */
export async function runsToMine(database: Database, fromSeq: number, toSeq: number): Promise<RunToMine[]> {
  const runs = await database.query<{ run_id: string; query: string; status: string; language: string | null }>(
    `select r.id as run_id, r.query, r.status, r.metadata->>'language' as language
       from runs r
      where r.id in (select distinct run_id from programs where seq > $1 and seq <= $2)
        and r.status <> 'running'
        and not exists (select 1 from mined_programs m where m.run_id = r.id)`,
    [fromSeq, toSeq],
  );
  if (runs.length === 0) return [];
  const seqs = new Map<string, number>();
  const byRun = await blocksOf(database, runs.map((r) => r.run_id), seqs);
  return runs
    .map((r) => ({ runId: r.run_id, query: r.query, status: r.status, maxSeq: seqs.get(r.run_id) ?? 0, blocks: byRun.get(r.run_id) ?? [], language: r.language }))
    .sort((a, b) => a.maxSeq - b.maxSeq);
}

/** The logged code blocks of runs, in step and block order. */
export async function blocksOf(database: Database, runIds: string[], maxSeq?: Map<string, number>): Promise<Map<string, BlockInput[]>> {
  const byRun = new Map<string, BlockInput[]>();
  for (let i = 0; i < runIds.length; i += 5_000) {
    const blocks = await database.query<{ run_id: string; seq: string | number; step_idx: number; block_idx: number; code: string; status: string; error: string | null }>(
      'select run_id, seq, step_idx, block_idx, code, status, error from programs where run_id = any($1::uuid[]) order by run_id, step_idx, block_idx',
      [runIds.slice(i, i + 5_000)],
    );
    for (const b of blocks) {
      const list = byRun.get(b.run_id) ?? [];
      list.push({ stepIdx: b.step_idx, blockIdx: b.block_idx, code: b.code, status: b.status, ...(b.error ? { error: b.error } : {}) });
      byRun.set(b.run_id, list);
      maxSeq?.set(b.run_id, Math.max(maxSeq.get(b.run_id) ?? 0, Number(b.seq)));
    }
  }
  return byRun;
}

/** Document frequencies of profile terms, and how many documents they were counted over. */
export async function loadTermStatistics(database: Database): Promise<TermStatistics> {
  const stats = new TermStatistics();
  const [row] = await database.query<{ n: number }>("select count(*)::int as n from mined_programs where status = 'parsed' and profile is not null");
  stats.docs = Number(row?.n ?? 0);
  const terms = await database.query<{ term: string; df: number }>('select term, df from mining_terms');
  for (const t of terms) stats.df.set(t.term, Number(t.df));
  return stats;
}

/** Adds documents' terms to the stored document frequencies (inside the caller's transaction). */
export async function addTermCounts(db: Db, counts: Map<string, number>): Promise<void> {
  const rows = [...counts].map(([term, df]) => ({ term, df }));
  for (let i = 0; i < rows.length; i += 1_000) {
    await db
      .insert(miningTerms)
      .values(rows.slice(i, i + 1_000))
      .onConflictDoUpdate({ target: miningTerms.term, set: { df: sql`${miningTerms.df} + excluded.df` } });
  }
}
