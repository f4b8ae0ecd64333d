/**
 * The embedded database's thread: it holds the PGlite instance (its WASM, its parsing, its writes to
 * the data directory) so that none of that runs on the run's event loop. It answers the requests of
 * src/db/embedded/client.ts, one message each, in the order PGlite's own lock gives them. Once its
 * database is closed, the thread may be kept to open another (src/db/embedded/threads.ts).
 */
import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { migrateEmbedded } from '../migrate.js';
import type { TableRows } from '../row-tables.js';
import type { Db } from '../types.js';
import { type CloseReply, type Reply, type Request, serializeError } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('src/db/embedded/worker.ts runs only as a worker thread (new Worker)');

let pg: PGlite | undefined;
let nextTx = 1;
/** Open transactions: the PGlite transaction and how to end it (with the id of the request that ends it). */
const open = new Map<number, { tx: Transaction; end: (e: { commit: boolean; id: number }) => void }>();
const ROLLBACK = Symbol('rollback');

function reply(id: number, value: unknown, transfer: ArrayBuffer[] = []): void {
  port?.postMessage({ id, ok: true, value } satisfies Reply, transfer);
}

function fail(id: number, err: unknown): void {
  port?.postMessage({ id, ok: false, error: serializeError(err) } satisfies Reply);
}

function database(): PGlite {
  if (!pg) throw new Error('the embedded database is not open');
  return pg;
}

function target(tx: number | undefined): PGlite | Transaction {
  if (tx === undefined) return database();
  const t = open.get(tx);
  if (!t) throw new Error(`transaction ${tx} is not open (it has ended)`);
  return t.tx;
}

/** Identity parsers for the type OIDs the caller wants as text (drizzle parses dates itself). */
const parserSets = new Map<string, Record<number, (value: string) => string>>();
function rawParsers(oids: number[]): Record<number, (value: string) => string> {
  const key = oids.join(',');
  let set = parserSets.get(key);
  if (!set) {
    set = {};
    for (const oid of oids) set[oid] = (value) => value;
    parserSets.set(key, set);
  }
  return set;
}

/** drizzle's pglite driver, the schema and the row writer: loaded by the thread's first insert, once. */
let rowModules: Promise<[typeof import('drizzle-orm/pglite'), typeof import('../schema.js'), typeof import('../rows.js')]> | undefined;
/** drizzle over the open database, for the row writer (made anew when the thread opens another). */
let rowDb: { pg: PGlite; db: Db } | undefined;

/**
 * How far this thread steps back once it writes a run's log: the nice value of background work.
 * The rows wait in batches and nothing a run does waits for them (src/trace/writer.ts), but their
 * inserts (PGlite's WASM: ~0.5 ms of CPU a logged step with its whole history, more when the
 * database is cold) ran on the same two cores as the run's thread, its sandbox and the model
 * server, at the same priority, and a step that met a flush took several times its time. Niced,
 * the thread runs in the CPU the run leaves; on an idle core it runs as before.
 */
const WRITER_NICE = 10;
let niced = false;

/**
 * Lowers this thread's scheduling priority to WRITER_NICE (on Linux the nice value is a thread's
 * own: setpriority with the thread's id). Once, and one way: a thread may not raise its priority
 * again unprivileged. Elsewhere, or when not allowed, the thread keeps its priority.
 */
function stepBack(): void {
  if (niced) return;
  niced = true;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0 && getPriority(tid) < WRITER_NICE) setPriority(tid, WRITER_NICE);
  } catch {
    /* not Linux, or not allowed: the thread keeps its priority */
  }
}

/**
 * Writes the trace's rows in one transaction here, building the inserts on this thread (src/db/rows.ts).
 * The first request (a run logger being made: Database.insertRows) steps this thread back (stepBack).
 */
async function insert(batch: TableRows[]): Promise<void> {
  stepBack();
  rowModules ??= Promise.all([import('drizzle-orm/pglite'), import('../schema.js'), import('../rows.js')]);
  const [{ drizzle }, schema, { insertRows }] = await rowModules;
  const current = database();
  if (rowDb?.pg !== current) rowDb = { pg: current, db: drizzle(current, { schema }) as unknown as Db };
  await insertRows(rowDb.db, batch);
}

/** BEGIN now; the transaction stays open, holding the database, until its `end` request arrives. */
function begin(id: number): void {
  const txId = nextTx++;
  let began = false;
  let endId = -1;
  database()
    .transaction(async (tx) => {
      began = true;
      const ended = new Promise<{ commit: boolean; id: number }>((resolve) => open.set(txId, { tx, end: resolve }));
      reply(id, txId);
      const e = await ended;
      endId = e.id;
      if (!e.commit) throw ROLLBACK;
    })
    .then(
      () => reply(endId, null),
      (err: unknown) => {
        if (!began) fail(id, err);
        else if (err === ROLLBACK) reply(endId, null);
        else fail(endId, err);
      },
    )
    .finally(() => open.delete(txId));
}

async function handle(id: number, r: Request): Promise<void> {
  switch (r.op) {
    case 'open': {
      const loadDataDir = r.loadDataDir ? new Blob([r.loadDataDir.bytes], { type: r.loadDataDir.type }) : undefined;
      pg = await PGlite.create({ dataDir: r.dataDir, extensions: { vector }, loadDataDir });
      if (r.migrate) await migrateEmbedded(pg);
      return reply(id, null);
    }
    case 'query': {
      const options = { rowMode: r.rowMode, parsers: r.rawTypes?.length ? rawParsers(r.rawTypes) : undefined };
      const res = await target(r.tx).query(r.text, r.params, options);
      return reply(id, { rows: res.rows, fields: res.fields, affectedRows: res.affectedRows });
    }
    case 'exec': {
      const results = await target(r.tx).exec(r.text);
      return reply(
        id,
        results.map((res) => ({ rows: res.rows, fields: res.fields, affectedRows: res.affectedRows })),
      );
    }
    case 'begin':
      return begin(id);
    case 'insert':
      await insert(r.batch);
      return reply(id, null);
    case 'end': {
      const t = open.get(r.tx);
      if (!t) throw new Error(`transaction ${r.tx} is not open (it has ended)`);
      open.delete(r.tx);
      return t.end({ commit: r.commit, id }); // answered when COMMIT or ROLLBACK has run
    }
    case 'dump': {
      const blob = await database().dumpDataDir(r.compression);
      const bytes = await blob.arrayBuffer();
      return reply(id, { bytes, type: blob.type }, [bytes]);
    }
    case 'close': {
      if (pg && !pg.closed) await pg.close();
      pg = undefined; // the thread may open another database next (src/db/embedded/threads.ts)
      rowDb = undefined;
      return reply(id, { idle: open.size === 0 } satisfies CloseReply);
    }
  }
}

port.on('message', (m: { id: number; req: Request }) => {
  handle(m.id, m.req).catch((err: unknown) => fail(m.id, err));
});
