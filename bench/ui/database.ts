/** The database a viewer benchmark fills: embedded PGlite in memory, or a fresh database on BENCH_DATABASE_URL (dropped after). */
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/connection.js';

export async function benchDatabase(name: string): Promise<{ db: Database; done: () => Promise<void> }> {
  const url = process.env.BENCH_DATABASE_URL;
  if (!url) {
    const db = await openDatabase('memory://');
    return { db, done: () => db.close() };
  }
  const dbName = `${name}_${process.pid}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${dbName}`);
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  const db = await openDatabase(u.toString());
  return {
    db,
    done: async () => {
      await db.close();
      await admin.unsafe(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    },
  };
}
