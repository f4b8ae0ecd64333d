/** Clusters worth generalizing: enough distinct successful runs, a high enough success rate. */
import type { Database } from '../../src/db/connection.js';
import { loadClusters, type ClusterRow } from './members.js';
import type { EligibilityOptions } from './types.js';

export const DEFAULT_MIN_SUPPORT = 3;
export const DEFAULT_MIN_SUCCESS_RATE = 0.7;

/** Clusters that pass the thresholds, most supported first (gain is checked after generalizing). */
export async function eligibleClusters(database: Database, options: EligibilityOptions = {}): Promise<ClusterRow[]> {
  const minSupport = options.minSupport ?? DEFAULT_MIN_SUPPORT;
  const minSuccessRate = options.minSuccessRate ?? DEFAULT_MIN_SUCCESS_RATE;
  return (await loadClusters(database)).filter((c) => c.support >= minSupport && c.successRate >= minSuccessRate);
}
