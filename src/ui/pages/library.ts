/**
 * Mining: the library's functions (version, status, calls, success, savings) and one function
 * (its versions with their evidence, its source on the library's main branch, the runs behind it
 * and the runs that called it). Statuses are as last recorded in the database: `accrete library
 * list` follows the library's main branch and records merges made elsewhere.
 */
import { html } from 'hono/html';
import type { Database } from '../../db/connection.js';
import { libraryCallers, promotionDetails, runBriefs } from '../../db/browse.js';
import { libraryUsageStats } from '../../db/queries.js';
import { MAIN_BRANCH, sourcePath } from '../../library/format.js';
import { isRepositoryRoot, showText } from '../../library/git.js';
import { highlighted } from '../highlight.js';
import { badge, type Html, notFound, num, page, pct, shortId, truncate, when } from '../layout.js';

const saved = (n: number | null) => (n === null ? '-' : num(n));

export async function libraryPage(database: Database): Promise<Html> {
  const rows = await libraryUsageStats(database);
  const body = html`<h1>Library</h1>
<p class="muted">Functions mined from recurring programs: proposed, merged (runs can call them), retired. Savings are estimated against the runs of the cluster each function came from.</p>
${
  rows.length === 0
    ? html`<p class="empty">No functions proposed yet: accrete mine proposes recurring programs as library functions.</p>`
    : html`<table class="library"><thead><tr><th>function</th><th>version</th><th>status</th><th>cluster</th><th>calls</th><th>runs</th><th>success</th><th>model calls / call</th><th>model calls saved</th><th>root output tokens saved</th><th>last used</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr><td><a href="/library/${encodeURIComponent(r.name)}">${r.name}</a>${r.flaggedForRetirement ? html` <span class="tag">unused: retire?</span>` : ''}</td><td class="mono">${r.version ?? '-'}</td><td>${badge(r.status)}</td>
<td>${r.clusterId ? html`<a href="/clusters/${encodeURIComponent(r.clusterId)}">${r.clusterId}</a>` : '-'}</td><td class="num">${num(r.calls)}</td><td class="num">${num(r.runs)}</td><td class="num">${pct(r.successRate)}</td>
<td class="num">${r.llmCallsPerCall === null ? '-' : r.llmCallsPerCall.toFixed(1)}</td><td class="num">${saved(r.llmCallsSaved)}</td><td class="num">${saved(r.rootOutputTokensSaved)}</td><td class="nowrap">${r.lastUsed ? when(r.lastUsed) : 'never'}</td></tr>`,
      )}</tbody></table>`
}`;
  return page('Library', '/library', body);
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

async function sourceOnMain(libraryDir: string | undefined, name: string): Promise<string | null> {
  if (!libraryDir || !(await isRepositoryRoot(libraryDir).catch(() => false))) return null;
  return (await showText(libraryDir, MAIN_BRANCH, sourcePath(name)).catch(() => undefined)) ?? null;
}

export async function functionPage(database: Database, name: string, libraryDir: string | undefined): Promise<Html> {
  const versions = await promotionDetails(database, name);
  if (versions.length === 0) return notFound(`No library function ${name}.`, '/library', 'All functions');
  const sourceRunIds = [...new Set(versions.flatMap((v) => strings(v.evidence?.sourceRunIds)))];
  const [stats, callers, sources, source] = await Promise.all([
    libraryUsageStats(database).then((rows) => rows.find((r) => r.name === name)),
    libraryCallers(database, name),
    runBriefs(database, sourceRunIds),
    sourceOnMain(libraryDir, name),
  ]);
  const version = (v: (typeof versions)[number]) => {
    const e = v.evidence ?? {};
    const savings = (e.expectedSavings ?? {}) as { llmCallsPerRun?: unknown; rootOutputTokensPerRun?: unknown; note?: unknown };
    return html`<details class="version" ${v === versions[0] ? 'open' : ''}><summary><span class="mono">${v.version}</span> ${badge(v.status)} <span class="muted">${when(v.created_at)} UTC · cluster ${v.cluster_id}</span></summary>
<dl class="facts">
<dt>cluster</dt><dd><a href="/clusters/${encodeURIComponent(v.cluster_id)}">${v.cluster_id}</a></dd>
<dt>support</dt><dd>${v.support} runs</dd><dt>coverage</dt><dd>${pct(v.coverage)}</dd>
${typeof e.successRate === 'number' ? html`<dt>success rate</dt><dd>${pct(e.successRate)}</dd>` : ''}
<dt>gain</dt><dd>${num(Math.round(v.gain))} tokens</dd>
${typeof savings.llmCallsPerRun === 'number' ? html`<dt>model calls saved / run</dt><dd>${savings.llmCallsPerRun}</dd>` : ''}
${typeof savings.rootOutputTokensPerRun === 'number' ? html`<dt>root output tokens saved / run</dt><dd>${savings.rootOutputTokensPerRun}</dd>` : ''}
<dt>branch</dt><dd class="mono">${v.branch}</dd>
${v.pr_url ? html`<dt>pull request</dt><dd>${/^https?:\/\//i.test(v.pr_url) ? html`<a href="${v.pr_url}">${v.pr_url}</a>` : v.pr_url}</dd>` : ''}
</dl>
${typeof e.body === 'string' ? html`<details class="evidence"><summary>the proposal's description (evidence)</summary><pre class="prose">${e.body}</pre></details>` : ''}
</details>`;
  };
  const body = html`<p class="crumbs"><a href="/library">Library</a> › ${name}</p>
<h1>lib.${name}</h1>
${
  stats
    ? html`<dl class="facts"><dt>calls</dt><dd>${num(stats.calls)} in ${num(stats.runs)} runs</dd><dt>success</dt><dd>${pct(stats.successRate)}</dd>
<dt>model calls saved</dt><dd>${saved(stats.llmCallsSaved)}</dd><dt>root output tokens saved</dt><dd>${saved(stats.rootOutputTokensSaved)}</dd><dt>last used</dt><dd>${stats.lastUsed ? `${when(stats.lastUsed)} UTC` : 'never'}</dd></dl>`
    : ''
}
<h2>Versions</h2>
${versions.map(version)}
<h2>Source on the library's main branch</h2>
${source ? highlighted(source) : html`<p class="muted">${libraryDir ? `Not on main in ${libraryDir} (not merged, or retired).` : 'No library repository given (--library).'}</p>`}
<h2>Runs behind it (${sources.length})</h2>
${sources.length ? runList(sources) : html`<p class="muted">(none recorded)</p>`}
<h2>Runs that called it (${callers.length}${callers.length === 200 ? ', newest 200' : ''})</h2>
${
  callers.length
    ? html`<table class="members"><thead><tr><th>run</th><th>status</th><th>query</th><th>calls</th><th>failed</th><th>version</th><th>started</th></tr></thead><tbody>${callers.map(
        (r) => html`<tr><td><a class="mono" href="/runs/${r.root_run_id}#run-${r.id}">${shortId(r.id)}</a></td><td>${badge(r.status)}</td><td class="query">${truncate(r.query, 90)}</td><td class="num">${r.calls}</td><td class="num">${r.failed}</td><td class="mono">${r.version}</td><td class="nowrap">${when(r.started_at)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="muted">Not called by any run yet.</p>`
}`;
  return page(`lib.${name}`, '/library', body);
}

function runList(rows: Awaited<ReturnType<typeof runBriefs>>): Html {
  return html`<table class="members"><thead><tr><th>run</th><th>status</th><th>query</th><th>model calls</th><th>started</th></tr></thead><tbody>${rows.map(
    (r) => html`<tr><td><a class="mono" href="/runs/${r.root_run_id}#run-${r.id}">${shortId(r.id)}</a></td><td>${badge(r.status)}</td><td class="query">${truncate(r.query, 100)}</td><td class="num">${r.llm_calls}</td><td class="nowrap">${when(r.started_at)}</td></tr>`,
  )}</tbody></table>`;
}

