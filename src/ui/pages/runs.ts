/** The list of runs: filters (status, model, dates, text in the query) and keyset paging. */
import { html } from 'hono/html';
import type { Database } from '../../db/connection.js';
import { RUN_STATUSES } from '../../db/schema.js';
import { pageRuns, runModels, type RunCursor, type RunFilter } from '../../db/browse.js';
import { badge, type Html, ms, num, page, shortId, truncate, usd, when } from '../layout.js';

export const PAGE_SIZE = 50;

/** The models offered by the filter: a scan of every run, so read at most once a minute per database. */
const MODELS_TTL_MS = 60_000;
const modelsSeen = new WeakMap<Database, { at: number; models: Promise<string[]> }>();

function modelsOf(database: Database): Promise<string[]> {
  const seen = modelsSeen.get(database);
  if (seen && Date.now() - seen.at < MODELS_TTL_MS) return seen.models;
  const models = runModels(database);
  modelsSeen.set(database, { at: Date.now(), models });
  models.catch(() => modelsSeen.delete(database));
  return models;
}

/** The query string of the list page, as the form sends it. */
export interface RunsQuery {
  status?: string;
  model?: string;
  from?: string;
  to?: string;
  q?: string;
  before?: string;
  after?: string;
}

/** A bad filter value: the page says what was wrong (HTTP 400). */
export class FilterError extends Error {}

const encodeCursor = (c: RunCursor): string => Buffer.from(JSON.stringify([c.startedAt, c.id])).toString('base64url');

function decodeCursor(text: string): RunCursor {
  try {
    const [startedAt, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof startedAt === 'string' && typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id)) return { startedAt, id };
  } catch {
    /* reported below */
  }
  throw new FilterError('the page link is damaged: go back to the first page');
}

function day(text: string | undefined, name: string, endOfDay: boolean): Date | undefined {
  if (!text) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(Date.parse(`${text}T00:00:00Z`))) throw new FilterError(`${name} must be a date like 2026-01-31 (got "${text}")`);
  const d = new Date(`${text}T00:00:00Z`);
  if (endOfDay) d.setUTCDate(d.getUTCDate() + 1);
  return d;
}

/** The filter a query string asks for (dates are UTC days, `to` included). */
export function filterOf(q: RunsQuery): RunFilter {
  return { status: q.status || undefined, model: q.model || undefined, from: day(q.from, 'from', false), to: day(q.to, 'to', true), text: q.q?.trim() || undefined };
}

function link(q: RunsQuery, cursor: { before?: RunCursor; after?: RunCursor }): string {
  const params = new URLSearchParams();
  for (const k of ['status', 'model', 'from', 'to', 'q'] as const) if (q[k]) params.set(k, q[k]!);
  if (cursor.before) params.set('before', encodeCursor(cursor.before));
  if (cursor.after) params.set('after', encodeCursor(cursor.after));
  const s = params.toString();
  return `/runs${s ? `?${s}` : ''}`;
}

function select(name: string, label: string, value: string | undefined, options: string[]): Html {
  return html`<label>${label} <select name="${name}"><option value="">any</option>${options.map((o) => html`<option value="${o}" ${o === value ? 'selected' : ''}>${o}</option>`)}</select></label>`;
}

export async function runsPage(database: Database, q: RunsQuery): Promise<Html> {
  const filter = filterOf(q);
  const [result, models] = await Promise.all([
    pageRuns(database, filter, { limit: PAGE_SIZE, before: q.before ? decodeCursor(q.before) : undefined, after: q.after ? decodeCursor(q.after) : undefined }),
    modelsOf(database),
  ]);
  const filtered = Boolean(filter.status || filter.model || filter.from || filter.to || filter.text);
  const form = html`<form class="filters" method="get" action="/runs">
${select('status', 'status', q.status, [...RUN_STATUSES])}
${select('model', 'model', q.model, models)}
<label>from <input type="date" name="from" value="${q.from ?? ''}"></label>
<label>to <input type="date" name="to" value="${q.to ?? ''}"></label>
<label class="grow">query contains <input type="search" name="q" value="${q.q ?? ''}" placeholder="text in the query"></label>
<button type="submit">Filter</button>${filtered ? html` <a href="/runs">clear</a>` : ''}
</form>`;
  const rows = result.rows.map(
    (r) => html`<tr>
<td><a href="/runs/${r.id}" class="mono">${shortId(r.id)}</a></td>
<td class="nowrap">${when(r.started_at)}</td>
<td>${badge(r.status)}</td>
<td class="query" title="${r.query}">${truncate(r.query, 110)}${r.source !== 'runtime' ? html` <span class="tag">${r.source}</span>` : ''}</td>
<td class="mono small">${r.root_model ?? '-'}<br>${r.sub_model ?? '-'}</td>
<td class="num">${r.iterations}</td>
<td class="num">${num(r.llm_calls)}</td>
<td class="num">${Number(r.sub_runs) || ''}</td>
<td class="num">${num(Number(r.input_tokens) + Number(r.output_tokens))}</td>
<td class="num">${usd(r.cost_usd)}</td>
<td class="num nowrap">${ms(r.duration_ms)}</td>
<td class="mono small">${r.library_commit ? r.library_commit.slice(0, 10) : '-'}</td>
</tr>`,
  );
  const pager = html`<nav class="pager">
${result.newer ? html`<a href="${link(q, {})}">« newest</a> <a href="${link(q, { after: result.newer })}" rel="prev">‹ newer</a>` : html`<span class="muted">newest first</span>`}
${result.older ? html`<a href="${link(q, { before: result.older })}" rel="next">older ›</a>` : html`<span class="muted">end of the list</span>`}
</nav>`;
  const body = html`<h1>Runs</h1>
${form}
${
  result.rows.length === 0
    ? html`<p class="empty">${filtered ? 'No run matches these filters.' : 'No runs yet. Start one with: accrete run "your question" --context-file FILE'}</p>`
    : html`<table class="runs">
<thead><tr><th>run</th><th>started (UTC)</th><th>status</th><th>query</th><th>models (root / sub)</th><th>iter</th><th>model calls</th><th>sub-runs</th><th>tokens</th><th>cost</th><th>duration</th><th>library</th></tr></thead>
<tbody>${rows}</tbody></table>
${pager}`
}`;
  return page('Runs', '/runs', body);
}
