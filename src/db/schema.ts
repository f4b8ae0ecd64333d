/**
 * The drizzle schema. A run maps to an OpenTelemetry trace, a program to a span and an LLM call to
 * a generation; columns follow the OpenTelemetry GenAI semantic conventions where one exists
 * (`gen_ai.request.model` → `gen_ai_request_model`, ...).
 */
import {
  bigint,
  bigserial,
  boolean,
  customType,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  vector,
} from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow();

/** Inputs, stored once per distinct content (sha256 of the bytes). */
export const contexts = pgTable('contexts', {
  sha256: text('sha256').primaryKey(),
  /** 'text' (UTF-8), 'json' (UTF-8 JSON text) or 'binary' (not valid UTF-8). */
  kind: text('kind').notNull(),
  sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
  /**
   * The bytes as text: UTF-8 text as it is, binary as base64 (`encoding`). Text rather than bytea
   * because PGlite moves bytea parameters ten times slower (25 s against 2.5 s for 50 MB).
   */
  content: text('content').notNull(),
  encoding: text('encoding').$type<'utf8' | 'base64'>().notNull(),
  createdAt: createdAt(),
});

/** `interrupted`: the process that ran it died (kill -9, a crash, a lost machine) before it ended. */
export const RUN_STATUSES = ['running', 'succeeded', 'failed', 'budget_exhausted', 'cancelled', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey(),
    parentRunId: uuid('parent_run_id'),
    rootRunId: uuid('root_run_id').notNull(),
    depth: integer('depth').notNull().default(0),
    /** 'runtime' for runs logged by accrete, 'import' for imported logs. */
    source: text('source').notNull().default('runtime'),
    query: text('query').notNull(),
    contextSha256: text('context_sha256').references(() => contexts.sha256),
    contextBytes: bigint('context_bytes', { mode: 'number' }),
    /** gen_ai.request.model of the root model and of sub-calls. */
    rootModel: text('gen_ai_request_model'),
    subModel: text('sub_model'),
    budgets: jsonb('budgets').$type<Record<string, number>>(),
    status: text('status').$type<RunStatus>().notNull(),
    answer: text('answer'),
    error: text('error'),
    iterations: integer('iterations').notNull().default(0),
    llmCalls: integer('llm_calls').notNull().default(0),
    inputTokens: bigint('gen_ai_usage_input_tokens', { mode: 'number' }).notNull().default(0),
    outputTokens: bigint('gen_ai_usage_output_tokens', { mode: 'number' }).notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    libraryCommit: text('library_commit'),
    libraryManifestHash: text('library_manifest_hash'),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    durationMs: integer('duration_ms'),
    /** The process running it (`accrete run`, a worker): a random id per process, its host and pid. */
    ownerId: text('owner_id'),
    ownerHost: text('owner_host'),
    ownerPid: integer('owner_pid'),
    /** Renewed while the run is running; a running run whose owner is gone is marked `interrupted`. */
    heartbeatAt: timestamp('heartbeat_at', { withTimezone: true, mode: 'date' }),
    /** The session (runtime.session, accrete chat) this run is a turn of; its turn number. */
    sessionId: uuid('session_id'),
    sessionTurn: integer('session_turn'),
  },
  (t) => [
    index('runs_root_idx').on(t.rootRunId),
    index('runs_session_idx').on(t.sessionId),
    index('runs_parent_idx').on(t.parentRunId),
    index('runs_started_idx').on(t.startedAt),
    index('runs_status_idx').on(t.status),
  ],
);

/** One iteration of the loop: what the root model said and what running its code printed. */
export const steps = pgTable(
  'steps',
  {
    id: uuid('id').primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id),
    idx: integer('idx').notNull(),
    response: text('response').notNull(),
    codeBlocks: jsonb('code_blocks').$type<string[]>().notNull(),
    /** Output as logged (capped), and its true length in characters. */
    output: text('output').notNull(),
    outputChars: integer('output_chars').notNull(),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull(),
    durationMs: integer('duration_ms').notNull(),
  },
  (t) => [uniqueIndex('steps_run_idx').on(t.runId, t.idx)],
);

export type ProgramStatus = 'ok' | 'error' | 'timeout' | 'final';

/** Every code block run: the miner's raw material. `seq` is the miner's watermark. */
export const programs = pgTable(
  'programs',
  {
    id: uuid('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id),
    stepId: uuid('step_id'),
    stepIdx: integer('step_idx').notNull(),
    blockIdx: integer('block_idx').notNull(),
    code: text('code').notNull(),
    codeSha256: text('code_sha256').notNull(),
    /** The query the run served. */
    query: text('query').notNull(),
    output: text('output').notNull().default(''),
    outputChars: integer('output_chars').notNull().default(0),
    /** The FINAL value when this block ended the run. */
    result: text('result'),
    status: text('status').$type<ProgramStatus>().notNull(),
    error: text('error'),
    callsModel: boolean('calls_model').notNull().default(false),
    llmCallCount: integer('llm_call_count').notNull().default(0),
    libCalls: jsonb('lib_calls').$type<string[]>(),
    durationMs: integer('duration_ms').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index('programs_run_idx').on(t.runId), uniqueIndex('programs_seq_idx').on(t.seq)],
);

/** 'compaction': the root model summarizing a session's older turns (--compact-at-tokens). */
export type LlmCallKind = 'root' | 'sub' | 'answer_now' | 'compaction';
export type LlmCallStatus = 'ok' | 'error' | 'cache_hit' | 'rejected';

export const llmCalls = pgTable(
  'llm_calls',
  {
    id: uuid('id').primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id),
    programId: uuid('program_id'),
    /** The call that caused this one (a sub-run's calls point at the rlm() call's id). */
    parentCallId: uuid('parent_call_id'),
    seq: integer('seq').notNull(),
    kind: text('kind').$type<LlmCallKind>().notNull(),
    operation: text('gen_ai_operation_name').notNull().default('chat'),
    provider: text('gen_ai_provider_name').notNull(),
    requestModel: text('gen_ai_request_model').notNull(),
    responseModel: text('gen_ai_response_model'),
    requestMessages: jsonb('request_messages').$type<{ role: string; content: string }[]>().notNull(),
    /** sha256 of model + messages: the replay key. */
    requestHash: text('request_hash').notNull(),
    response: text('response'),
    finishReason: text('gen_ai_response_finish_reasons'),
    inputTokens: integer('gen_ai_usage_input_tokens').notNull().default(0),
    outputTokens: integer('gen_ai_usage_output_tokens').notNull().default(0),
    cachedTokens: integer('gen_ai_usage_cache_read_input_tokens').notNull().default(0),
    reasoningTokens: integer('gen_ai_usage_reasoning_output_tokens').notNull().default(0),
    costUsd: doublePrecision('cost_usd').notNull().default(0),
    latencyMs: integer('latency_ms').notNull().default(0),
    status: text('status').$type<LlmCallStatus>().notNull(),
    error: text('error'),
    providerRequestId: text('gen_ai_response_id'),
    createdAt: createdAt(),
  },
  (t) => [index('llm_calls_run_idx').on(t.runId, t.seq), index('llm_calls_program_idx').on(t.programId)],
);

// ---------------------------------------------------------------------------------------------
// Batches (src/batch): queries submitted together, run by pg-boss workers on a Postgres server.

export const batches = pgTable('batches', {
  id: uuid('id').primaryKey(),
  /** Where the queries came from (the submitted file). */
  source: text('source'),
  items: integer('items').notNull(),
  /** Attempts an item gets when the worker running it dies (1 + retries). */
  maxAttempts: integer('max_attempts').notNull(),
  createdAt: createdAt(),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true, mode: 'date' }),
});

export type BatchItemStatus = 'queued' | 'running' | 'done' | 'failed' | 'interrupted' | 'cancelled';

/** One query of a batch. Its attempts (batch_attempts) link it to the runs that served it. */
export const batchItems = pgTable(
  'batch_items',
  {
    id: uuid('id').primaryKey(),
    batchId: uuid('batch_id')
      .notNull()
      .references(() => batches.id),
    /** Line number in the submitted file (1-based). */
    idx: integer('idx').notNull(),
    query: text('query').notNull(),
    contextSha256: text('context_sha256').references(() => contexts.sha256),
    model: text('model'),
    subModel: text('sub_model'),
    budgets: jsonb('budgets').$type<Record<string, number>>(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>(),
    status: text('status').$type<BatchItemStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** The pg-boss job that delivers the next attempt; a job with another id is stale and does nothing. */
    jobId: uuid('job_id'),
    /** The run of the latest attempt. */
    runId: uuid('run_id'),
    error: text('error'),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('batch_items_batch_idx').on(t.batchId, t.idx), index('batch_items_status_idx').on(t.status)],
);

/** Each attempt at a batch item: the run it started and how it ended. */
export const batchAttempts = pgTable(
  'batch_attempts',
  {
    itemId: uuid('item_id')
      .notNull()
      .references(() => batchItems.id),
    attempt: integer('attempt').notNull(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id),
    jobId: uuid('job_id'),
    /** running | done | failed | interrupted | cancelled */
    status: text('status').$type<BatchItemStatus>().notNull(),
    ownerId: text('owner_id').notNull(),
    ownerHost: text('owner_host').notNull(),
    ownerPid: integer('owner_pid').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.attempt] }), uniqueIndex('batch_attempts_run_idx').on(t.runId)],
);

/**
 * A token bucket per model endpoint shared by every worker: requests and tokens per minute (null:
 * no limit), what is left of each, and when it was last refilled. Taken by one atomic UPDATE.
 */
export const rateLimits = pgTable('rate_limits', {
  endpoint: text('endpoint').primaryKey(),
  requestsPerMinute: integer('requests_per_minute'),
  tokensPerMinute: integer('tokens_per_minute'),
  availableRequests: doublePrecision('available_requests').notNull(),
  availableTokens: doublePrecision('available_tokens').notNull(),
  refilledAt: timestamp('refilled_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

// ---------------------------------------------------------------------------------------------
// The miner (miner/): one analysed program per run, clusters, mining passes, promotions.

/** A halfvec of any dimension (semantic embeddings come in whatever size the endpoint returns). */
const anyHalfvec = customType<{ data: number[]; driverData: string }>({
  dataType: () => 'halfvec',
  toDriver: (v) => `[${v.join(',')}]`,
  fromDriver: (v) => (typeof v === 'string' ? (JSON.parse(v) as number[]) : (v as unknown as number[])),
});

/** Dimension of the hashed space of decomposition profiles (miner/represent/vectorize.ts PROFILE_DIM). */
export const PROFILE_VECTOR_DIM = 1 << 20;

/** A pgvector `sparsevec` in its text form (`{i:v,...}/dim`); the miner converts it. */
const sparsevecText = customType<{ data: string; driverData: string }>({
  dataType: () => `sparsevec(${PROFILE_VECTOR_DIM})`,
  toDriver: (v) => v,
  fromDriver: (v) => String(v),
});

/** Dimensions of the structural embedding (miner/embed.ts STRUCT_DIM; at most 2,000 for HNSW). */
export const STRUCT_EMBEDDING_DIM = 512;

export type MinedStatus = 'parsed' | 'unparseable';

/** A run's consolidated program as the miner saw it. Keyed by run: a run is mined once. */
export const minedPrograms = pgTable(
  'mined_programs',
  {
    runId: uuid('run_id')
      .primaryKey()
      .references(() => runs.id),
    /** The highest programs.seq folded into this analysis. */
    maxProgramSeq: bigint('max_program_seq', { mode: 'number' }).notNull(),
    passId: integer('pass_id').notNull(),
    status: text('status').$type<MinedStatus>().notNull(),
    reason: text('reason'),
    query: text('query').notNull(),
    succeeded: boolean('succeeded').notNull(),
    fingerprint: text('fingerprint'),
    /** Normalized text of the sliced program. */
    normalized: text('normalized'),
    /** The whole consolidated program, unsliced, as logged. */
    code: text('code').notNull(),
    skeleton: text('skeleton'),
    growth: text('growth'),
    templates: jsonb('templates').$type<unknown[]>(),
    libCalls: jsonb('lib_calls').$type<string[]>(),
    structEmbedding: vector('struct_embedding', { dimensions: STRUCT_EMBEDDING_DIM }),
    /** Optional semantic embedding of the query and prompt templates (any dimension; not indexed). */
    semanticEmbedding: anyHalfvec('semantic_embedding'),
    /** The decomposition profile: term bags per view (roles, flows, prompt words, ...) and its size. */
    profile: jsonb('profile').$type<Record<string, unknown>>(),
    /**
     * The profile as a TF-IDF vector (document frequencies as of its batch); similarity is the inner
     * product (`<#>`). Not indexed: a pass finds neighbours in memory (an inverted index over the pool).
     */
    profileVector: sparsevecText('profile_vector'),
    clusterId: text('cluster_id'),
    createdAt: createdAt(),
  },
  (t) => [
    index('mined_programs_cluster_idx').on(t.clusterId),
    index('mined_programs_fingerprint_idx').on(t.fingerprint),
  ],
);

export const clusters = pgTable('clusters', {
  /** Stable across passes: c1, c2, ... */
  id: text('id').primaryKey(),
  createdPass: integer('created_pass').notNull(),
  updatedPass: integer('updated_pass').notNull(),
  size: integer('size').notNull(),
  /** Distinct successful runs. */
  support: integer('support').notNull(),
  successRate: doublePrecision('success_rate').notNull(),
  skeleton: text('skeleton').notNull(),
  growth: text('growth'),
  templates: jsonb('templates').$type<unknown[]>(),
  representativeRunId: uuid('representative_run_id'),
  centroid: vector('centroid', { dimensions: STRUCT_EMBEDDING_DIM }),
  /** Mean profile vector of the members: a program's mean similarity to them is its inner product with it. */
  profileCentroid: sparsevecText('profile_centroid'),
  /** Mean similarity between distinct members: how tight the cluster is. */
  cohesion: doublePrecision('cohesion'),
  /** sha256 of the sorted member run ids: a promoted cluster is proposed again only if it changed. */
  membersHash: text('members_hash').notNull(),
  /** The last verification of the cluster (miner/verify ClusterVerification): status, coverage, reason, per-member replay. */
  verification: jsonb('verification').$type<Record<string, unknown>>(),
  updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

/** Document frequencies of profile terms (`view\u0001term`) over every parsed program, for TF-IDF. */
export const miningTerms = pgTable('mining_terms', {
  term: text('term').primaryKey(),
  df: integer('df').notNull(),
});

export type PassStatus = 'running' | 'done' | 'failed';

export const miningPasses = pgTable('mining_passes', {
  id: serial('id').primaryKey(),
  status: text('status').$type<PassStatus>().notNull(),
  /** Watermark: programs with fromSeq < seq <= toSeq were read in this pass. */
  fromSeq: bigint('from_seq', { mode: 'number' }).notNull(),
  toSeq: bigint('to_seq', { mode: 'number' }).notNull(),
  report: jsonb('report').$type<Record<string, unknown>>(),
  startedAt: timestamp('started_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  endedAt: timestamp('ended_at', { withTimezone: true, mode: 'date' }),
});

export type PromotionStatus = 'proposed' | 'merged' | 'retired' | 'rejected';

/** Functions proposed to the library: proposed → merged (branch in the library's main) → retired. */
export const promotions = pgTable(
  'promotions',
  {
    id: uuid('id').primaryKey(),
    clusterId: text('cluster_id').notNull(),
    /** The cluster's membersHash when proposed. */
    membersHash: text('members_hash').notNull(),
    name: text('name').notNull(),
    version: text('version').notNull(),
    branch: text('branch').notNull(),
    status: text('status').$type<PromotionStatus>().notNull(),
    libraryDir: text('library_dir').notNull(),
    commit: text('commit'),
    prUrl: text('pr_url'),
    support: integer('support').notNull(),
    coverage: doublePrecision('coverage').notNull(),
    gain: doublePrecision('gain').notNull(),
    evidence: jsonb('evidence').$type<Record<string, unknown>>(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [index('promotions_cluster_idx').on(t.clusterId), uniqueIndex('promotions_name_version_idx').on(t.name, t.version)],
);

export type LibCallStatus = 'ok' | 'error';

/** Every `lib.<name>(...)` call made by a run. */
export const libCalls = pgTable(
  'lib_calls',
  {
    id: uuid('id').primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id),
    programId: uuid('program_id'),
    name: text('name').notNull(),
    version: text('version').notNull(),
    durationMs: integer('duration_ms').notNull(),
    /** Model calls made inside the function. */
    llmCalls: integer('llm_calls').notNull().default(0),
    status: text('status').$type<LibCallStatus>().notNull(),
    error: text('error'),
    createdAt: createdAt(),
  },
  (t) => [index('lib_calls_run_idx').on(t.runId), index('lib_calls_name_idx').on(t.name)],
);

export type ToolCallStatus = 'ok' | 'error' | 'rejected';

/** Every `tools.<name>(args)` call a run's code made: arguments and result as JSON. */
export const toolCalls = pgTable(
  'tool_calls',
  {
    id: uuid('id').primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id),
    programId: uuid('program_id'),
    seq: integer('seq').notNull(),
    name: text('name').notNull(),
    args: jsonb('args'),
    result: jsonb('result'),
    /** 'rejected': never reached the handler (unknown tool, arguments against the schema, the budget). */
    status: text('status').$type<ToolCallStatus>().notNull(),
    error: text('error'),
    durationMs: integer('duration_ms').notNull().default(0),
    createdAt: createdAt(),
  },
  (t) => [index('tool_calls_run_idx').on(t.runId), index('tool_calls_name_idx').on(t.name)],
);
