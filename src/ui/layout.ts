/** The page frame and the small pieces every page uses (status badges, numbers, times). */
import { html } from 'hono/html';
import { ms, num, truncate } from '../util/format.js';

export type Html = ReturnType<typeof html>;

export { ms, num, truncate };

export const NAV: [href: string, label: string][] = [
  ['/runs', 'Runs'],
  ['/clusters', 'Clusters'],
  ['/library', 'Library'],
];

export function page(title: string, active: string, body: Html, options: { script?: string } = {}): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · accrete</title>
<link rel="stylesheet" href="/assets/hljs.css">
<link rel="stylesheet" href="/assets/style.css">
</head>
<body>
<header class="top"><a class="brand" href="/runs">accrete</a>
<nav>${NAV.map(([href, label]) => html`<a href="${href}" class="${href === active ? 'active' : ''}">${label}</a>`)}</nav>
<span class="readonly" title="the viewer never writes to the database">read-only</span></header>
<main>${body}</main>
${options.script ? html`<script src="/assets/${options.script}" defer></script>` : ''}
</body>
</html>`;
}

export const badge = (status: string): Html => html`<span class="badge status-${status}">${status.replace(/_/g, ' ')}</span>`;

export const when = (d: string | Date | null | undefined): string => (d ? new Date(d).toISOString().replace('T', ' ').slice(0, 19) : '-');

export const usd = (x: number): string => `$${Number(x).toFixed(4)}`;

export const pct = (x: number | null | undefined): string => (x === null || x === undefined ? '-' : `${Math.round(x * 100)}%`);

export const shortId = (id: string): string => id.slice(0, 8);

export function notFound(what: string, back: string, label: string): Html {
  return page('Not found', back, html`<h1>Not found</h1><p class="empty">${what}</p><p><a href="${back}">${label}</a></p>`);
}
