/**
 * A run: its tree of steps (the model's reply, each code block highlighted with what running it
 * printed, threw or answered), the sub-calls with their prompts and responses (collapsed), cache
 * hits, library calls, sub-runs nested where they were called, tokens and cost per step, and a
 * waterfall of the whole tree. A run in progress is polled (assets/run.js).
 */
import { html } from 'hono/html';
import type { Database } from '../../db/connection.js';
import { type CallSummaryRow, libCallsOfTree, type LibCallRow, type llmCallById } from '../../db/browse.js';
import { findRunsByPrefix, type RunRow } from '../../db/queries.js';
import { highlighted, type CodeLanguage } from '../highlight.js';
import { badge, type Html, ms, num, page, shortId, truncate, usd, when } from '../layout.js';
import { timeline } from './timeline.js';
import { loadTree, type Tree } from './tree.js';

type StepRow = Tree['steps'][number];
type ProgramRow = Tree['programs'][number];
type CallRow = CallSummaryRow;
type FullCall = NonNullable<Awaited<ReturnType<typeof llmCallById>>>;

/** What the run page needs, read once. */
export interface RunView {
  root: RunRow;
  tree: Tree;
  libCalls: LibCallRow[];
}

/** The run with this id (or unique prefix), or a reason it cannot be shown. */
export async function findRun(database: Database, id: string): Promise<RunRow | string> {
  if (!/^[0-9a-f-]{4,36}$/i.test(id)) return `"${id}" is not a run id.`;
  const matches = await findRunsByPrefix(database, id);
  if (matches.length === 0) return `No run ${id} in this database.`;
  if (matches.length > 1) return `${id} matches more than one run; give more of the id.`;
  return matches[0];
}

export async function loadRunView(database: Database, root: RunRow): Promise<RunView> {
  const [tree, libCalls] = await Promise.all([loadTree(database, root.rootRunId), libCallsOfTree(database, root.rootRunId)]);
  return { root, tree, libCalls };
}

const parentProgramOf = (r: RunRow): string | undefined => (r.metadata as { parentProgramId?: string } | null)?.parentProgramId;

const languageOf = (r: RunRow): CodeLanguage => ((r.metadata as { language?: string } | null)?.language === 'python' ? 'python' : 'typescript');

const tokens = (i: number, o: number) => `${num(i)} in / ${num(o)} out`;

function callSummary(c: CallRow): Html {
  const prompt = c.prompt;
  return html`<span class="kind">${c.kind === 'sub' ? 'llm' : c.kind === 'answer_now' ? 'answer now' : 'root model'}</span>
${c.status === 'ok' ? '' : badge(c.status)} <span class="mono small">${c.requestModel}</span>
<span class="muted">${tokens(c.inputTokens, c.outputTokens)} · ${ms(c.latencyMs)}${c.costUsd ? ` · ${usd(c.costUsd)}` : ''}</span>
<span class="prompt">${truncate(prompt, 100)}</span>`;
}

/** One model call, collapsed to a line; opening it loads its messages and response (assets/run.js, from /calls/ID). */
function call(c: CallRow): Html {
  return html`<details class="call kind-${c.kind} status-${c.status}" id="call-${c.id}"><summary>${callSummary(c)}</summary>
<div class="messages" data-src="/calls/${c.id}"><a href="/calls/${c.id}">messages and response</a></div></details>`;
}

/** What an opened model call shows: every message it sent, the response, the error. */
export function callBody(c: FullCall): Html {
  return html`${c.requestMessages.map((m) => html`<div class="msg role-${m.role}"><div class="role">${m.role} · ${num(m.content.length)} chars</div><pre>${m.content}</pre></div>`)}
<div class="msg response"><div class="role">response${c.finishReason ? ` · ${c.finishReason}` : ''}${c.responseModel ? ` · ${c.responseModel}` : ''}</div><pre>${c.response ?? ''}</pre></div>
${c.error ? html`<div class="msg"><div class="role">error</div><pre class="error">${c.error}</pre></div>` : ''}`;
}

function libCall(l: LibCallRow): Html {
  return html`<li class="libcall"><a href="/library/${encodeURIComponent(l.name)}">lib.${l.name}</a> <span class="mono small">${l.version}</span> ${badge(l.status)}
<span class="muted">${ms(l.duration_ms)} · ${l.llm_calls} model calls inside</span>${l.error ? html`<pre class="error">${l.error}</pre>` : ''}</li>`;
}

function output(p: ProgramRow): Html {
  if (!p.output && p.outputChars === 0) return html``;
  const cut = p.outputChars > p.output.length;
  return html`<div class="block-label">output <span class="muted">(${num(p.outputChars)} characters${cut ? html`; <span class="truncated">logged ${num(p.output.length)} of ${num(p.outputChars)}</span>` : ''})</span></div>
<pre class="output">${p.output}</pre>`;
}

/** The model's reply cut at its code blocks: prose, then each block with what running it did. */
function replySegments(s: StepRow): { prose: string; block?: number }[] {
  const out: { prose: string; block?: number }[] = [];
  let at = 0;
  s.codeBlocks.forEach((code, i) => {
    const found = code ? s.response.indexOf(code, at) : -1;
    if (found < 0) return;
    out.push({ prose: s.response.slice(at, found).replace(/(^|\n)[ \t]*(```|~~~)[\w-]*[ \t]*\n?$/, ''), block: i });
    at = found + code.length;
    const fence = /^\n?[ \t]*(```|~~~)[ \t]*\n?/.exec(s.response.slice(at));
    if (fence) at += fence[0].length;
  });
  out.push({ prose: s.response.slice(at) });
  return out;
}

interface RunContext {
  tree: Tree;
  libCalls: LibCallRow[];
}

function program(ctx: RunContext, run: RunRow, p: ProgramRow, codeShown: boolean): Html {
  const subCalls = ctx.tree.llmCalls.filter((c) => c.programId === p.id && c.kind === 'sub');
  const cacheHits = subCalls.filter((c) => c.status === 'cache_hit').length;
  const libs = ctx.libCalls.filter((l) => l.program_id === p.id);
  const children = ctx.tree.runs.filter((r) => r.parentRunId === run.id && parentProgramOf(r) === p.id);
  return html`<div class="program status-${p.status}" id="program-${p.id}">
${codeShown ? '' : highlighted(p.code, languageOf(run))}
<div class="program-meta">${badge(p.status)} <span class="muted">block ${p.blockIdx + 1} · ${ms(p.durationMs)} · ${p.llmCallCount} model calls${cacheHits ? ` (${cacheHits} cache hits)` : ''}</span></div>
${output(p)}
${p.error ? html`<div class="block-label">error</div><pre class="error">${p.error}</pre>` : ''}
${p.result !== null ? html`<div class="block-label">FINAL</div><pre class="final">${p.result}</pre>` : ''}
${libs.length ? html`<div class="block-label">library calls</div><ul class="libcalls">${libs.map(libCall)}</ul>` : ''}
${subCalls.length ? html`<div class="block-label">sub-calls (${subCalls.length}${cacheHits ? `, ${cacheHits} answered from the cache` : ''})</div><div class="calls">${subCalls.map(call)}</div>` : ''}
${children.map((child) => html`<div class="subrun"><div class="block-label">sub-run (rlm, depth ${child.depth})</div>${runSection(ctx, child)}</div>`)}
</div>`;
}

function step(ctx: RunContext, run: RunRow, s: StepRow): Html {
  const programs = ctx.tree.programs.filter((p) => p.stepId === s.id || (p.stepId === null && p.runId === run.id && p.stepIdx === s.idx));
  const ids = new Set(programs.map((p) => p.id));
  const root = ctx.tree.llmCalls.find((c) => c.runId === run.id && c.kind === 'root' && c.rootResponse === s.response);
  const subs = ctx.tree.llmCalls.filter((c) => c.programId !== null && ids.has(c.programId) && c.kind === 'sub');
  const input = (root?.inputTokens ?? 0) + subs.reduce((a, c) => a + c.inputTokens, 0);
  const out = (root?.outputTokens ?? 0) + subs.reduce((a, c) => a + c.outputTokens, 0);
  const cost = (root?.costUsd ?? 0) + subs.reduce((a, c) => a + c.costUsd, 0);
  const byBlock = new Map(programs.map((p) => [p.blockIdx, p]));
  const shown = new Set<string>();
  const segments = replySegments(s).map((seg) => {
    const p = seg.block === undefined ? undefined : byBlock.get(seg.block);
    if (p) shown.add(p.id);
    return html`${seg.prose.trim() ? html`<div class="prose">${seg.prose.trim()}</div>` : ''}
${seg.block !== undefined ? highlighted(s.codeBlocks[seg.block], languageOf(run)) : ''}
${p ? program(ctx, run, p, true) : ''}`;
  });
  return html`<details class="step" id="step-${s.id}" open><summary><span class="step-title">step ${s.idx + 1}</span>
<span class="muted">${ms(s.durationMs)} · ${tokens(input, out)} · ${usd(cost)}${subs.length ? ` · ${subs.length} sub-calls` : ''}</span></summary>
${root ? html`<div class="calls root-call">${call(root)}</div>` : ''}
<div class="reply">${segments}</div>
${programs.filter((p) => !shown.has(p.id)).map((p) => program(ctx, run, p, false))}
${s.error && programs.length === 0 ? html`<div class="block-label">note</div><pre class="error">${s.error}</pre>` : ''}
</details>`;
}

function runHead(run: RunRow): Html {
  return html`<div class="run-head">
<div class="run-title">${badge(run.status)} <span class="mono">${run.id}</span>${run.depth > 0 ? html` <span class="tag">sub-run · depth ${run.depth}</span>` : ''}${run.source !== 'runtime' ? html` <span class="tag">${run.source}</span>` : ''}</div>
<div class="query">${run.query}</div>
<dl class="facts">
<dt>models</dt><dd class="mono">${run.rootModel ?? '-'} / ${run.subModel ?? '-'}</dd>
<dt>iterations</dt><dd>${run.iterations}</dd>
<dt>model calls</dt><dd>${num(run.llmCalls)}</dd>
<dt>tokens</dt><dd>${tokens(run.inputTokens, run.outputTokens)}</dd>
<dt>cost</dt><dd>${usd(run.costUsd)}</dd>
<dt>started</dt><dd>${when(run.startedAt)} UTC</dd>
<dt>duration</dt><dd>${run.status === 'running' ? 'running…' : ms(run.durationMs)}</dd>
<dt>library</dt><dd class="mono">${run.libraryCommit ? run.libraryCommit.slice(0, 12) : '-'}</dd>
${run.contextBytes !== null ? html`<dt>input</dt><dd>${num(run.contextBytes)} bytes</dd>` : ''}
</dl>
${run.error ? html`<pre class="error">${run.error}</pre>` : ''}
</div>`;
}

function runSection(ctx: RunContext, run: RunRow): Html {
  const steps = ctx.tree.steps.filter((s) => s.runId === run.id);
  const answerNow = ctx.tree.llmCalls.filter((c) => c.runId === run.id && c.kind === 'answer_now');
  const stepPrograms = new Set(ctx.tree.programs.filter((p) => p.runId === run.id).map((p) => p.id));
  const loose = ctx.tree.llmCalls.filter((c) => c.runId === run.id && c.kind === 'sub' && (c.programId === null || !stepPrograms.has(c.programId)));
  const placed = new Set(ctx.tree.programs.map((p) => p.id));
  const orphans = ctx.tree.runs.filter((r) => r.parentRunId === run.id && !placed.has(parentProgramOf(r) ?? ''));
  return html`<section class="run status-${run.status}" id="run-${run.id}">
${runHead(run)}
${steps.length === 0 ? html`<p class="empty">${run.status === 'running' ? 'No step logged yet.' : 'No steps were logged for this run.'}</p>` : steps.map((s) => step(ctx, run, s))}
${answerNow.length ? html`<div class="block-label">answer-now call (a budget ended the loop)</div><div class="calls">${answerNow.map(call)}</div>` : ''}
${loose.length ? html`<div class="block-label">other model calls</div><div class="calls">${loose.map(call)}</div>` : ''}
${orphans.map((child) => html`<div class="subrun"><div class="block-label">sub-run (depth ${child.depth})</div>${runSection(ctx, child)}</div>`)}
${run.answer !== null ? html`<div class="answer"><div class="block-label">answer</div><pre>${run.answer}</pre></div>` : ''}
</section>`;
}

export function runPage(view: RunView, progress: unknown): Html {
  const { root, tree } = view;
  const live = tree.runs.some((r) => r.status === 'running');
  const ctx: RunContext = { tree, libCalls: view.libCalls };
  const subRuns = tree.runs.length - 1;
  const body = html`<div class="run-page" data-run-id="${root.id}" data-live="${live ? '1' : '0'}" data-progress="${JSON.stringify(progress)}">
<p class="crumbs"><a href="/runs">Runs</a> › <span class="mono">${shortId(root.id)}</span>${subRuns ? ` · ${subRuns} sub-run${subRuns === 1 ? '' : 's'}` : ''}${view.libCalls.length ? ` · ${view.libCalls.length} library calls` : ''}
${live ? html` · <span class="live">live: updates while it runs</span>` : ''}</p>
${timeline(tree)}
${runSection(ctx, root)}
</div>`;
  return page(`Run ${shortId(root.id)}`, '/runs', body, { script: 'run.js' });
}
