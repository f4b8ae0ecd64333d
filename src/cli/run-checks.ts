/**
 * What the commands that run queries (run, mcp) check before a run and say after it: a model that
 * needs an endpoint nobody configured, a configuration error that is the user's to fix (a usage
 * error, exit 2), an empty answer, and the line that reports a run that did not succeed.
 */
import { LibraryError } from '../library/load.js';
import { DEFAULT_ROOT_MODEL, isEndpointModel, type ModelConfig, ModelSpecError } from '../models/resolve.js';
import type { RunSummary } from '../runtime/run.js';
import { UsageError } from './errors.js';

/**
 * Refuses at once (instead of a "Connection error" after the retries) when the root model, or a
 * sub-model given explicitly, is a model on the OpenAI-compatible endpoint and neither a key nor an
 * endpoint is configured.
 */
export function checkModelAccess(models: { model?: string; subModel?: string }, openai: ModelConfig): void {
  if (openai.apiKey || openai.baseURL) return;
  const root = models.model ?? DEFAULT_ROOT_MODEL;
  const needing = [root, models.subModel].filter((m): m is string => typeof m === 'string' && isEndpointModel(m));
  if (needing.length === 0) return;
  throw new UsageError(
    `no model key or endpoint is configured for ${needing.join(' and ')}: set OPENAI_API_KEY (or OPENAI_BASE_URL, or --base-url, for an OpenAI-compatible server such as a local one), or try the simulated models with --model sim:root`,
  );
}

/** A library, a pin or a model spec that cannot be used as configured: a usage error saying so. */
export function asUsageError(err: unknown): unknown {
  return err instanceof LibraryError || err instanceof ModelSpecError ? new UsageError(err.message) : err;
}

/** Why a run that "succeeded" is no plain success: its answer is empty. */
export function emptyAnswerWarning(summary: RunSummary): string | undefined {
  if (summary.status !== 'succeeded' || (summary.answer ?? '').trim() !== '') return undefined;
  return 'the run ended with an empty answer (FINAL was given nothing to say); see accrete show for what the model did';
}

/** `run ID STATUS: why`, without repeating the status when the reason already starts with it. */
export function outcomeLine(summary: RunSummary): string {
  const why = (summary.error ?? '').replace(new RegExp(`^${summary.status}:\\s*`), '');
  return `run ${summary.runId} ${summary.status}${why ? `: ${why}` : ''}`;
}
