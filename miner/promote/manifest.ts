/** Reading, updating and writing the library's manifest.json (src/library/format.ts). */
import { MANIFEST_SCHEMA, type FunctionVersion, type LibraryManifest, emptyManifest } from '../../src/library/format.js';

/** Parses manifest.json text; says what is wrong when it is not a library manifest. */
export function parseManifest(text: string, where: string): LibraryManifest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${where} is not valid JSON (${(err as Error).message}); fix it on main before proposing`);
  }
  const m = value as Partial<LibraryManifest> | null;
  if (!m || typeof m !== 'object' || m.schema !== MANIFEST_SCHEMA || !m.functions || typeof m.functions !== 'object') {
    throw new Error(`${where} is not an accrete library manifest (expected {"schema": ${MANIFEST_SCHEMA}, "functions": {...}})`);
  }
  for (const [name, entry] of Object.entries(m.functions)) {
    if (!entry || typeof entry.version !== 'string' || !Array.isArray(entry.versions)) {
      throw new Error(`${where}: the entry "${name}" needs a "version" and a "versions" array`);
    }
  }
  return m as LibraryManifest;
}

/** Stable text: functions sorted by name, two-space indent, a final newline. */
export function serializeManifest(manifest: LibraryManifest): string {
  const functions: LibraryManifest['functions'] = {};
  for (const name of Object.keys(manifest.functions).sort()) functions[name] = manifest.functions[name];
  return `${JSON.stringify({ schema: manifest.schema, functions }, null, 2)}\n`;
}

/** A copy of the manifest with `version` added to its function's entry; earlier versions are kept. */
export function withVersion(manifest: LibraryManifest | undefined, name: string, version: FunctionVersion): LibraryManifest {
  const base = manifest ?? emptyManifest();
  const entry = base.functions[name];
  const versions = (entry?.versions ?? []).filter((v) => v.version !== version.version);
  return {
    schema: base.schema,
    functions: { ...base.functions, [name]: { name, version: version.version, versions: [...versions, version] } },
  };
}

/** Whether main's manifest lists this version of the function. */
export function hasVersion(manifest: LibraryManifest, name: string, version: string): boolean {
  const entry = manifest.functions[name];
  return !!entry && (entry.version === version || entry.versions.some((v) => v.version === version));
}
