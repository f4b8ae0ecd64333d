/**
 * PGlite corrupts a data directory that two processes open at once. A lock file beside the data
 * directory names the holder; a second process gets a clear error instead of a corrupted database.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { hostname } from 'node:os';
import { pidAlive } from './owner.js';

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  since: string;
}

export class DatabaseLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The embedded database ${dataDir} is in use by process ${holder.pid} on ${holder.host} ` +
        `(${holder.command}, since ${holder.since}). PGlite cannot share a data directory between processes: ` +
        `wait for that process to finish, pass another --db PATH, or set DATABASE_URL to a Postgres server for concurrent use.`,
    );
    this.name = 'DatabaseLockedError';
  }
}


const held = new Set<string>();
let exitHookInstalled = false;

/** Creates the data directory's parent and takes the directory's lock; returns its release function. */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dirname(dataDir), { recursive: true });
  return acquireDirLock(dataDir);
}

/** Takes the lock for `dataDir`; returns its release function. */
function acquireDirLock(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command: process.argv.slice(1).join(' ').slice(0, 200) || 'node',
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(me));
      closeSync(fd);
      held.add(file);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.once('exit', () => {
          for (const f of held) {
            try {
              unlinkSync(f);
            } catch {
              /* already gone */
            }
          }
        });
      }
      return () => {
        if (!held.delete(file)) return;
        try {
          unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder: LockHolder | undefined;
      try {
        holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
      } catch {
        holder = undefined; // being written right now, or garbage: treat as stale after a retry
      }
      const stale = holder !== undefined && holder.host === me.host && !pidAlive(holder.pid);
      if (holder && !stale) throw new DatabaseLockedError(dataDir, holder);
      if (stale || attempt > 0) {
        try {
          unlinkSync(file);
        } catch {
          /* someone else removed it */
        }
      }
    }
  }
  throw new Error(`Could not take the lock ${file}; remove it if no accrete process is running.`);
}
