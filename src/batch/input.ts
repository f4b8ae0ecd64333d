/**
 * The file `accrete submit` reads: one query a line, as JSON —
 * `{query, context | contextFile | contextUrl?, model?, subModel?, budgets?, metadata?}`. Every line
 * is checked before anything is enqueued; each problem is reported with its line number.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { type Budgets, DEFAULT_BUDGETS } from '../runtime/budget.js';
import { type ContextInput, prepareContext, type PreparedContext } from '../runtime/context.js';

export interface BatchLine {
  /** 1-based line number in the file. */
  line: number;
  query: string;
  context: PreparedContext;
  model?: string;
  subModel?: string;
  budgets?: Partial<Budgets>;
  metadata?: Record<string, unknown>;
}

export interface LineProblem {
  line: number;
  error: string;
}

const KEYS = ['query', 'context', 'contextFile', 'contextUrl', 'model', 'subModel', 'budgets', 'metadata'];
const BUDGET_KEYS = Object.keys(DEFAULT_BUDGETS) as (keyof Budgets)[];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ReadOptions {
  /** contextFile paths are relative to this directory (the file's). */
  baseDir: string;
  /** Checks a model spec; returns a problem, or null when it resolves. */
  checkModel?: (spec: string) => string | null;
  /** Fetches a contextUrl (default: fetch). */
  fetchText?: (url: string) => Promise<Uint8Array>;
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** One line's fields, checked; the context is read (file, URL) by the caller. */
function checkFields(v: unknown, opts: ReadOptions): { fields: Record<string, unknown> } | { error: string } {
  if (!isObject(v)) return { error: 'expected a JSON object like {"query": "...", "context": "..."}' };
  const unknown = Object.keys(v).filter((k) => !KEYS.includes(k));
  if (unknown.length) return { error: `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; the fields are ${KEYS.join(', ')}` };
  if (typeof v.query !== 'string' || v.query.trim() === '') return { error: '"query" must be a non-empty string' };
  const sources = ['context', 'contextFile', 'contextUrl'].filter((k) => v[k] !== undefined);
  if (sources.length > 1) return { error: `give the input once: ${sources.join(' and ')} are both set` };
  if (v.contextFile !== undefined && (typeof v.contextFile !== 'string' || v.contextFile === '')) return { error: '"contextFile" must be a path' };
  if (v.contextUrl !== undefined && (typeof v.contextUrl !== 'string' || !/^https?:\/\//i.test(v.contextUrl))) return { error: '"contextUrl" must be an http(s) URL' };
  for (const k of ['model', 'subModel'] as const) {
    if (v[k] === undefined) continue;
    if (typeof v[k] !== 'string' || v[k] === '') return { error: `"${k}" must be a model spec such as gpt-5-mini or sim:root` };
    const problem = opts.checkModel?.(v[k] as string);
    if (problem) return { error: `"${k}": ${problem}` };
  }
  if (v.budgets !== undefined) {
    if (!isObject(v.budgets)) return { error: `"budgets" must be an object such as {"maxIterations": 10}` };
    for (const [k, n] of Object.entries(v.budgets)) {
      if (!(BUDGET_KEYS as string[]).includes(k)) return { error: `unknown budget "${k}"; the budgets are ${BUDGET_KEYS.join(', ')}` };
      if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) return { error: `budget "${k}" must be a non-negative number` };
    }
  }
  if (v.metadata !== undefined && !isObject(v.metadata)) return { error: '"metadata" must be an object' };
  return { fields: v };
}

async function readContext(v: Record<string, unknown>, opts: ReadOptions): Promise<ContextInput> {
  if (typeof v.contextFile === 'string') {
    const path = isAbsolute(v.contextFile) ? v.contextFile : resolve(opts.baseDir, v.contextFile);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`cannot read contextFile ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message}`);
    }
    if (extname(path).toLowerCase() === '.json') {
      try {
        return { json: JSON.parse(bytes.toString('utf8')) };
      } catch (err) {
        throw new Error(`contextFile ${path} is not valid JSON (${(err as Error).message})`);
      }
    }
    return new Uint8Array(bytes);
  }
  if (typeof v.contextUrl === 'string') {
    try {
      return await (opts.fetchText ?? fetchBytes)(v.contextUrl);
    } catch (err) {
      throw new Error(`cannot fetch contextUrl ${v.contextUrl}: ${(err as Error).message}`);
    }
  }
  if (v.context === undefined) return '';
  return typeof v.context === 'string' ? v.context : { json: v.context };
}

/** Reads and checks every line; blank lines are skipped. Inputs are read (files, URLs) here. */
export async function readBatchFile(text: string, opts: ReadOptions): Promise<{ lines: BatchLine[]; problems: LineProblem[] }> {
  const lines: BatchLine[] = [];
  const problems: LineProblem[] = [];
  const raw = text.split('\n');
  for (let i = 0; i < raw.length; i++) {
    const src = raw[i].trim();
    if (src === '') continue;
    const line = i + 1;
    let value: unknown;
    try {
      value = JSON.parse(src);
    } catch (err) {
      problems.push({ line, error: `not valid JSON (${(err as Error).message})` });
      continue;
    }
    const checked = checkFields(value, opts);
    if ('error' in checked) {
      problems.push({ line, error: checked.error });
      continue;
    }
    const v = checked.fields;
    try {
      const context = prepareContext(await readContext(v, opts));
      lines.push({
        line,
        query: v.query as string,
        context,
        model: v.model as string | undefined,
        subModel: v.subModel as string | undefined,
        budgets: v.budgets as Partial<Budgets> | undefined,
        metadata: v.metadata as Record<string, unknown> | undefined,
      });
    } catch (err) {
      problems.push({ line, error: (err as Error).message });
    }
  }
  if (lines.length === 0 && problems.length === 0) problems.push({ line: 0, error: 'the file has no queries (one JSON object a line: {"query": "...", "context": "..."})' });
  return { lines, problems };
}

export const baseDirOf = (file: string): string => dirname(resolve(file));
