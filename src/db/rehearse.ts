/**
 * A rehearsal: run work against the database inside one transaction and roll it back, so that a
 * dry run computes everything a real run would — reading what earlier work wrote — and leaves the
 * database exactly as it was. Nested transactions in the work become savepoints.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Database, Db } from './connection.js';

class Rollback extends Error {
  constructor() {
    super('rehearsal rolled back');
  }
}

/** `$1`-style raw SQL and its parameters as a drizzle query. */
function toSql(text: string, params: readonly unknown[] = []): SQL {
  const parts = text.split(/\$(\d+)/);
  const chunks: SQL[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 0) chunks.push(sql.raw(part));
    else chunks.push(sql`${sql.param(params[Number(part) - 1])}`);
  });
  return sql.join(chunks, sql.raw(''));
}

function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as T[]) : [];
}

/** Runs `work` on a transaction-bound view of the database, then rolls everything back. */
export async function rehearse<T>(database: Database, work: (db: Database) => Promise<T>): Promise<T> {
  let result: { value: T } | undefined;
  try {
    await database.db.transaction(async (tx) => {
      const bound: Database = {
        db: tx as unknown as Db,
        kind: database.kind,
        location: database.location,
        query: async <R>(text: string, params?: unknown[]) => rowsOf<R>(await tx.execute(toSql(text, params))),
        withAdvisoryLock: (_key, fn) => fn(),
        close: async () => {},
      };
      result = { value: await work(bound) };
      throw new Rollback();
    });
  } catch (err) {
    if (!(err instanceof Rollback) || !result) throw err;
  }
  if (!result) throw new Error('the rehearsal produced no result');
  return result.value;
}
