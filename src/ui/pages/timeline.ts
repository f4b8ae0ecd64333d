/**
 * The waterfall of a run tree: each run, step and model call as a bar on one time axis (the root
 * run's start at 0), with its latency. A model call's created_at is when it returned (older logs:
 * when its batch was written, a few tens of ms later), so it spans [created_at − latency, created_at].
 */
import { html } from 'hono/html';
import { type Html, ms, truncate } from '../layout.js';
import type { Tree } from './tree.js';

interface Bar {
  kind: 'run' | 'step' | 'root' | 'sub' | 'cache';
  label: string;
  depth: number;
  start: number;
  end: number;
  href: string;
}

/** Rows beyond this are summarized in one line. */
export const MAX_BARS = 400;

function bars(tree: Tree, now: number): Bar[] {
  const out: Bar[] = [];
  const byParent = new Map<string, Tree['runs']>();
  for (const r of tree.runs) if (r.parentRunId) byParent.set(r.parentRunId, [...(byParent.get(r.parentRunId) ?? []), r]);
  const visit = (run: Tree['runs'][number]) => {
    const start = run.startedAt.getTime();
    out.push({ kind: 'run', label: run.depth === 0 ? 'run' : `sub-run: ${truncate(run.query, 40)}`, depth: run.depth, start, end: run.endedAt?.getTime() ?? (run.durationMs !== null ? start + run.durationMs : now), href: `#run-${run.id}` });
    const calls = tree.llmCalls.filter((c) => c.runId === run.id);
    for (const s of tree.steps.filter((x) => x.runId === run.id)) {
      const st = s.startedAt.getTime();
      const root = calls.find((c) => c.kind === 'root' && c.rootResponse === s.response);
      if (root) out.push({ kind: 'root', label: 'root model', depth: run.depth + 1, start: root.createdAt.getTime() - root.latencyMs, end: root.createdAt.getTime(), href: `#call-${root.id}` });
      out.push({ kind: 'step', label: `step ${s.idx + 1}`, depth: run.depth + 1, start: st, end: st + s.durationMs, href: `#step-${s.id}` });
      const programs = new Set(tree.programs.filter((p) => p.stepId === s.id).map((p) => p.id));
      for (const c of calls.filter((x) => x.kind === 'sub' && x.programId !== null && programs.has(x.programId))) {
        const end = c.createdAt.getTime();
        out.push({ kind: c.status === 'cache_hit' ? 'cache' : 'sub', label: `llm${c.status === 'cache_hit' ? ' (cache hit)' : ''}`, depth: run.depth + 2, start: end - c.latencyMs, end, href: `#call-${c.id}` });
      }
      for (const child of (byParent.get(run.id) ?? []).filter((r) => programs.has((r.metadata as { parentProgramId?: string } | null)?.parentProgramId ?? ''))) visit(child);
    }
  };
  const root = tree.runs.find((r) => r.parentRunId === null) ?? tree.runs[0];
  if (root) visit(root);
  return out;
}

export function timeline(tree: Tree): Html {
  const all = bars(tree, Date.now());
  if (all.length <= 1) return html``;
  const t0 = Math.min(...all.map((b) => b.start));
  const span = Math.max(1, Math.max(...all.map((b) => b.end)) - t0);
  const shown = all.slice(0, MAX_BARS);
  const pos = (b: Bar) => {
    const left = ((b.start - t0) / span) * 100;
    const width = Math.max(0.4, ((b.end - b.start) / span) * 100);
    return `left:${left.toFixed(2)}%;width:${Math.min(width, 100 - left).toFixed(2)}%`;
  };
  return html`<details class="timeline" open><summary>timeline · ${ms(span)} · ${all.length} bars</summary>
<div class="waterfall">${shown.map(
    (b) => html`<a class="wf-row" href="${b.href}"><span class="wf-label" style="padding-left:${b.depth * 0.8}em">${b.label}</span><span class="wf-track"><span class="wf-bar wf-${b.kind}" style="${pos(b)}" title="${b.label}: ${ms(b.end - b.start)} at +${ms(b.start - t0)}"></span></span><span class="wf-time">${ms(b.end - b.start)}</span></a>`,
  )}</div>
${all.length > shown.length ? html`<p class="muted">… ${all.length - shown.length} more bars not drawn</p>` : ''}
</details>`;
}
