/** Semantic versions of library functions: new → 1.0.0, same signature → minor, changed signature → major. */
import type { ManifestEntry } from '../../src/library/format.js';
import type { VersionBump } from './types.js';

type Triple = [major: number, minor: number, patch: number];

export function parseVersion(version: string): Triple {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version.trim());
  if (!m) throw new Error(`"${version}" is not a version of the form MAJOR.MINOR.PATCH`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Negative when a < b, 0 when equal, positive when a > b. */
export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

export function maxVersion(versions: string[]): string | undefined {
  return versions.reduce<string | undefined>((best, v) => (best === undefined || compareVersions(v, best) > 0 ? v : best), undefined);
}

/** Signatures compare without regard to whitespace. */
export const sameSignature = (a: string, b: string): boolean => a.replace(/\s+/g, '') === b.replace(/\s+/g, '');

export interface NextVersion {
  version: string;
  bump: VersionBump;
  previousVersion?: string;
}

/**
 * The version of a new proposal against main's manifest entry. `taken` lists versions used before
 * for this name that main no longer lists (a retired function proposed again starts a new major
 * above them rather than reusing 1.0.0).
 */
export function nextVersion(entry: ManifestEntry | undefined, signature: string, taken: string[] = []): NextVersion {
  if (!entry) {
    const highest = maxVersion(taken);
    return { version: highest ? `${parseVersion(highest)[0] + 1}.0.0` : '1.0.0', bump: 'new' };
  }
  const previousVersion = maxVersion([entry.version, ...entry.versions.map((v) => v.version)]) ?? entry.version;
  const latest = entry.versions.find((v) => v.version === entry.version) ?? entry.versions.find((v) => v.version === previousVersion);
  const [major, minor] = parseVersion(previousVersion);
  if (latest && sameSignature(latest.signature, signature)) return { version: `${major}.${minor + 1}.0`, bump: 'minor', previousVersion };
  return { version: `${major + 1}.0.0`, bump: 'major', previousVersion };
}
