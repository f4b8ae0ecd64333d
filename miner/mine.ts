/**
 * `accrete mine`: the whole nightly pass — parse, normalize, embed and cluster what was logged
 * since the last pass (miner/pass.ts), then generalize, verify and promote (later stages).
 */
import type { Database } from '../src/db/connection.js';
import { type MineOptions, minePass, type MineReport } from './pass.js';

export interface MiningOptions extends MineOptions {
  /** Compute everything, propose nothing. */
  dryRun?: boolean;
}

export interface MiningReport {
  pass: MineReport;
}

export async function runMining(database: Database, options: MiningOptions = {}): Promise<MiningReport> {
  const pass = await minePass(database, options);
  return { pass };
}
