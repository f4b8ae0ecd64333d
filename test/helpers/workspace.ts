/** An in-memory database and a scratch directory for one test file, opened before its tests and removed after them. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Database } from '../../src/db/connection.js';
import { memoryDb } from './db.js';

export interface Workspace {
  db: Database;
  dir: string;
}

export function useWorkspace(prefix: string): Workspace {
  const ws = {} as Workspace;
  beforeAll(async () => {
    ws.db = await memoryDb();
    ws.dir = mkdtempSync(join(tmpdir(), prefix));
  }, 180_000);
  afterAll(async () => {
    await ws.db?.close();
    if (ws.dir) rmSync(ws.dir, { recursive: true, force: true });
  });
  return ws;
}
