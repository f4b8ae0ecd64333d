/**
 * Who runs a run: every process that logs runs (`accrete run`, a worker) is an owner with a random
 * id, its host and its pid. A running run records its owner and a heartbeat the owner renews; a run
 * whose owner is gone is not running any more (see src/db/interrupted.ts).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

export interface RunOwner {
  /** Random per process: a pid can be reused, this id is not. */
  id: string;
  host: string;
  pid: number;
}

let self: RunOwner | undefined;

/** This process as an owner (one id for the life of the process). */
export function processOwner(): RunOwner {
  self ??= { id: randomUUID(), host: hostname(), pid: process.pid };
  return self;
}

/** Whether a process with this pid exists on this host. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** How often an owner renews its runs' heartbeat, and when a heartbeat is too old to trust. */
export const HEARTBEAT_MS = 10_000;
export const DEFAULT_STALE_MS = 60_000;

export interface OwnerRecord {
  ownerId: string | null;
  ownerHost: string | null;
  ownerPid: number | null;
  heartbeatAt: Date | null;
  startedAt: Date;
}

/**
 * Why this owner is gone, or null while it may still be running: on this host, its pid is dead;
 * anywhere, its heartbeat (or, without one, its start) is older than `staleMs`. With `exclusive`
 * (the embedded database, which one process holds at a time) every other owner is gone.
 */
export function ownerGone(r: OwnerRecord, now: Date, opts: { staleMs?: number; exclusive?: boolean; self?: RunOwner } = {}): string | null {
  const me = opts.self ?? processOwner();
  if (r.ownerId === me.id) return null;
  const who = r.ownerPid !== null ? `process ${r.ownerPid} on ${r.ownerHost ?? 'an unknown host'}` : 'a process that recorded no owner';
  if (opts.exclusive) return `${who} no longer holds the database`;
  if (r.ownerHost === me.host && r.ownerPid !== null) {
    // This pid is this process, whose id differs: the owner was an earlier process given the same pid.
    if (r.ownerPid === me.pid || !pidAlive(r.ownerPid)) return `${who} is not running`;
  }
  const last = r.heartbeatAt ?? r.startedAt;
  const age = now.getTime() - last.getTime();
  const stale = opts.staleMs ?? DEFAULT_STALE_MS;
  if (age > stale) return `${who} sent no heartbeat for ${Math.round(age / 1000)} s (over ${Math.round(stale / 1000)} s)`;
  return null;
}
