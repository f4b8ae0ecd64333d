/**
 * The typing pass falls back to `any` where the model's JavaScript gives the checker nothing to
 * infer (`let people = []` filled from `JSON.parse`). Emitted code carries no `any`: each one is
 * replaced by the first of a few concrete types (`unknown`, a record of unknowns, strings,
 * numbers) with which the function still type-checks. An `any` no alternative fits is left and
 * reported, for verify's type check and the evidence.
 */
import { checkSource } from '../verify/typecheck.js';

const ALTERNATIVES: Record<string, string[]> = {
  'any[]': ['Record<string, unknown>[]', 'string[]', 'unknown[]', 'number[]', 'string[][]'],
  any: ['Record<string, unknown>', 'string', 'unknown', 'number', 'string[]'],
};

/** `: any`, `: any[]`, `as any[]`, `Record<string, any>` — the spellings the typing pass writes. */
const ANY = /(:\s*|as\s+|Record<string,\s*)(any(?:\[\])?)\b(?!\w)/g;

export interface AvoidAnyResult {
  source: string;
  /** What replaced each `any`, and those that could not be replaced. */
  notes: string[];
}

export function avoidAny(source: string): AvoidAnyResult {
  let current = source;
  const notes: string[] = [];
  if (checkSource(current).diagnostics.length > 0) return { source, notes };
  for (let guard = 0; guard < 40; guard++) {
    const matches = [...current.matchAll(ANY)];
    let replaced = false;
    for (const m of matches) {
      const at = (m.index ?? 0) + m[1].length;
      const kind = m[2];
      for (const alt of ALTERNATIVES[kind] ?? []) {
        const next = current.slice(0, at) + alt + current.slice(at + kind.length);
        if (checkSource(next).diagnostics.length === 0) {
          notes.push(`${kind} → ${alt}`);
          current = next;
          replaced = true;
          break;
        }
      }
      if (replaced) break;
      notes.push(`kept ${kind} at character ${at}: no concrete type fits`);
    }
    if (!replaced) break;
  }
  return { source: current, notes: [...new Set(notes)] };
}
