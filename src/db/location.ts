/** Where the database lives, resolved without loading a driver (the CLI needs it for every command). */

export const DEFAULT_DB_DIR = './.accrete/db';

/** The configured location, else ./.accrete/db (the CLI resolves --db, ACCRETE_DB and DATABASE_URL). */
export function resolveDbLocation(configured?: string): string {
  return configured || DEFAULT_DB_DIR;
}

/** An embedded database that lives in memory only (no directory, no lock). */
export function isMemoryLocation(location: string): boolean {
  return location === 'memory://' || location === ':memory:';
}

export function isServerUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}
