/** Reading clusters and their members' logged programs from the database. */
import type { Database } from '../../src/db/connection.js';
import { blocksOf } from '../cluster/store.js';
import type { BlockInput } from '../front/types.js';

export interface ClusterRow {
  id: string;
  size: number;
  support: number;
  successRate: number;
  skeleton: string;
  growth: string | null;
  templates: unknown[];
  representativeRunId: string | null;
  membersHash: string;
}

export interface MemberRun {
  runId: string;
  query: string;
  answer: string | null;
  /** 'runtime' or 'import'. */
  source: string;
  contextSha256: string | null;
  blocks: BlockInput[];
}

interface ClusterSqlRow {
  id: string;
  size: number;
  support: number;
  success_rate: number;
  skeleton: string;
  growth: string | null;
  templates: unknown[] | null;
  representative_run_id: string | null;
  members_hash: string;
}

const toCluster = (r: ClusterSqlRow): ClusterRow => ({
  id: r.id,
  size: Number(r.size),
  support: Number(r.support),
  successRate: Number(r.success_rate),
  skeleton: r.skeleton,
  growth: r.growth,
  templates: Array.isArray(r.templates) ? r.templates : [],
  representativeRunId: r.representative_run_id,
  membersHash: r.members_hash,
});

const CLUSTER_COLUMNS = 'id, size, support, success_rate, skeleton, growth, templates, representative_run_id, members_hash';

export async function loadClusters(database: Database): Promise<ClusterRow[]> {
  const rows = await database.query<ClusterSqlRow>(`select ${CLUSTER_COLUMNS} from clusters order by support desc, id`);
  return rows.map(toCluster);
}

export async function loadCluster(database: Database, clusterId: string): Promise<ClusterRow | undefined> {
  const [row] = await database.query<ClusterSqlRow>(`select ${CLUSTER_COLUMNS} from clusters where id = $1`, [clusterId]);
  return row ? toCluster(row) : undefined;
}

/** The successful runs of a cluster with their logged blocks, oldest first. */
export async function loadSuccessfulMembers(database: Database, clusterId: string): Promise<MemberRun[]> {
  const rows = await database.query<{ id: string; query: string; answer: string | null; source: string; context_sha256: string | null }>(
    `select r.id, r.query, r.answer, r.source, r.context_sha256
       from mined_programs m join runs r on r.id = m.run_id
      where m.cluster_id = $1 and m.status = 'parsed' and r.status = 'succeeded'
      order by r.started_at, r.id`,
    [clusterId],
  );
  const blocks = await blocksOf(database, rows.map((r) => r.id));
  return rows.map((r) => ({
    runId: r.id,
    query: r.query,
    answer: r.answer,
    source: r.source,
    contextSha256: r.context_sha256,
    blocks: blocks.get(r.id) ?? [],
  }));
}
