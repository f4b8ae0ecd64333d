/** Checks a candidate before anything is written, with messages that say what to fix. */
import { LIBRARY_PRIMITIVES_PHRASE } from '../../src/contracts/sandbox-api.js';
import { FUNCTION_NAME } from '../../src/library/format.js';
import type { PromotionCandidate } from './types.js';

export class CandidateError extends Error {
  constructor(name: string, problem: string) {
    super(`cannot propose "${name}": ${problem}`);
    this.name = 'CandidateError';
  }
}

const SAFE_RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function validateCandidate(c: PromotionCandidate): void {
  const fail = (problem: string): never => {
    throw new CandidateError(c.name, problem);
  };
  if (!FUNCTION_NAME.test(c.name)) fail(`the name must be a lower camelCase identifier (${FUNCTION_NAME.source})`);
  if (!new RegExp(`export\\s+async\\s+function\\s+${c.name}\\s*\\(`).test(c.source)) fail(`the source must declare \`export async function ${c.name}(...)\``);
  if (/^\s*import[\s{*'"]/m.test(c.source) || /\bimport\s*\(/.test(c.source) || /\brequire\s*\(/.test(c.source)) {
    fail(`library functions import nothing: use the free primitives ${LIBRARY_PRIMITIVES_PHRASE}`);
  }
  if (!c.signature.trim()) fail('the signature is empty');
  for (const [k, v] of Object.entries({ support: c.support, successRate: c.successRate, gain: c.gain, coverage: c.coverage })) {
    if (!Number.isFinite(v)) fail(`${k} must be a finite number (got ${String(v)})`);
  }
  const ids = new Set<string>();
  for (const f of c.fixtures) {
    if (!SAFE_RUN_ID.test(f.runId)) fail(`the fixture run id "${f.runId}" cannot be a file name`);
    if (ids.has(f.runId)) fail(`two fixtures for run ${f.runId}`);
    ids.add(f.runId);
    if (!Array.isArray(f.args) || !Array.isArray(f.calls) || typeof f.answer !== 'string' || !f.responses || typeof f.responses !== 'object') {
      fail(`the fixture of run ${f.runId} needs args[], responses{}, calls[] and a string answer`);
    }
    const missing = f.calls.find((k) => !(k in f.responses));
    if (missing) fail(`the fixture of run ${f.runId} calls ${missing} but records no response for it`);
  }
}
