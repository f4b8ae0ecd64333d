/**
 * The web viewer: a hono app over an open database, read-only (GET only), served on 127.0.0.1.
 * Pages are rendered on the server (hono/html escapes every value); the client gets a stylesheet,
 * highlight.js's theme and one small script for the run page (opened model calls load their
 * messages; a run in progress is polled).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { Database } from '../db/connection.js';
import { llmCallById, treeProgress } from '../db/browse.js';
import { notFound, page } from './layout.js';
import { clusterPage, clustersPage } from './pages/clusters.js';
import { functionPage, libraryPage } from './pages/library.js';
import { callBody, findRun, loadRunView, runPage } from './pages/run.js';
import { FilterError, runsPage, type RunsQuery } from './pages/runs.js';
import { html } from 'hono/html';

export interface ViewerOptions {
  /** The library repository, for a function's source on main (optional). */
  libraryDir?: string;
}

/** The client assets: ours (next to this module; copied into dist by the build) and highlight.js's theme. */
const ASSETS: Record<string, { path: () => string; type: string }> = {
  'style.css': { path: () => fileURLToPath(new URL('./assets/style.css', import.meta.url)), type: 'text/css; charset=utf-8' },
  'run.js': { path: () => fileURLToPath(new URL('./assets/run.js', import.meta.url)), type: 'text/javascript; charset=utf-8' },
  'hljs.css': { path: () => createRequire(import.meta.url).resolve('highlight.js/styles/github.css'), type: 'text/css; charset=utf-8' },
};

export function viewerApp(database: Database, options: ViewerOptions = {}): Hono {
  const app = new Hono();
  const assets = new Map<string, Promise<Buffer>>();

  app.get('/', (c) => c.redirect('/runs'));
  app.get('/runs', async (c) => {
    try {
      return c.html(await runsPage(database, c.req.query() as RunsQuery));
    } catch (err) {
      if (!(err instanceof FilterError)) throw err;
      return c.html(page('Runs', '/runs', html`<h1>Runs</h1><p class="error-text">${err.message}</p><p><a href="/runs">All runs</a></p>`), 400);
    }
  });
  app.get('/runs/:id', async (c) => {
    const run = await findRun(database, c.req.param('id'));
    if (typeof run === 'string') return c.html(notFound(run, '/runs', 'All runs'), 404);
    // A sub-run is shown inside its tree.
    if (run.id !== run.rootRunId) return c.redirect(`/runs/${run.rootRunId}#run-${run.id}`);
    if (c.req.param('id') !== run.id) return c.redirect(`/runs/${run.id}`);
    const [view, progress] = await Promise.all([loadRunView(database, run), treeProgress(database, run.id)]);
    return c.html(runPage(view, progress));
  });
  app.get('/api/runs/:id/progress', async (c) => {
    const progress = await treeProgress(database, c.req.param('id'));
    return progress ? c.json(progress) : c.json({ error: 'no such run' }, 404);
  });
  // an opened model call's messages and response (a fragment the run page inserts)
  app.get('/calls/:id', async (c) => {
    const id = c.req.param('id');
    const call = /^[0-9a-f-]{36}$/i.test(id) ? await llmCallById(database, id) : undefined;
    return call ? c.html(callBody(call)) : c.html(html`<p class="empty">No model call ${id}.</p>`, 404);
  });
  app.get('/clusters', async (c) => c.html(await clustersPage(database)));
  app.get('/clusters/:id', async (c) => {
    const body = await clusterPage(database, c.req.param('id'), { a: c.req.query('a'), b: c.req.query('b') });
    return c.html(body);
  });
  app.get('/library', async (c) => c.html(await libraryPage(database)));
  app.get('/library/:name', async (c) => c.html(await functionPage(database, c.req.param('name'), options.libraryDir)));
  app.get('/assets/:file', async (c) => {
    const asset = ASSETS[c.req.param('file')];
    if (!asset) return c.notFound();
    const file = c.req.param('file');
    if (!assets.has(file)) assets.set(file, readFile(asset.path()));
    return c.body(new Uint8Array(await assets.get(file)!), 200, { 'content-type': asset.type, 'cache-control': 'no-cache' });
  });
  app.all('*', (c) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? c.html(notFound(`Nothing at ${c.req.path}.`, '/runs', 'All runs'), 404) : c.text('the viewer is read-only', 405)));
  app.onError((err, c) => {
    process.stderr.write(`accrete ui: ${c.req.method} ${c.req.path}: ${err.stack ?? err.message}\n`);
    return c.text(`accrete ui could not answer ${c.req.path}: ${err.message}`, 500);
  });
  return app;
}

export interface RunningViewer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Serves the viewer on 127.0.0.1 (port 0: any free port). The database stays the caller's to close. */
export function startViewer(database: Database, options: ViewerOptions & { port?: number } = {}): Promise<RunningViewer> {
  const app = viewerApp(database, options);
  return new Promise((resolve, reject) => {
    let server: ServerType | undefined = undefined;
    const onError = (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${options.port} on 127.0.0.1 is in use: pass another --port (or --port 0 for any free one)`) : err);
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: options.port ?? 0 }, (info: AddressInfo) => {
      server?.off('error', onError);
      const url = `http://127.0.0.1:${info.port}/`;
      resolve({
        url,
        port: info.port,
        close: () =>
          new Promise<void>((done) => {
            const s = server as ServerType & { closeAllConnections?: () => void };
            s.close(() => done());
            s.closeAllConnections?.();
          }),
      });
    });
    server.once('error', onError);
  });
}
