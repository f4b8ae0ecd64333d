/**
 * The embedded database's worker threads: starting one, and keeping the last one closed cleanly
 * for the next open in the same process. A thread that has loaded PGlite and run it once opens the
 * next database in about half the time of a new one (no thread start, no module loading, PGlite's
 * code already compiled and warm), which is what a process that opens more than one database pays
 * (a command that reopens with other options, a test file, a batch worker).
 *
 * An idle thread holds no database (PGlite closed in it) and never keeps the process alive.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { compiledCounterpart } from '../../util/compiled.js';

/** Idle threads kept at most: enough for a process that opens two databases at a time. */
const MAX_IDLE = 2;
const idle: Worker[] = [];

/** An idle thread if there is one, else a new one. */
export function takeThread(): Worker {
  const worker = idle.pop();
  if (worker) {
    worker.removeAllListeners('exit');
    return worker;
  }
  return startThread();
}

/**
 * Keeps a thread whose database was closed cleanly for the next open (the caller has removed its
 * listeners and has nothing in flight); ends it when enough are kept already.
 */
export function parkThread(worker: Worker): Promise<void> {
  if (idle.length >= MAX_IDLE) return worker.terminate().then(() => {});
  worker.unref();
  // A thread that ends while idle (it should not) is simply not reused.
  worker.once('exit', () => {
    const i = idle.indexOf(worker);
    if (i >= 0) idle.splice(i, 1);
  });
  idle.push(worker);
  return Promise.resolve();
}

/**
 * The worker's entry: its compiled JavaScript; from the TypeScript sources (tests, tsx), the build's
 * when it is current (src/util/compiled.ts), else the source with tsx registered first.
 */
function startThread(): Worker {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return importing(new URL('./worker.js', here).href);
  const compiled = compiledCounterpart(new URL('./worker.ts', here));
  if (compiled) return importing(compiled.href);
  const require = createRequire(here);
  let api: string;
  try {
    const cjs = require.resolve('tsx/esm/api');
    const mjs = cjs.replace(/\.cjs$/, '.mjs');
    api = pathToFileURL(existsSync(mjs) ? mjs : cjs).href;
  } catch {
    throw new Error('the embedded database runs its worker from TypeScript sources here, and that needs tsx (npm install), or build first (npm run build)');
  }
  const entry = new URL('./worker.ts', here).href;
  return new Worker(`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, { eval: true });
}

/**
 * A worker that imports `url`, started from a line of code rather than the file: a thread started
 * from a file inherits the process's node flags and fails on --input-type (a process run as
 * `node --input-type=module -e ...`), which only code given as a string accepts.
 */
function importing(url: string): Worker {
  return new Worker(`import(${JSON.stringify(url)});`, { eval: true });
}
