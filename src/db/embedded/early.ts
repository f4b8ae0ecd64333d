/**
 * Opening the embedded database ahead of need. PGlite's open (its WASM, the server's start, the
 * migration check) takes most of a command's start; begun when the process starts, in the worker
 * thread, it runs while this thread loads the command's modules. The command's own open
 * (openEmbedded) adopts it when it asks for the same directory with the default options.
 *
 * Nothing here reports an error: a directory that cannot be locked or opened is left for the
 * command's own open, which says what went wrong where it always did.
 */
import { resolve } from 'node:path';
import { isMemoryLocation } from '../location.js';
import { lockDataDir } from '../lock.js';
import { EmbeddedClient } from './client.js';

interface Early {
  dataDir: string;
  release: () => void;
  client: EmbeddedClient;
}

let early: Early | undefined;

/** Starts opening (and migrating) the embedded database at `location` now; at most one, ignored for memory://. */
export function openEmbeddedEarly(location: string): void {
  if (early || isMemoryLocation(location)) return;
  const dataDir = resolve(location);
  let release: () => void;
  try {
    release = lockDataDir(dataDir);
  } catch {
    return; // held by another process, or not writable: the command's own open says so
  }
  const client = EmbeddedClient.start(dataDir, { dataDir, migrate: true, background: true });
  client.ready.catch(() => {}); // met by the command's own open
  early = { dataDir, release, client };
}

/** The database opened ahead for `dataDir`, handed over once (its lock with it); undefined when there is none. */
export function takeEarly(dataDir: string): Early | undefined {
  if (early?.dataDir !== dataDir) return undefined;
  const e = early;
  early = undefined;
  return e;
}
