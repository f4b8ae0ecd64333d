/**
 * The embedded database as seen from the run's thread: a client that forwards each query, exec and
 * transaction to the worker thread holding PGlite (src/db/embedded/worker.ts), shaped as much of a
 * PGlite instance as drizzle's pglite driver uses (`query`, `transaction`), so drizzle's query
 * builder, transactions and savepoints work unchanged on top of it.
 *
 * The worker keeps the process alive only while a request is in flight (as PGlite in the same
 * thread never did), so a command that forgets to close the database still exits. If the worker
 * dies, every request in flight and every later one fails with an error saying so.
 */
import type { Worker } from 'node:worker_threads';
import { type CloseReply, deserializeError, type QueryResult, type Reply, type Request } from './protocol.js';
import type { TableRows } from '../row-tables.js';
import { parkThread, takeThread } from './threads.js';

/** The options of PGlite's `query` the client forwards: the row mode, and parsers that return the text as is. */
export interface QueryOptions {
  rowMode?: 'array' | 'object';
  parsers?: Record<number, (value: string, typeId: number) => unknown>;
}

/** What a transaction's callback gets: queries bound to the transaction. */
export interface TransactionClient {
  query<T = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<T>>;
  exec(text: string): Promise<QueryResult[]>;
  readonly closed: boolean;
}

export interface EmbeddedOpenOptions {
  /** The data directory; none: in memory. */
  dataDir?: string;
  /** Start from this data directory dump (PGlite's dumpDataDir). */
  loadDataDir?: Blob;
  /** Apply pending migrations before the open resolves. */
  migrate: boolean;
  /**
   * Opened ahead of need (src/db/embedded/early.ts): until `foreground()`, the open in flight does not
   * keep the process alive, so a command that ends before using the database exits at once.
   */
  background?: boolean;
}

/** The parsers' type OIDs, checked to be what drizzle gives: functions that return the text unchanged. */
function rawTypes(parsers: QueryOptions['parsers']): number[] | undefined {
  if (!parsers) return undefined;
  const oids: number[] = [];
  for (const [oid, parse] of Object.entries(parsers)) {
    if (parse('\u0000probe', Number(oid)) !== '\u0000probe') {
      throw new Error(`the embedded database's client forwards only parsers that return the text unchanged (type ${oid} has another)`);
    }
    oids.push(Number(oid));
  }
  return oids;
}

export class EmbeddedClient {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  /** Set once the worker is gone: why requests fail from then on. */
  private gone?: Error;
  private closing?: Promise<void>;
  private background = false;
  private readonly onMessage = (m: Reply): void => this.settle(m);
  private readonly onError = (err: Error): void => this.lost(`failed: ${err.message}`);
  private readonly onExit = (code: number): void => this.lost(`exited (code ${code})`);

  private constructor(
    private readonly worker: Worker,
    /** Named in errors. */
    private readonly where: string,
    options: EmbeddedOpenOptions,
  ) {
    worker.unref();
    worker.on('message', this.onMessage);
    worker.on('error', this.onError);
    worker.on('exit', this.onExit);
    this.background = options.background === true;
    this.ready = this.openIn(options);
  }

  /** Resolves once the database is open (and migrated) in the worker; rejects, the worker ended, when it cannot be. */
  readonly ready: Promise<void>;

  /** Starts the worker and opens (and migrates) the database in it. */
  static async open(where: string, options: EmbeddedOpenOptions): Promise<EmbeddedClient> {
    const client = EmbeddedClient.start(where, options);
    await client.ready;
    return client;
  }

  /** Starts the worker (or takes an idle one, src/db/embedded/threads.ts) and the open; the open's outcome is `ready`. */
  static start(where: string, options: EmbeddedOpenOptions): EmbeddedClient {
    return new EmbeddedClient(takeThread(), where, options);
  }

  private async openIn(options: EmbeddedOpenOptions): Promise<void> {
    const dump = options.loadDataDir;
    const loadDataDir = dump ? { bytes: await dump.arrayBuffer(), type: dump.type } : undefined;
    try {
      await this.send({ op: 'open', dataDir: options.dataDir, loadDataDir, migrate: options.migrate }, loadDataDir ? [loadDataDir.bytes] : []);
    } catch (err) {
      await this.close().catch(() => {});
      throw err;
    }
  }

  /** From now on a request in flight keeps the process alive (the open too, if still under way). */
  foreground(): void {
    this.background = false;
    this.updateRef();
  }

  get closed(): boolean {
    return this.closing !== undefined || this.gone !== undefined;
  }

  query<T = Record<string, unknown>>(text: string, params?: unknown[], options?: QueryOptions, tx?: number): Promise<QueryResult<T>> {
    let raw: number[] | undefined;
    try {
      raw = rawTypes(options?.parsers);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.send({ op: 'query', text, params, rowMode: options?.rowMode, rawTypes: raw, tx }) as Promise<QueryResult<T>>;
  }

  exec(text: string, tx?: number): Promise<QueryResult[]> {
    return this.send({ op: 'exec', text, tx }) as Promise<QueryResult[]>;
  }

  /**
   * BEGIN, `fn` with queries bound to the transaction, then COMMIT (or ROLLBACK when `fn` throws).
   * The database is held for the transaction meanwhile: other queries wait, as they do in PGlite.
   */
  async transaction<T>(fn: (tx: TransactionClient) => Promise<T>): Promise<T> {
    const id = (await this.send({ op: 'begin' })) as number;
    let ended = false;
    const tx: TransactionClient = {
      query: (text, params, options) => (ended ? Promise.reject(new Error('the transaction has ended')) : this.query(text, params, options, id)),
      exec: (text) => (ended ? Promise.reject(new Error('the transaction has ended')) : this.exec(text, id)),
      get closed() {
        return ended;
      },
    };
    let result: T;
    try {
      result = await fn(tx);
    } catch (err) {
      ended = true;
      await this.send({ op: 'end', tx: id, commit: false }).catch(() => {});
      throw err;
    }
    ended = true;
    await this.send({ op: 'end', tx: id, commit: true });
    return result;
  }

  /** The trace's rows, written in one transaction in the worker (src/db/rows.ts); only the rows cross. */
  insertRows(batch: TableRows[]): Promise<void> {
    return this.send({ op: 'insert', batch }) as Promise<void>;
  }

  /** The data directory as a tarball (PGlite's dumpDataDir). */
  async dumpDataDir(compression?: 'none' | 'gzip' | 'auto'): Promise<Blob> {
    const { bytes, type } = (await this.send({ op: 'dump', compression })) as { bytes: ArrayBuffer; type: string };
    return new Blob([bytes], { type });
  }

  /**
   * Closes PGlite in the worker, then lets the worker go: kept idle for the process's next open when
   * it closed cleanly with nothing else in flight, ended otherwise. Safe to call twice.
   */
  close(): Promise<void> {
    this.closing ??= (async () => {
      let reusable = false;
      try {
        if (!this.gone) reusable = ((await this.send({ op: 'close' }, [], true)) as CloseReply).idle && this.pending.size === 0;
      } finally {
        reusable &&= !this.gone;
        this.gone ??= new Error(`the embedded database at ${this.where} is closed`);
        this.worker.off('message', this.onMessage);
        this.worker.off('error', this.onError);
        this.worker.off('exit', this.onExit);
        await (reusable ? parkThread(this.worker) : this.worker.terminate());
      }
    })();
    return this.closing;
  }

  private send(req: Request, transfer: ArrayBuffer[] = [], closing = false): Promise<unknown> {
    if (this.gone) return Promise.reject(this.gone);
    if (this.closing && !closing) return Promise.reject(new Error(`the embedded database at ${this.where} is closed`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.updateRef();
      this.worker.postMessage({ id, req }, transfer);
    });
  }

  private settle(m: Reply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    this.updateRef();
    if (m.ok) p.resolve(m.value);
    else p.reject(deserializeError(m.error));
  }

  /** A request in flight keeps the process alive; an idle worker does not (nor a background open). */
  private updateRef(): void {
    if (this.gone) return;
    if (this.pending.size > 0 && !this.background) this.worker.ref();
    else this.worker.unref();
  }

  /** The worker is gone: everything in flight fails, and so does everything after. */
  private lost(how: string): void {
    if (this.gone) return;
    this.gone = new Error(`the embedded database's worker thread (${this.where}) ${how}; nothing more can be read or written in this process`);
    for (const p of this.pending.values()) p.reject(this.gone);
    this.pending.clear();
  }
}

