/** Mining: the clusters (size, support, success rate, skeleton) and one cluster with its members side by side. */
import { html } from 'hono/html';
import type { Database } from '../../db/connection.js';
import { clusterPromotions, clusterVerification, runBriefs } from '../../db/browse.js';
import { listClusters, minedCode } from '../../db/queries.js';
import { highlighted } from '../highlight.js';
import { badge, type Html, notFound, page, pct, shortId, truncate, when } from '../layout.js';

export async function clustersPage(database: Database): Promise<Html> {
  const all = await listClusters(database);
  const body = html`<h1>Clusters</h1>
<p class="muted">Programs that decompose their task the same way, found by <code>accrete mine</code>. Support counts distinct successful runs.</p>
${
  all.length === 0
    ? html`<p class="empty">No clusters yet. Log some runs, then run: accrete mine</p>`
    : html`<table class="clusters"><thead><tr><th>cluster</th><th>size</th><th>support</th><th>success</th><th>growth</th><th>skeleton</th><th>representative</th></tr></thead>
<tbody>${all.map(
        (c) => html`<tr><td><a href="/clusters/${encodeURIComponent(c.id)}">${c.id}</a></td><td class="num">${c.size}</td><td class="num">${c.support}</td><td class="num">${pct(c.successRate)}</td>
<td>${c.growth ?? '-'}</td><td class="mono small">${truncate(c.skeleton, 120)}</td><td>${c.representative ? html`<a class="mono" href="/runs/${c.representative}">${shortId(c.representative)}</a>` : '-'}</td></tr>`,
      )}</tbody></table>`
}`;
  return page('Clusters', '/clusters', body);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const frac = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function verificationBlock(v: Record<string, unknown> | null): Html {
  if (!v) return html`<p class="muted">Not verified yet: accrete mine generalizes and verifies clusters that pass its thresholds.</p>`;
  return html`<dl class="facts">
<dt>status</dt><dd>${badge(str(v.status) ?? 'unknown')}</dd>
${str(v.name) ? html`<dt>function</dt><dd><a href="/library/${encodeURIComponent(str(v.name)!)}">${str(v.name)}</a></dd>` : ''}
${frac(v.coverage) !== undefined ? html`<dt>coverage</dt><dd>${pct(frac(v.coverage))} of the sub-group${frac(v.clusterCoverage) !== undefined ? `, ${pct(frac(v.clusterCoverage))} of the cluster` : ''}</dd>` : ''}
${str(v.reason) ? html`<dt>reason</dt><dd>${str(v.reason)}</dd>` : ''}
${str(v.at) ? html`<dt>when</dt><dd>${when(str(v.at))} UTC</dd>` : ''}
</dl>`;
}

/** A cluster: facts, templates, verification, functions proposed from it, members (two side by side: ?a=RUN&b=RUN). */
export async function clusterPage(database: Database, id: string, pick: { a?: string; b?: string }): Promise<Html> {
  const [c] = await listClusters(database, id);
  if (!c) return notFound(`No cluster ${id}.`, '/clusters', 'All clusters');
  const memberIds = c.members.map((m) => m.runId);
  const [briefs, verification, functions] = await Promise.all([runBriefs(database, memberIds), clusterVerification(database, c.id), clusterPromotions(database, c.id)]);
  const isMember = (x: string | undefined) => (x && memberIds.includes(x) ? x : undefined);
  const a = isMember(pick.a) ?? c.representative ?? memberIds[0];
  const b = isMember(pick.b) ?? memberIds.find((m) => m !== a);
  const [codeA, codeB] = await Promise.all([a ? minedCode(database, a) : '', b ? minedCode(database, b) : '']);
  const templates = (Array.isArray(c.templates) ? c.templates : []) as { fn?: unknown; text?: unknown }[];
  const side = (runId: string | undefined, code: string, label: string) =>
    runId
      ? html`<div class="side"><div class="block-label">${label}: <a class="mono" href="/runs/${runId}">${shortId(runId)}</a>${runId === c.representative ? ' (representative)' : ''}</div>${code ? highlighted(code) : html`<p class="muted">(not mined)</p>`}</div>`
      : html`<div class="side"><p class="muted">(no second member)</p></div>`;
  const body = html`<p class="crumbs"><a href="/clusters">Clusters</a> › ${c.id}</p>
<h1>Cluster ${c.id}</h1>
<dl class="facts">
<dt>size</dt><dd>${c.size} programs</dd><dt>support</dt><dd>${c.support} successful runs</dd><dt>success rate</dt><dd>${pct(c.successRate)}</dd>
<dt>model calls grow</dt><dd>${c.growth ?? '-'}</dd>
</dl>
<div class="block-label">skeleton</div><pre class="skeleton">${c.skeleton}</pre>
<div class="block-label">prompt templates</div>
${templates.length ? html`<ul class="templates">${templates.map((t) => html`<li><span class="mono">${typeof t.fn === 'string' ? t.fn : 'llm'}</span>: <code>${JSON.stringify(t.text ?? '')}</code></li>`)}</ul>` : html`<p class="muted">(none)</p>`}
<h2>Last verification</h2>
${verificationBlock(verification)}
${functions.length ? html`<h2>Functions proposed from it</h2><ul>${functions.map((f) => html`<li><a href="/library/${encodeURIComponent(f.name)}">${f.name}</a> ${f.version} ${badge(f.status)}</li>`)}</ul>` : ''}
<h2>Members side by side</h2>
<div class="side-by-side">${side(a, codeA, 'left')}${side(b, codeB, 'right')}</div>
<h2>Members (${c.members.length})</h2>
<table class="members"><thead><tr><th>run</th><th>status</th><th>query</th><th>model calls</th><th>started</th><th>compare</th></tr></thead>
<tbody>${briefs.map(
    (r) => html`<tr><td><a class="mono" href="/runs/${r.id}">${shortId(r.id)}</a></td><td>${badge(r.status)}</td><td class="query">${truncate(r.query, 100)}</td><td class="num">${r.llm_calls}</td><td class="nowrap">${when(r.started_at)}</td>
<td><a href="/clusters/${encodeURIComponent(c.id)}?a=${a ?? ''}&b=${r.id}">right</a> · <a href="/clusters/${encodeURIComponent(c.id)}?a=${r.id}&b=${b ?? ''}">left</a></td></tr>`,
  )}</tbody></table>`;
  return page(`Cluster ${c.id}`, '/clusters', body);
}
