/**
 * The CLI's configuration, resolved in one place: the only module of accrete that reads
 * environment variables. Each setting is its flag, then its environment variable, then the
 * default; commands pass the values down as options (the runtime, the miner, the library and the
 * evaluation harness never read the environment themselves).
 */
import { resolveDbLocation } from '../db/location.js';
import { resolveLibraryDir } from '../library/location.js';
import type { ModelConfig } from '../models/resolve.js';
import { githubConfigFromEnv } from '../../miner/promote/github.js';
import type { GitHubConfig } from '../../miner/promote/types.js';

/** What the environment says, read once. */
export interface Environment {
  /** ACCRETE_DB, then DATABASE_URL. */
  db?: string;
  /** ACCRETE_MODEL, ACCRETE_SUB_MODEL. */
  model?: string;
  subModel?: string;
  /** OPENAI_API_KEY, OPENAI_BASE_URL. */
  apiKey?: string;
  baseURL?: string;
  /** ACCRETE_LIBRARY_DIR. */
  libraryDir?: string;
  /** ACCRETE_EMBEDDING_MODEL (mining), ACCRETE_LIBRARY_EMBEDDING_MODEL (retrieval). */
  embeddingModel?: string;
  libraryEmbeddingModel?: string;
  /** GITHUB_TOKEN + GITHUB_REPOSITORY (+ GITHUB_API_URL). */
  github?: GitHubConfig;
  /** BENCH_DATABASE_URL, then TEST_DATABASE_URL: a server `accrete bench runtime` measures too. */
  benchDatabaseUrl?: string;
  /**
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, then OTEL_EXPORTER_OTLP_ENDPOINT: when set, runs are sent as
   * OpenTelemetry traces (the exporter reads these and the other OTEL_* variables itself).
   */
  otelEndpoint?: string;
  /** OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL. */
  otelProtocol?: string;
  /** ACCRETE_DEBUG: print stacks of unexpected errors. */
  debug: boolean;
  /** CI: no progress line. */
  ci: boolean;
}

const set = (v: string | undefined): string | undefined => (v && v.trim() ? v.trim() : undefined);

/** Reads the variables accrete understands (the process environment by default). */
export function readEnvironment(env: NodeJS.ProcessEnv = process.env): Environment {
  return {
    db: set(env.ACCRETE_DB) ?? set(env.DATABASE_URL),
    model: set(env.ACCRETE_MODEL),
    subModel: set(env.ACCRETE_SUB_MODEL),
    apiKey: set(env.OPENAI_API_KEY),
    baseURL: set(env.OPENAI_BASE_URL),
    libraryDir: set(env.ACCRETE_LIBRARY_DIR),
    embeddingModel: set(env.ACCRETE_EMBEDDING_MODEL),
    libraryEmbeddingModel: set(env.ACCRETE_LIBRARY_EMBEDDING_MODEL),
    github: githubConfigFromEnv(env),
    benchDatabaseUrl: set(env.BENCH_DATABASE_URL) ?? set(env.TEST_DATABASE_URL),
    otelEndpoint: set(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) ?? set(env.OTEL_EXPORTER_OTLP_ENDPOINT),
    otelProtocol: set(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL) ?? set(env.OTEL_EXPORTER_OTLP_PROTOCOL),
    debug: Boolean(set(env.ACCRETE_DEBUG)),
    ci: Boolean(set(env.CI)),
  };
}

/** The process environment, as accrete reads it. */
export function environment(): Environment {
  return readEnvironment();
}

/** --db, then ACCRETE_DB, then DATABASE_URL, then ./.accrete/db. */
export function dbLocation(flag?: string, env: Environment = environment()): string {
  return resolveDbLocation(flag || env.db);
}

/** --library, then ACCRETE_LIBRARY_DIR, then ./.accrete/library; absolute. */
export function libraryDir(flag?: string, env: Environment = environment()): string {
  return resolveLibraryDir(flag || env.libraryDir);
}

/** The OpenAI-compatible endpoint: --base-url, then OPENAI_BASE_URL; the key from OPENAI_API_KEY. */
export function openaiConfig(flags: { baseUrl?: string; requestTimeoutMs?: number; retries?: number } = {}, env: Environment = environment()): ModelConfig {
  return { apiKey: env.apiKey, baseURL: flags.baseUrl || env.baseURL, timeoutMs: flags.requestTimeoutMs, maxRetries: flags.retries };
}


/**
 * OpenTelemetry export of runs: on with --otel or when an OTLP endpoint variable is set, off with
 * --no-otel; --otel-endpoint URL gives the endpoint (and turns it on). The protocol must be one
 * accrete speaks (OTLP over HTTP): asked for explicitly, another is a usage error; set only in the
 * environment, it turns the export off with a warning (a run never fails for its telemetry).
 */
export function otelSetting(
  flags: { otel?: boolean; otelEndpoint?: string },
  env: Environment = environment(),
): { options?: { endpoint?: string }; warning?: string; error?: string } {
  const explicit = flags.otel === true || flags.otelEndpoint !== undefined;
  if (flags.otel === false || (!explicit && !env.otelEndpoint)) return {};
  if (env.otelProtocol && env.otelProtocol !== 'http/protobuf' && env.otelProtocol !== 'http/json') {
    const why = `OTEL_EXPORTER_OTLP_PROTOCOL=${env.otelProtocol}: accrete sends OTLP over HTTP (http/protobuf or http/json, usually port 4318)`;
    return explicit ? { error: why } : { warning: `${why}; runs are not exported` };
  }
  return { options: flags.otelEndpoint ? { endpoint: flags.otelEndpoint } : {} };
}
