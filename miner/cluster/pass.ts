/**
 * One mining pass, incremental over the programs logged since the last one (a watermark on
 * programs.seq): parse, normalize, embed and store every finished run's program, then cluster the
 * new ones — joining existing clusters where they fit, forming new ones from the rest and the
 * noise of earlier passes. Interrupted passes resume: runs are mined at most once (keyed by run),
 * and a pass left `running` is taken over by the next one.
 */
import { sha256 } from '../../src/contracts/hash.js';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../../src/db/connection.js';
import type { Embedder } from '../../src/models/embeddings.js';
import { clusters, minedPrograms, miningPasses } from '../../src/db/schema.js';
import { bruteForceKnn, type ClusterItem, type ExistingCluster, incrementalPass, type KnnFn, type Neighbor } from './core.js';
import { analyzeProgram } from '../front/parse.js';
import { blocksOf, nearest, type RunToMine, runsToMine, safeWatermark } from './store.js';
import type { ProgramAnalysis } from '../front/types.js';

export interface MineProgress {
  phase: 'parse' | 'cluster';
  done: number;
  total: number;
}

export interface MineOptions {
  /** Logged programs (by seq) read per batch (default 1,000). */
  batchSize?: number;
  /** Noise programs of earlier passes re-considered for new clusters (default 20,000, newest first). */
  noisePoolLimit?: number;
  /** kNN: HNSW queries in the database, or brute force in memory (default: brute force up to 3,000 items). */
  knn?: 'database' | 'memory' | 'auto';
  onProgress?: (p: MineProgress) => void;
  /** Semantic embeddings of each program's query and prompt templates (when an embedding model is configured). */
  embedder?: Embedder;
  /** Stops the pass between batches (it resumes next time). */
  signal?: AbortSignal;
}

export interface MineReport {
  passId: number;
  /** Watermark range of programs.seq read in this pass. */
  fromSeq: number;
  toSeq: number;
  /** Code blocks read, and the runs they make up. */
  programsRead: number;
  runsRead: number;
  parsed: number;
  unparseable: number;
  unparseableReasons: Record<string, number>;
  clustersNew: number;
  clustersGrown: number;
  /** Programs of this pass that stayed unclustered (noise). */
  noise: number;
  /** Programs of this pass that only call one library function: not mined again as new clusters. */
  libraryOnly: number;
  /** Of the programs clustered before this pass, the share whose cluster id did not change. */
  stability: { previouslyClustered: number; kept: number; ratio: number };
  resumed: boolean;
  durationMs: number;
}

/** An advisory lock key of its own: one pass at a time per database server. */
const MINE_LOCK_KEY = 0x6d696e65; // "mine"

function membersHash(runIds: string[]): string {
  return sha256([...runIds].sort().join('\n'));
}

/**
 * A program whose decomposition is one library call already is not mined again as a new cluster;
 * programs that compose several library calls (or a call with more model calls around it) are,
 * so compositions can be promoted in turn.
 */
function justALibraryCall(a: ProgramAnalysis): boolean {
  return a.skeleton.libCalls.length === 1 && a.skeleton.modelCallSites <= 1;
}
const notJustALibraryCall = sql`not (coalesce(jsonb_array_length(${minedPrograms.libCalls}), 0) = 1 and ${minedPrograms.skeleton} not like '%llm%' and ${minedPrograms.skeleton} not like '%rlm%')`;

/** What the semantic embedding describes: the query the program served and its prompt templates. */
function semanticText(query: string, templates: unknown[] | null | undefined): string {
  const prompts = (templates ?? []).map((t) => (t && typeof t === 'object' && 'text' in t ? String((t as { text: unknown }).text) : '')).filter(Boolean);
  return [query, ...prompts].join('\n');
}

function reasonClass(reason: string): string {
  return reason.split(/[:(]/)[0].trim().slice(0, 60) || 'unparseable';
}

async function startPass(database: Database): Promise<{ id: number; fromSeq: number; toSeq: number; resumed: boolean }> {
  const db = database.db;
  const open = await db.select().from(miningPasses).where(eq(miningPasses.status, 'running'));
  const watermark = await safeWatermark(database);
  if (open.length > 0) {
    const p = open[0];
    const toSeq = Math.max(p.toSeq, watermark);
    await db.update(miningPasses).set({ toSeq }).where(eq(miningPasses.id, p.id));
    return { id: p.id, fromSeq: p.fromSeq, toSeq, resumed: true };
  }
  const [last] = await database.query<{ to_seq: string | number | null }>("select max(to_seq) as to_seq from mining_passes where status = 'done'");
  const fromSeq = Number(last?.to_seq ?? 0);
  const [row] = await db.insert(miningPasses).values({ status: 'running', fromSeq, toSeq: Math.max(fromSeq, watermark) }).returning({ id: miningPasses.id });
  return { id: row.id, fromSeq, toSeq: Math.max(fromSeq, watermark), resumed: false };
}

function storeRow(run: RunToMine, passId: number, a: ReturnType<typeof analyzeProgram>): typeof minedPrograms.$inferInsert {
  const code = run.blocks.map((b) => b.code).join('\n\n');
  const base = { runId: run.runId, maxProgramSeq: run.maxSeq, passId, query: run.query, succeeded: run.status === 'succeeded', code };
  if (!a.ok) return { ...base, status: 'unparseable', reason: a.reason };
  return {
    ...base,
    status: 'parsed',
    fingerprint: a.fingerprint,
    normalized: a.normalized,
    skeleton: a.skeleton.text,
    growth: a.skeleton.growth,
    templates: a.skeleton.prompts,
    libCalls: a.skeleton.libCalls,
    structEmbedding: a.embedding,
  };
}

/** Re-analyzes stored programs from their logged blocks to get their trees (for anti-unification). */
async function itemsFromRows(
  database: Database,
  rows: { runId: string; fingerprint: string | null; structEmbedding: number[] | null }[],
): Promise<ClusterItem[]> {
  if (rows.length === 0) return [];
  const blocks = await blocksOf(database, rows.map((r) => r.runId));
  return rows.map((r) => {
    const a = analyzeProgram({ runId: r.runId, blocks: blocks.get(r.runId) ?? [] });
    return { id: r.runId, embedding: r.structEmbedding ?? (a.ok ? a.embedding : []), tree: a.ok ? a.tree : undefined, fingerprint: r.fingerprint ?? undefined };
  });
}

export function minePass(database: Database, options: MineOptions = {}): Promise<MineReport> {
  return database.withAdvisoryLock(MINE_LOCK_KEY, () => runPass(database, options));
}

async function runPass(database: Database, options: MineOptions): Promise<MineReport> {
  const started = performance.now();
  const db = database.db;
  const pass = await startPass(database);
  const report: MineReport = {
    passId: pass.id,
    fromSeq: pass.fromSeq,
    toSeq: pass.toSeq,
    programsRead: 0,
    runsRead: 0,
    parsed: 0,
    unparseable: 0,
    unparseableReasons: {},
    clustersNew: 0,
    clustersGrown: 0,
    noise: 0,
    libraryOnly: 0,
    stability: { previouslyClustered: 0, kept: 0, ratio: 1 },
    resumed: pass.resumed,
    durationMs: 0,
  };
  const [{ n: pending }] = await database.query<{ n: number }>(
    `select count(distinct p.run_id)::int as n from programs p join runs r on r.id = p.run_id
      where p.seq > $1 and p.seq <= $2 and r.status <> 'running' and not exists (select 1 from mined_programs m where m.run_id = p.run_id)`,
    [pass.fromSeq, pass.toSeq],
  );
  // 1. parse, normalize, embed, store — window by window over the watermark range, each batch
  //    committed (an interrupted pass resumes: mined runs are skipped)
  const window = Math.max(1, options.batchSize ?? 1_000);
  const analyses = new Map<string, ProgramAnalysis>();
  for (let cursor = pass.fromSeq; cursor < pass.toSeq; cursor += window) {
    if (options.signal?.aborted) throw new Error('mining interrupted; the next `accrete mine` resumes this pass');
    const batch = await runsToMine(database, cursor, Math.min(pass.toSeq, cursor + window));
    if (batch.length === 0) continue;
    const rows = batch.map((run) => {
      const a = analyzeProgram({ runId: run.runId, blocks: run.blocks });
      report.programsRead += run.blocks.length;
      report.runsRead++;
      if (a.ok) {
        report.parsed++;
        analyses.set(run.runId, a);
      } else {
        report.unparseable++;
        const k = reasonClass(a.reason);
        report.unparseableReasons[k] = (report.unparseableReasons[k] ?? 0) + 1;
      }
      return storeRow(run, pass.id, a);
    });
    if (options.embedder) {
      const parsedRows = rows.filter((r) => r.status === 'parsed');
      const texts = parsedRows.map((r) => semanticText(r.query, r.templates));
      const vectors = texts.length ? await options.embedder.embed(texts) : [];
      parsedRows.forEach((r, i) => (r.semanticEmbedding = vectors[i]));
    }
    for (let i = 0; i < rows.length; i += 500) await db.insert(minedPrograms).values(rows.slice(i, i + 500)).onConflictDoNothing();
    options.onProgress?.({ phase: 'parse', done: report.runsRead, total: pending });
  }
  // Programs of an interrupted earlier attempt of this pass, not yet clustered, join in too.
  const carried = await db
    .select({ runId: minedPrograms.runId, fingerprint: minedPrograms.fingerprint, structEmbedding: minedPrograms.structEmbedding })
    .from(minedPrograms)
    .where(and(eq(minedPrograms.passId, pass.id), eq(minedPrograms.status, 'parsed'), isNull(minedPrograms.clusterId), notJustALibraryCall));
  const newItems: ClusterItem[] = [];
  const carriedRows = carried.filter((r) => !analyses.has(r.runId));
  for (const a of analyses.values()) {
    if (justALibraryCall(a)) {
      report.libraryOnly++;
      continue;
    }
    newItems.push({ id: a.runId, embedding: a.embedding, tree: a.tree, fingerprint: a.fingerprint });
  }
  newItems.push(...(await itemsFromRows(database, carriedRows)));

  // 2. cluster
  const existingRows = await db.select().from(clusters);
  const medoidRows = existingRows.length
    ? await db
        .select({ runId: minedPrograms.runId, fingerprint: minedPrograms.fingerprint, structEmbedding: minedPrograms.structEmbedding })
        .from(minedPrograms)
        .where(inArray(minedPrograms.runId, existingRows.map((c) => c.representativeRunId).filter((x): x is string => Boolean(x))))
    : [];
  const medoids = new Map((await itemsFromRows(database, medoidRows)).map((i) => [i.id, i]));
  const existing: ExistingCluster[] = existingRows
    .filter((c) => c.representativeRunId && medoids.has(c.representativeRunId) && c.centroid)
    .map((c) => ({ id: c.id, centroid: c.centroid!, size: c.size, medoid: medoids.get(c.representativeRunId!)! }));
  const noiseRows = await db
    .select({ runId: minedPrograms.runId, fingerprint: minedPrograms.fingerprint, structEmbedding: minedPrograms.structEmbedding })
    .from(minedPrograms)
    .where(and(eq(minedPrograms.status, 'parsed'), isNull(minedPrograms.clusterId), sql`${minedPrograms.passId} <> ${pass.id}`, notJustALibraryCall))
    .orderBy(sql`${minedPrograms.createdAt} desc`)
    .limit(options.noisePoolLimit ?? 20_000);
  const noisePool = await itemsFromRows(database, noiseRows);
  const pool = [...newItems, ...noisePool];
  const mode = options.knn === 'database' || (options.knn !== 'memory' && pool.length > 3_000) ? 'database' : 'memory';
  const byId = new Map(pool.map((i) => [i.id, i]));
  let knn: KnnFn;
  if (mode === 'database') {
    knn = async (item, k) => {
      const rows = await nearest(database, item.embedding, k * 3);
      return rows.filter((r) => byId.has(r.runId)).slice(0, k).map((r): Neighbor => ({ id: r.runId, similarity: r.similarity }));
    };
  } else {
    knn = bruteForceKnn(pool);
  }
  const takenIds = new Set(existingRows.map((c) => c.id));
  let nextId = existingRows.reduce((m, c) => Math.max(m, Number(c.id.replace(/^c/, '')) || 0), 0) + 1;
  const result = await incrementalPass(newItems, existing, noisePool, knn, {
    newClusterId: () => {
      let id = `c${nextId++}`;
      while (takenIds.has(id)) id = `c${nextId++}`;
      takenIds.add(id);
      return id;
    },
  });
  options.onProgress?.({ phase: 'cluster', done: pool.length, total: pool.length });

  // 3. write assignments and clusters
  const clusterOf = async () => new Map((await database.query<{ run_id: string; cluster_id: string }>('select run_id, cluster_id from mined_programs where cluster_id is not null')).map((r) => [r.run_id, r.cluster_id]));
  const before = await clusterOf();
  await db.transaction(async (tx) => {
    const byCluster = new Map<string, string[]>();
    for (const [runId, clusterId] of result.assignments) {
      if (!clusterId) continue;
      const list = byCluster.get(clusterId) ?? [];
      list.push(runId);
      byCluster.set(clusterId, list);
    }
    for (const [clusterId, runIds] of byCluster) {
      for (let i = 0; i < runIds.length; i += 1_000) {
        await tx.update(minedPrograms).set({ clusterId }).where(inArray(minedPrograms.runId, runIds.slice(i, i + 1_000)));
      }
    }
    const touched = new Set([...byCluster.keys()]);
    const createdById = new Map(result.created.map((c) => [c.id, c]));
    for (const clusterId of touched) {
      const stats = await tx
        .select({
          size: sql<number>`count(*)::int`,
          support: sql<number>`count(*) filter (where ${minedPrograms.succeeded})::int`,
          skeleton: sql<string>`mode() within group (order by ${minedPrograms.skeleton})`,
          growth: sql<string>`mode() within group (order by ${minedPrograms.growth})`,
        })
        .from(minedPrograms)
        .where(eq(minedPrograms.clusterId, clusterId));
      const s = stats[0];
      const members = (await tx.select({ runId: minedPrograms.runId }).from(minedPrograms).where(eq(minedPrograms.clusterId, clusterId))).map((m) => m.runId);
      const created = createdById.get(clusterId);
      const updated = result.updated.get(clusterId);
      const centroid = created?.centroid ?? updated?.centroid;
      const representative = created?.medoid ?? existingRows.find((c) => c.id === clusterId)?.representativeRunId ?? members[0];
      const [rep] = await tx.select({ templates: minedPrograms.templates }).from(minedPrograms).where(eq(minedPrograms.runId, representative));
      const values = {
        size: s.size,
        support: s.support,
        successRate: s.size > 0 ? s.support / s.size : 0,
        skeleton: s.skeleton ?? '',
        growth: s.growth,
        templates: rep?.templates ?? [],
        representativeRunId: representative,
        centroid: centroid ?? null,
        membersHash: membersHash(members),
        updatedPass: pass.id,
        updatedAt: new Date(),
      };
      if (created) {
        await tx.insert(clusters).values({ id: clusterId, createdPass: pass.id, ...values });
        report.clustersNew++;
      } else {
        await tx.update(clusters).set(values).where(eq(clusters.id, clusterId));
        report.clustersGrown++;
      }
    }
    report.noise = [...result.assignments.entries()].filter(([id, c]) => c === null && analyses.has(id)).length;
    await tx
      .update(miningPasses)
      .set({ status: 'done', endedAt: new Date(), report: report as unknown as Record<string, unknown> })
      .where(eq(miningPasses.id, pass.id));
  });
  // Stability between passes: programs clustered before this pass that kept their cluster id.
  const after = await clusterOf();
  let kept = 0;
  for (const [runId, c] of before) if (after.get(runId) === c) kept++;
  report.stability = { previouslyClustered: before.size, kept, ratio: before.size ? kept / before.size : 1 };
  report.durationMs = Math.round(performance.now() - started);
  await db.update(miningPasses).set({ report: report as unknown as Record<string, unknown> }).where(eq(miningPasses.id, pass.id));
  return report;
}
