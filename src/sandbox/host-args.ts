/**
 * The host's own check of every host call's arguments. The prelude validates them inside the
 * isolate, but model code can subvert what the prelude sees (override `items.map`, hand it objects
 * with a forged `length`), so the host trusts nothing but the JSON it receives: a query must be a
 * non-empty string, a context a string or a JSON value (sent as its JSON text, never as
 * `[object Object]`), a batch an array of such calls. A wrong shape is an error the model sees.
 */
import type { HostFunction } from './protocol.js';

export interface CheckedCall {
  query: string;
  context?: string;
}

/** A `tools.<name>(args)` call: the arguments as the JSON value that crossed the boundary. */
export interface ToolCallArgs {
  name: string;
  args: unknown;
}

export class HostArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TypeError';
  }
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

function checkCall(where: string, raw: unknown): CheckedCall {
  if (typeof raw === 'string') raw = { query: raw };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new HostArgumentError(`${where} must be {query, context} (got ${kind(raw)})`);
  const { query, context } = raw as Record<string, unknown>;
  if (typeof query !== 'string') throw new HostArgumentError(`${where}: query must be a string (got ${kind(query)})`);
  if (query.length === 0) throw new HostArgumentError(`${where}: query must be a non-empty string`);
  if (context === undefined || context === null) return { query };
  // The payload was JSON, so a non-string context is a JSON value: it goes to the model as JSON text.
  return { query, context: typeof context === 'string' ? context : JSON.stringify(context) };
}

/** The arguments of one host call, checked; throws HostArgumentError with what was wrong. */
export function checkHostArgs(fn: 'llm' | 'rlm', args: unknown): CheckedCall;
export function checkHostArgs(fn: 'llmBatch' | 'rlmBatch', args: unknown): { calls: CheckedCall[] };
export function checkHostArgs(fn: 'tool', args: unknown): ToolCallArgs;
export function checkHostArgs(fn: 'lib_event', args: unknown): Record<string, unknown>;
export function checkHostArgs(fn: HostFunction, args: unknown): CheckedCall | { calls: CheckedCall[] } | ToolCallArgs | Record<string, unknown> {
  if (fn === 'llm' || fn === 'rlm') return checkCall(`${fn}(query, context)`, args);
  if (fn === 'llmBatch' || fn === 'rlmBatch') {
    const calls = args && typeof args === 'object' ? (args as { calls?: unknown }).calls : undefined;
    if (!Array.isArray(calls)) throw new HostArgumentError(`${fn}(items): items must be an array of {query, context} (got ${kind(calls)})`);
    return { calls: calls.map((c, i) => checkCall(`${fn}: item ${i}`, c)) };
  }
  if (fn === 'tool') {
    const { name, args: toolArgs } = (args && typeof args === 'object' ? args : {}) as { name?: unknown; args?: unknown };
    if (typeof name !== 'string' || name === '') throw new HostArgumentError(`tools: the tool's name must be a non-empty string (got ${kind(name)})`);
    // The payload was JSON text: whatever arrived is a JSON value (a missing argument is null).
    return { name, args: toolArgs === undefined ? null : toolArgs };
  }
  if (!args || typeof args !== 'object' || Array.isArray(args)) throw new HostArgumentError(`${fn}: the event must be an object`);
  return args as Record<string, unknown>;
}
