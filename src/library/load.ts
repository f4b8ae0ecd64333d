/**
 * Loads the merged library into a snapshot a run can use (see format.ts for the repository
 * layout). Everything is read from git objects with the real `git` binary — never from the work
 * tree — so only committed, merged versions are loaded: main's head by default, the library as of
 * a pinned commit of main's history, or single functions pinned to an older version
 * (`name@version`: the source is taken from the newest commit of main whose manifest had that
 * version). A missing directory or one that is not a git repository is "no library yet"
 * (undefined); a configured pin or ref that cannot be found is an error that says so.
 */
import { sha256 } from '../contracts/hash.js';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { FunctionSource } from './compile.js';
import { FUNCTION_NAME, type FunctionVersion, type LibraryManifest, MAIN_BRANCH, MANIFEST_FILE, MANIFEST_SCHEMA, type ManifestEntry, sourcePath } from './format.js';
import { git, gitTest, isRepositoryRoot, resolveCommit, showFile } from './git.js';
import { createSelector, DEFAULT_K, embeddingScorer, type EmbeddingConfig, type RelevanceScorer } from './retrieve.js';
import type { LibrarySnapshot } from './types.js';

/** Where the library is when nothing says otherwise (the CLI resolves --library and ACCRETE_LIBRARY_DIR). */
import { DEFAULT_LIBRARY_DIR } from './location.js';

export { DEFAULT_LIBRARY_DIR };

export interface LoadLibraryOptions {
  /** The library repository. */
  dir: string;
  /** The branch holding merged versions (default main). */
  ref?: string;
  /**
   * A commit of main's history (the library as of that commit), and/or `name@version` pins,
   * separated by commas or spaces: `3f2c1e0`, `countLines@1.0.0`, `3f2c1e0,countLines@1.0.0`.
   */
  pin?: string;
  /** Functions listed in the system prompt per query (default 5); all stay callable. */
  k?: number;
  /** An extra relevance scorer for the listing (e.g. embeddingScorer); lexical BM25 otherwise. */
  scorer?: RelevanceScorer;
  /** Told about functions left out while loading and retrieval falling back. */
  onWarning?: (message: string) => void;
}

/** A library that is configured but cannot be used as configured. */
export class LibraryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LibraryError';
  }
}

export interface ParsedPin {
  /** A commit (or other revision) of main's history. */
  commit?: string;
  /** name → version. */
  functions: Map<string, string>;
}

const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$/;

export function parsePin(pin: string): ParsedPin {
  const out: ParsedPin = { functions: new Map() };
  const items = pin.split(/[\s,]+/).filter(Boolean);
  if (items.length === 0) throw new LibraryError('the library pin is empty: give a commit of the library\'s main branch, or name@version (e.g. countLines@1.0.0)');
  for (const item of items) {
    const at = item.indexOf('@');
    if (at >= 0) {
      const name = item.slice(0, at);
      const version = item.slice(at + 1);
      if (!FUNCTION_NAME.test(name) || !VERSION.test(version)) throw new LibraryError(`library pin "${item}": expected name@version, e.g. countLines@1.0.0`);
      if (out.functions.has(name) && out.functions.get(name) !== version) throw new LibraryError(`library pin: ${name} is pinned twice (${out.functions.get(name)} and ${version})`);
      out.functions.set(name, version);
    } else {
      if (item.startsWith('-') || !/^[\w./^~-]+$/.test(item)) throw new LibraryError(`library pin "${item}": expected a commit of the library's main branch, or name@version`);
      if (out.commit && out.commit !== item) throw new LibraryError(`library pin: two commits given (${out.commit} and ${item}); pin one`);
      out.commit = item;
    }
  }
  return out;
}


function parseManifest(text: Buffer, where: string): LibraryManifest {
  let value: unknown;
  try {
    value = JSON.parse(text.toString('utf8'));
  } catch (err) {
    throw new LibraryError(`${where} is not valid JSON (${(err as Error).message}). Fix the library's main branch, or run without it (--no-library).`);
  }
  const m = value as Partial<LibraryManifest> | null;
  if (!m || typeof m !== 'object' || typeof m.functions !== 'object' || m.functions === null || Array.isArray(m.functions)) {
    throw new LibraryError(`${where} has no "functions" object; it is not a library manifest (see src/library/format.ts).`);
  }
  if (m.schema !== MANIFEST_SCHEMA) throw new LibraryError(`${where} has schema ${JSON.stringify(m.schema)}; this version of accrete reads schema ${MANIFEST_SCHEMA}. Upgrade accrete, or pin an older library commit.`);
  return m as LibraryManifest;
}

/** The manifest at a commit: its bytes and parsed form, or undefined when the commit has none. */
async function manifestAt(dir: string, commit: string): Promise<{ text: Buffer; manifest: LibraryManifest } | undefined> {
  const text = await showFile(dir, commit, MANIFEST_FILE);
  if (!text) return undefined;
  return { text, manifest: parseManifest(text, `${MANIFEST_FILE} at ${commit.slice(0, 12)}`) };
}

const entryVersion = (entry: ManifestEntry | undefined, version: string): FunctionVersion | undefined =>
  Array.isArray(entry?.versions) ? entry.versions.find((v) => v?.version === version) : undefined;

/** The newest commit of `ref`'s first-parent history whose manifest had `name` at `version`. */
async function findVersionCommit(dir: string, ref: string, name: string, version: string): Promise<{ commit: string; entry: ManifestEntry }> {
  const log = await git(dir, ['log', '--first-parent', '--format=%H', ref, '--', MANIFEST_FILE]);
  const seen = new Set<string>();
  for (const commit of log.split('\n').filter(Boolean)) {
    let m: LibraryManifest | undefined;
    try {
      m = (await manifestAt(dir, commit))?.manifest;
    } catch {
      continue; // an old, broken manifest: not this one
    }
    const entry = m?.functions[name];
    if (!entry || typeof entry.version !== 'string') continue;
    if (entry.version === version) return { commit, entry };
    seen.add(entry.version);
  }
  const known = seen.size ? ` (versions on ${ref}: ${[...seen].reverse().join(', ')})` : ` (${name} is not in the history of ${ref})`;
  throw new LibraryError(`library pin ${name}@${version}: no commit of ${ref} has ${name} at version ${version}${known}`);
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Finds the `)` that closes the `(` at 0, or -1. */
function closingParen(s: string): number {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '(' || ch === '{' || ch === '[' || ch === '<') depth++;
    else if (ch === ')' || ch === '}' || ch === ']' || (ch === '>' && s[i - 1] !== '=')) depth--;
    if (depth === 0) return ch === ')' ? i : -1;
  }
  return -1;
}

/** `(a: T) => Promise<R>` (the manifest's form) → `(a: T): Promise<R>` (the prompt's form). */
export function listingSignature(signature: string): string {
  const s = signature.trim();
  if (!s.startsWith('(')) return s;
  const end = closingParen(s);
  if (end < 0) return s;
  const arrow = /^\s*=>\s*(.+)$/s.exec(s.slice(end + 1));
  return arrow ? `${s.slice(0, end + 1)}: ${arrow[1].trim()}` : s;
}

interface Planned {
  name: string;
  version: string;
  commit: string;
  meta?: FunctionVersion;
}

export async function loadLibrary(options: LoadLibraryOptions): Promise<LibrarySnapshot | undefined> {
  const dir = resolve(options.dir);
  const pin = options.pin?.trim() ? parsePin(options.pin) : undefined;
  const ref = options.ref ?? MAIN_BRANCH;
  const warn = (m: string) => options.onWarning?.(m);
  const noLibrary = (why: string): undefined => {
    if (pin) throw new LibraryError(`library pin ${options.pin}: ${why}`);
    if (options.ref) throw new LibraryError(`library ref ${ref}: ${why}`);
    return undefined;
  };
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return noLibrary(`there is no library repository at ${dir}`);
  if (!(await isRepositoryRoot(dir))) return noLibrary(`${dir} is not a git repository`);
  if (ref.startsWith('-')) throw new LibraryError(`library ref "${ref}" is not a branch name`);
  const head = await resolveCommit(dir, ref);
  if (!head) return noLibrary(`${dir} has no branch ${ref} (nothing merged yet)`);

  let base = head;
  if (pin?.commit) {
    const c = await resolveCommit(dir, pin.commit);
    if (!c) throw new LibraryError(`library pin ${pin.commit}: no such commit in ${dir}`);
    if (!(await gitTest(dir, ['merge-base', '--is-ancestor', c, head]))) {
      throw new LibraryError(`library pin ${pin.commit}: commit ${c.slice(0, 12)} is not on ${ref} (an unmerged proposal?); pin a commit of ${ref}'s history`);
    }
    base = c;
  }
  const found = await manifestAt(dir, base);
  if (!found) {
    if (pin) throw new LibraryError(`library pin ${options.pin}: ${MANIFEST_FILE} is missing at ${base.slice(0, 12)}`);
    warn(`library ${dir}: no ${MANIFEST_FILE} at ${ref} (${base.slice(0, 12)}); running without a library`);
    return undefined;
  }
  const { text, manifest } = found;

  const planned = new Map<string, Planned>();
  for (const [key, entry] of Object.entries(manifest.functions)) {
    if (!FUNCTION_NAME.test(key)) {
      warn(`library: "${key}" is not a valid function name; skipped`);
      continue;
    }
    if (!entry || typeof entry.version !== 'string') {
      warn(`library: lib.${key} has no version in ${MANIFEST_FILE}; skipped`);
      continue;
    }
    planned.set(key, { name: key, version: entry.version, commit: base, meta: entryVersion(entry, entry.version) });
  }
  const pins: NonNullable<LibrarySnapshot['pins']> = {};
  for (const [name, version] of pin?.functions ?? []) {
    const current = planned.get(name);
    const { commit, entry } = current?.version === version ? { commit: base, entry: manifest.functions[name] } : await findVersionCommit(dir, ref, name, version);
    planned.set(name, { name, version, commit, meta: entryVersion(entry, version) });
    pins[name] = { version, commit };
  }

  const warnings: string[] = [];
  const plans = [...planned.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  const sources = await mapLimit(plans, 8, async (p): Promise<FunctionSource | undefined> => {
    const bytes = await showFile(dir, p.commit, sourcePath(p.name));
    if (!bytes) {
      warnings.push(`lib.${p.name}@${p.version}: ${sourcePath(p.name)} is missing at ${p.commit.slice(0, 12)} (skipped)`);
      return undefined;
    }
    if (p.meta?.sourceHash && p.meta.sourceHash !== sha256(bytes)) {
      warnings.push(`lib.${p.name}@${p.version}: ${sourcePath(p.name)} does not match the sourceHash in ${MANIFEST_FILE} (loaded anyway)`);
    }
    return { name: p.name, version: p.version, source: bytes.toString('utf8') };
  });
  // The compiler (typescript) loads only when there is a library to compile.
  const { compileLibrary } = await import('./compile.js');
  const compiled = compileLibrary(sources.filter((s): s is FunctionSource => s !== undefined));
  warnings.push(...compiled.warnings);
  for (const w of warnings) warn(w);

  const metaOf = new Map(plans.map((p) => [p.name, p.meta]));
  const functions = compiled.compiled.map((c) => {
    const meta = metaOf.get(c.name);
    const signature = typeof meta?.signature === 'string' && meta.signature.trim() ? listingSignature(meta.signature) : c.signature;
    const doc = typeof meta?.doc === 'string' && meta.doc.trim() ? meta.doc.trim() : c.doc;
    return { name: c.name, version: c.version, signature, doc };
  });
  const selector = createSelector(functions, { k: options.k ?? DEFAULT_K, scorer: options.scorer, onWarning: options.onWarning });
  return {
    commit: base,
    manifestHash: sha256(text),
    source: compiled.source,
    functions,
    select: selector.select,
    retrieve: options.scorer ? selector.retrieve : undefined,
    warnings,
    pins: Object.keys(pins).length ? pins : undefined,
    dir,
  };
}

/** How a runtime is told to load its library (RuntimeOptions.library). */
export interface LibraryConfig {
  /** The library repository (default ./.accrete/library, when it exists). */
  dir?: string;
  ref?: string;
  pin?: string;
  k?: number;
  /** Semantic retrieval through an OpenAI-compatible embeddings endpoint (the CLI fills it from ACCRETE_LIBRARY_EMBEDDING_MODEL). */
  embeddings?: EmbeddingConfig;
  /** Any other scorer (wins over embeddings). */
  scorer?: RelevanceScorer;
  onWarning?: (message: string) => void;
}

/** Loads the library a runtime is configured with, filling in the defaults (it reads no environment). */
export function openLibrary(config: LibraryConfig = {}): Promise<LibrarySnapshot | undefined> {
  const dir = config.dir || DEFAULT_LIBRARY_DIR;
  const scorer = config.scorer ?? (config.embeddings ? embeddingScorer(config.embeddings) : undefined);
  return loadLibrary({ dir, ref: config.ref, pin: config.pin, k: config.k, scorer, onWarning: config.onWarning });
}
