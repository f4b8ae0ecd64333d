/**
 * One mining pass, incremental over the programs logged since the last one (a watermark on
 * programs.seq): the front end analyzes every finished run's program (parse, slice, normalize,
 * skeleton, structural embedding), represent/ profiles its decomposition (roles, flows, prompt
 * words, vocabulary, query), and the pass stores both; then the new programs are clustered by
 * their profile vectors — joining existing clusters where they fit, forming new ones from the
 * rest and the noise of earlier passes. Simple lookups (no fan-out, one model call, few roles)
 * are stored but never clustered: there is nothing in them to generalize. Interrupted passes resume: runs are mined at most once (keyed
 * by run), and a pass left `running` is taken over by the next one.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { sha256 } from '../../src/contracts/hash.js';
import type { Database } from '../../src/db/connection.js';
import { clusters, minedPrograms, miningPasses } from '../../src/db/schema.js';
import type { Embedder } from '../../src/models/embeddings.js';
import { consolidate } from '../front/consolidate.js';
import { analyzeProgram } from '../front/parse.js';
import type { BlockInput, ProgramAnalysis } from '../front/types.js';
import { type Profile, profileProgram } from '../represent/profile.js';
import { fromSparsevecText, type SparseVector, toSparsevecText, vectorKey } from '../represent/sparse.js';
import { PROFILE_DIM, type TermStatistics, termCounts, VIEW_WEIGHTS, vectorize } from '../represent/vectorize.js';
import { clusterIncrementally, type ExistingProfileCluster, grownSummary, type ProfileItem, summarizeMembers } from './incremental.js';
import { addTermCounts, blocksOf, loadTermStatistics, parseVector, type RunToMine, runsToMine, safeWatermark } from './store.js';

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
  /** A program joins a cluster at this fraction of the cluster's cohesion (default 0.7). */
  attach?: number;
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
  /** Programs of this pass that are simple lookups (no fan-out, one model call, few roles): never clustered. */
  simple: number;
  /** Programs of this pass that only call one library function: not mined again as new clusters. */
  libraryOnly: number;
  /** Of the programs clustered before this pass, the share whose cluster id did not change. */
  stability: { previouslyClustered: number; kept: number; ratio: number };
  resumed: boolean;
  durationMs: number;
  /** Where the time went: front end and profiles, database reads and writes, clustering, writing clusters. */
  timings?: { analyzeMs: number; storeMs: number; clusterMs: number; writeMs: number };
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

function storeRow(run: RunToMine, passId: number, a: ReturnType<typeof analyzeProgram>, profile: Profile | undefined): typeof minedPrograms.$inferInsert {
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
    profile: profile as unknown as Record<string, unknown>,
  };
}

/** The decomposition profile of a run: the blocks that ran (a failed step gives way to its repair). */
export function profileOf(blocks: readonly BlockInput[], query: string, runId = ''): Profile {
  const program = consolidate({ runId, blocks: [...blocks] });
  return profileProgram(program.contributingCode || program.fullCode, query);
}

/** A stored profile, or undefined when the row predates profiles. */
function storedProfile(value: unknown): Profile | undefined {
  return value && typeof value === 'object' && 'views' in value ? (value as Profile) : undefined;
}

interface PoolRow {
  runId: string;
  fingerprint: string | null;
  structEmbedding: number[] | null;
  semanticEmbedding: number[] | null;
  profile: unknown;
}

/** Profile items of stored programs, vectorized with the current document frequencies. */
function itemsOf(rows: readonly PoolRow[], stats: TermStatistics): ProfileItem[] {
  const out: ProfileItem[] = [];
  for (const r of rows) {
    const p = storedProfile(r.profile);
    if (!p || p.simple) continue;
    const vector = vectorize(p, stats, r.structEmbedding ? parseVector(r.structEmbedding) : undefined, VIEW_WEIGHTS, r.semanticEmbedding);
    out.push({ id: r.runId, key: vectorKey(vector), vector });
  }
  return out;
}

const poolColumns = { runId: minedPrograms.runId, fingerprint: minedPrograms.fingerprint, structEmbedding: minedPrograms.structEmbedding, semanticEmbedding: minedPrograms.semanticEmbedding, profile: minedPrograms.profile };

/**
 * Programs mined before profiles existed get one now (from their logged blocks), and their terms
 * join the document frequencies: an upgraded database clusters everything it holds.
 */
async function backfillProfiles(database: Database): Promise<number> {
  let done = 0;
  for (;;) {
    const rows = await database.db
      .select({ runId: minedPrograms.runId, query: minedPrograms.query })
      .from(minedPrograms)
      .where(and(eq(minedPrograms.status, 'parsed'), isNull(minedPrograms.profile)))
      .limit(1_000);
    if (rows.length === 0) return done;
    const blocks = await blocksOf(database, rows.map((r) => r.runId));
    const profiles = rows.map((r) => ({ runId: r.runId, profile: profileOf(blocks.get(r.runId) ?? [], r.query, r.runId) }));
    await database.db.transaction(async (tx) => {
      for (const p of profiles) await tx.update(minedPrograms).set({ profile: p.profile as unknown as Record<string, unknown> }).where(eq(minedPrograms.runId, p.runId));
      await addTermCounts(tx, termCounts(profiles.map((p) => p.profile)));
    });
    done += rows.length;
  }
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
    simple: 0,
    libraryOnly: 0,
    stability: { previouslyClustered: 0, kept: 0, ratio: 1 },
    resumed: pass.resumed,
    durationMs: 0,
  };
  await backfillProfiles(database);
  const [{ n: pending }] = await database.query<{ n: number }>(
    `select count(distinct p.run_id)::int as n from programs p join runs r on r.id = p.run_id
      where p.seq > $1 and p.seq <= $2 and r.status <> 'running' and not exists (select 1 from mined_programs m where m.run_id = p.run_id)`,
    [pass.fromSeq, pass.toSeq],
  );
  // 1. analyze, profile, store — window by window over the watermark range, each batch committed
  //    with its terms' document frequencies (an interrupted pass resumes: mined runs are skipped)
  const window = Math.max(1, options.batchSize ?? 1_000);
  const analyses = new Map<string, ProgramAnalysis>();
  const profiles = new Map<string, Profile>();
  const semantics = new Map<string, number[]>();
  // document frequencies as of now, kept up to date batch by batch (the table in the same transactions)
  const stats = await loadTermStatistics(database);
  const timings = { analyzeMs: 0, storeMs: 0, clusterMs: 0, writeMs: 0 };
  let mark = performance.now();
  const lap = (key: keyof typeof timings): void => {
    const now = performance.now();
    timings[key] += now - mark;
    mark = now;
  };
  for (let cursor = pass.fromSeq; cursor < pass.toSeq; cursor += window) {
    if (options.signal?.aborted) throw new Error('mining interrupted; the next `accrete mine` resumes this pass');
    const batch = await runsToMine(database, cursor, Math.min(pass.toSeq, cursor + window));
    if (batch.length === 0) continue;
    const rows = batch.map((run) => {
      const a = analyzeProgram({ runId: run.runId, blocks: run.blocks, language: run.language });
      report.programsRead += run.blocks.length;
      report.runsRead++;
      let profile: Profile | undefined;
      if (a.ok) {
        report.parsed++;
        analyses.set(run.runId, a);
        profile = profileOf(run.blocks, run.query, run.runId);
        profiles.set(run.runId, profile);
      } else {
        report.unparseable++;
        const k = reasonClass(a.reason);
        report.unparseableReasons[k] = (report.unparseableReasons[k] ?? 0) + 1;
      }
      return storeRow(run, pass.id, a, profile);
    });
    lap('analyzeMs');
    if (options.embedder) {
      const parsedRows = rows.filter((r) => r.status === 'parsed');
      const texts = parsedRows.map((r) => semanticText(r.query, r.templates));
      const vectors = texts.length ? await options.embedder.embed(texts) : [];
      parsedRows.forEach((r, i) => (r.semanticEmbedding = vectors[i]));
    }
    // the stored vector uses the document frequencies including this batch
    const batchProfiles = rows.flatMap((row) => (profiles.has(row.runId) ? [{ row, profile: profiles.get(row.runId) as Profile }] : []));
    for (const { profile } of batchProfiles) stats.add(profile);
    for (const { row, profile } of batchProfiles) {
      if (row.semanticEmbedding) semantics.set(row.runId, row.semanticEmbedding);
      row.profileVector = toSparsevecText(vectorize(profile, stats, analyses.get(row.runId)?.embedding, VIEW_WEIGHTS, row.semanticEmbedding), PROFILE_DIM);
    }
    await db.transaction(async (tx) => {
      const inserted: string[] = [];
      for (let i = 0; i < rows.length; i += 500) {
        const done = await tx.insert(minedPrograms).values(rows.slice(i, i + 500)).onConflictDoNothing().returning({ runId: minedPrograms.runId });
        inserted.push(...done.map((d) => d.runId));
      }
      await addTermCounts(tx, termCounts(inserted.flatMap((id) => (profiles.has(id) ? [profiles.get(id) as Profile] : []))));
    });
    lap('storeMs');
    options.onProgress?.({ phase: 'parse', done: report.runsRead, total: pending });
  }

  // 2. the pool: this pass's programs (and those of an interrupted attempt of it), and the noise
  //    of earlier passes; each vectorized with the document frequencies as they are now
  const carried = await db
    .select(poolColumns)
    .from(minedPrograms)
    .where(and(eq(minedPrograms.passId, pass.id), eq(minedPrograms.status, 'parsed'), isNull(minedPrograms.clusterId), notJustALibraryCall));
  const newItems: ProfileItem[] = [];
  for (const a of analyses.values()) {
    if (justALibraryCall(a)) {
      report.libraryOnly++;
      continue;
    }
    const profile = profiles.get(a.runId);
    if (!profile) continue;
    const vector = vectorize(profile, stats, a.embedding, VIEW_WEIGHTS, semantics.get(a.runId));
    if (profile.simple) {
      report.simple++;
      continue;
    }
    newItems.push({ id: a.runId, key: vectorKey(vector), vector });
  }
  newItems.push(...itemsOf(carried.filter((r) => !analyses.has(r.runId)), stats));

  const existingRows = await db.select().from(clusters);
  const existing: ExistingProfileCluster[] = [];
  for (const c of existingRows) {
    if (c.profileCentroid && c.cohesion !== null) existing.push({ id: c.id, centroid: fromSparsevecText(c.profileCentroid), cohesion: c.cohesion, size: c.size });
    else {
      // a cluster from before profiles: summarize its members now
      const members = await db.select(poolColumns).from(minedPrograms).where(eq(minedPrograms.clusterId, c.id));
      const items = itemsOf(members, stats);
      if (items.length === 0) continue;
      const summary = summarizeMembers(items);
      existing.push({ id: c.id, centroid: summary.centroid, cohesion: summary.cohesion, size: c.size });
      // kept, so that later passes need not read its members again
      await db.update(clusters).set({ profileCentroid: toSparsevecText(summary.centroid, PROFILE_DIM), cohesion: summary.cohesion }).where(eq(clusters.id, c.id));
    }
  }
  const noiseRows = await db
    .select(poolColumns)
    .from(minedPrograms)
    .where(and(eq(minedPrograms.status, 'parsed'), isNull(minedPrograms.clusterId), sql`${minedPrograms.passId} <> ${pass.id}`, notJustALibraryCall))
    .orderBy(sql`${minedPrograms.createdAt} desc`)
    .limit(options.noisePoolLimit ?? 20_000);
  const noisePool = itemsOf(noiseRows, stats);

  // 3. cluster
  lap('storeMs');
  const vectorOf = new Map(newItems.map((i) => [i.id, i.vector]));
  const takenIds = new Set(existingRows.map((c) => c.id));
  let nextId = existingRows.reduce((m, c) => Math.max(m, Number(c.id.replace(/^c/, '')) || 0), 0) + 1;
  const result = clusterIncrementally(newItems, existing, noisePool, {
    attach: options.attach,
    newClusterId: () => {
      let id = `c${nextId++}`;
      while (takenIds.has(id)) id = `c${nextId++}`;
      takenIds.add(id);
      return id;
    },
  });
  options.onProgress?.({ phase: 'cluster', done: newItems.length + noisePool.length, total: newItems.length + noisePool.length });

  lap('clusterMs');
  // 4. write assignments and clusters
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
    const createdById = new Map(result.created.map((c) => [c.id, c]));
    for (const clusterId of byCluster.keys()) {
      const stats2 = await tx
        .select({
          size: sql<number>`count(*)::int`,
          support: sql<number>`count(*) filter (where ${minedPrograms.succeeded})::int`,
          skeleton: sql<string>`mode() within group (order by ${minedPrograms.skeleton})`,
          growth: sql<string>`mode() within group (order by ${minedPrograms.growth})`,
        })
        .from(minedPrograms)
        .where(eq(minedPrograms.clusterId, clusterId));
      const s = stats2[0];
      const members = (await tx.select({ runId: minedPrograms.runId }).from(minedPrograms).where(eq(minedPrograms.clusterId, clusterId))).map((m) => m.runId);
      const created = createdById.get(clusterId);
      const before = existing.find((c) => c.id === clusterId);
      const row = existingRows.find((c) => c.id === clusterId);
      let summary: { centroid: SparseVector; cohesion: number };
      let structure: number[] | null;
      if (created) {
        summary = created;
        const structs = (await tx.select({ s: minedPrograms.structEmbedding }).from(minedPrograms).where(eq(minedPrograms.clusterId, clusterId))).flatMap((m) => (m.s ? [parseVector(m.s)] : []));
        structure = structs.length ? meanVector(structs) : null;
      } else if (before) {
        // grown: updated from what is stored, without reading every member again
        const joined = (result.joined.get(clusterId) ?? []).map((id) => vectorOf.get(id)).filter((v): v is SparseVector => v !== undefined);
        summary = grownSummary(before, joined);
        const newStructs = (result.joined.get(clusterId) ?? []).flatMap((id) => (analyses.get(id)?.embedding ? [analyses.get(id)?.embedding as number[]] : []));
        const old = row?.centroid ? parseVector(row.centroid) : null;
        structure = old ? meanVector([old.map((x) => x * before.size), ...newStructs]) : newStructs.length ? meanVector(newStructs) : null;
      } else {
        // a cluster from before profiles that no program joined by its centroid: summarize its members
        const memberRows = await tx.select(poolColumns).from(minedPrograms).where(eq(minedPrograms.clusterId, clusterId));
        summary = summarizeMembers(itemsOf(memberRows, stats));
        const structs = memberRows.flatMap((m) => (m.structEmbedding ? [parseVector(m.structEmbedding)] : []));
        structure = structs.length ? meanVector(structs) : null;
      }
      const representative = created?.representative ?? row?.representativeRunId ?? members[0];
      const [rep] = await tx.select({ templates: minedPrograms.templates }).from(minedPrograms).where(eq(minedPrograms.runId, representative));
      const values = {
        size: s.size,
        support: s.support,
        successRate: s.size > 0 ? s.support / s.size : 0,
        skeleton: s.skeleton ?? '',
        growth: s.growth,
        templates: rep?.templates ?? [],
        representativeRunId: representative,
        centroid: structure,
        profileCentroid: toSparsevecText(summary.centroid, PROFILE_DIM),
        cohesion: summary.cohesion,
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
    report.noise = [...result.assignments.entries()].filter(([id, c]) => c === null && analyses.has(id)).length + report.simple;
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
  lap('writeMs');
  report.timings = { analyzeMs: Math.round(timings.analyzeMs), storeMs: Math.round(timings.storeMs), clusterMs: Math.round(timings.clusterMs), writeMs: Math.round(timings.writeMs) };
  report.durationMs = Math.round(performance.now() - started);
  await db.update(miningPasses).set({ report: report as unknown as Record<string, unknown> }).where(eq(miningPasses.id, pass.id));
  return report;
}

/** The mean of vectors, L2-normalized (the structural centroid kept for display). */
function meanVector(vs: readonly number[][]): number[] {
  const out = new Array<number>(vs[0].length).fill(0);
  for (const v of vs) for (let i = 0; i < out.length; i++) out[i] += v[i];
  const norm = Math.sqrt(out.reduce((s, x) => s + x * x, 0)) || 1;
  return out.map((x) => x / norm);
}
