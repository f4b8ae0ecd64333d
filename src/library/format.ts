/**
 * The library repository's format: the contract between the miner, which proposes functions
 * (miner/promote), and the runtime, which loads merged ones into runs (src/library/load).
 *
 * A library is a git repository (default ./library, or ACCRETE_LIBRARY_DIR):
 *   manifest.json              what is in the library (LibraryManifest)
 *   src/<name>.ts              one function per file: `export async function <name>(...)`
 *   test/<name>.test.ts        vitest replay tests from the logged cases
 *   test/fixtures/<name>/*.json  the recorded cases (ReplayFixture)
 *
 * A function's source uses the sandbox primitives `llm`, `llmBatch`, `rlm` and `print` as free
 * identifiers (declared by `library.d.ts` at the repository root); the loader injects the run's
 * own, so library code runs inside the sandbox with the same budgets as model code. It must not
 * import anything. The main branch holds merged versions; proposals live on branches
 * `accrete/promote-<name>-<version>` until a reviewer merges them.
 */

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_SCHEMA = 1;
export const MAIN_BRANCH = 'main';

export interface FunctionParam {
  name: string;
  /** TypeScript type as written in the signature. */
  type: string;
  /** Default value (JSON) for options; absent for required parameters. */
  default?: unknown;
  doc?: string;
}

export interface FunctionVersion {
  /** semver: a new function is 1.0.0; a compatible change bumps the minor; a changed signature the major. */
  version: string;
  /** e.g. `(context: string, question: string, opts?: { chunkSize?: number }) => Promise<string>` */
  signature: string;
  params: FunctionParam[];
  doc: string;
  /** The cluster it was mined from, and the runs behind it. */
  clusterId: string;
  sourceRunIds: string[];
  /** Distinct successful runs in the cluster. */
  support: number;
  successRate: number;
  /** Description-length gain in tokens (members before, against rewritten as calls plus the function). */
  gain: number;
  /** Members reproduced by replay / members. */
  coverage: number;
  /** sha256 of src/<name>.ts at this version. */
  sourceHash: string;
  skeleton: string;
  createdAt: string;
}

export interface ManifestEntry {
  name: string;
  /** The newest version on this branch. */
  version: string;
  versions: FunctionVersion[];
}

export interface LibraryManifest {
  schema: typeof MANIFEST_SCHEMA;
  functions: Record<string, ManifestEntry>;
}

export function emptyManifest(): LibraryManifest {
  return { schema: MANIFEST_SCHEMA, functions: {} };
}

/** One recorded case of a function: the member run's input, its sub-call responses, its answer. */
export interface ReplayFixture {
  runId: string;
  /** Arguments of the call that reproduces the member (context first). */
  args: unknown[];
  /** Sub-call responses keyed by sha256 of JSON [query, context ?? null]. */
  responses: Record<string, string>;
  /** The sequence of sub-call keys the member made, in order. */
  calls: string[];
  /** The member's logged answer. */
  answer: string;
}

export const branchName = (name: string, version: string): string => `accrete/promote-${name}-${version}`;
export const sourcePath = (name: string): string => `src/${name}.ts`;
export const testPath = (name: string): string => `test/${name}.test.ts`;
export const fixtureDir = (name: string): string => `test/fixtures/${name}`;

/** Valid function names: lower camelCase identifiers. */
export const FUNCTION_NAME = /^[a-z][A-Za-z0-9]{1,63}$/;
