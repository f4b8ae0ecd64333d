/**
 * A test-only stand-in for the runtime loop: runs the root model's ```js blocks with node:vm in
 * one context per task (top-level const/let/var/function become globals so they persist across
 * steps; each block runs inside an async IIFE so top-level await works), with `context`, `print`,
 * `llm`, `llmBatch`, `rlm` (= llm), `FINAL`, `FINAL_VAR` and an optional `lib`, and feeds the
 * results back in the runtime's own message formats (src/contracts/messages.ts, src/runtime/prompts.ts).
 */
import vm from 'node:vm';
import type { ChatMessage, ModelClient } from '../../src/models/types.js';
import type { LibraryListing } from '../../src/contracts/listing.js';
import { ANSWER_NOW, NO_CODE_NOTE, buildFirstUserMessage, buildSubCallMessages, formatReplResults, type ReplBlockReport } from '../../src/contracts/messages.js';
import { buildSystemPrompt } from '../../src/runtime/prompts.js';

export interface HarnessLibrary {
  listings: LibraryListing[];
  functions: Record<string, (...args: never[]) => unknown>;
}

export interface HarnessOptions {
  root: ModelClient;
  leaf: ModelClient;
  maxSteps?: number;
  library?: HarnessLibrary;
  maxOutputChars?: number;
}

export interface HarnessRun {
  answer: string | undefined;
  steps: number;
  llmCalls: number;
  errors: string[];
  messages: ChatMessage[];
  /** How the run ended: FINAL in code, or the ANSWER_NOW prose reply. */
  endedBy: 'final' | 'answer-now' | 'none';
}

export function extractCodeBlocks(text: string): string[] {
  return [...text.matchAll(/```(?:js|javascript|ts|typescript)?[ \t]*\n([\s\S]*?)```/g)].map((m) => m[1]);
}

/** Rewrites column-0 declarations so they land on the context's global object. */
export function hoistTopLevel(code: string): { script: string; globals: string[] } {
  const globals: string[] = [];
  const functions: string[] = [];
  const body = code.split('\n').map((line) => {
    const decl = /^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=(.*)$/.exec(line);
    if (decl) {
      globals.push(decl[1]);
      return `${decl[1]} =${decl[2]}`;
    }
    const bare = /^(?:let|var)\s+([A-Za-z_$][\w$]*)\s*;?\s*$/.exec(line);
    if (bare) {
      globals.push(bare[1]);
      return '';
    }
    const fn = /^(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*\(/.exec(line);
    if (fn) functions.push(fn[1]);
    return line;
  });
  const exportFns = functions.map((f) => `globalThis.${f} = ${f};`).join('\n');
  return { script: `(async () => {\n${exportFns}\n${body.join('\n')}\n})()`, globals: [...globals, ...functions] };
}

function show(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Map || (value && typeof value === 'object' && (value as object).constructor?.name === 'Map')) {
    return JSON.stringify(Object.fromEntries(value as Map<unknown, unknown>));
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n... [${text.length - max} characters omitted] ...\n${text.slice(-half)}`;
}

export async function runRlm(query: string, context: string, options: HarnessOptions): Promise<HarnessRun> {
  const maxSteps = options.maxSteps ?? 8;
  const maxOut = options.maxOutputChars ?? 4000;
  let llmCalls = 0;
  let final: string | undefined;
  let output: string[] = [];
  const errors: string[] = [];

  const llm = async (q: unknown, ctx?: unknown): Promise<string> => {
    llmCalls++;
    const c = ctx === undefined || ctx === null ? undefined : typeof ctx === 'string' ? ctx : JSON.stringify(ctx);
    const r = await options.leaf.complete({ messages: buildSubCallMessages(String(q), c) });
    return r.text;
  };
  const sandbox: Record<string, unknown> = {
    context,
    print: (...values: unknown[]) => {
      output.push(values.map(show).join(' '));
    },
    llm,
    recursive_llm: llm,
    rlm: llm,
    llmBatch: async (items: Array<{ query: unknown; context?: unknown }>) => Promise.all(items.map((i) => llm(i.query, i.context))),
    FINAL: (value: unknown) => {
      final = typeof value === 'string' ? value : show(value);
    },
    FINAL_VAR: (name: unknown) => {
      const v = ctx[String(name)];
      if (v === undefined) throw new Error(`FINAL_VAR: no variable named ${String(name)}`);
      final = typeof v === 'string' ? v : show(v);
    },
    lib: options.library?.functions ?? {},
  };
  const ctx = vm.createContext(sandbox) as Record<string, unknown>;

  const messages: ChatMessage[] = [
    { role: 'system', content: buildSystemPrompt(options.library?.listings ?? []) },
    {
      role: 'user',
      content: buildFirstUserMessage(query, { type: 'string', chars: context.length, bytes: Buffer.byteLength(context), shape: `${context.split('\n').length} lines` }),
    },
  ];

  for (let step = 1; step <= maxSteps; step++) {
    const reply = await options.root.complete({ messages });
    messages.push({ role: 'assistant', content: reply.text });
    const blocks = extractCodeBlocks(reply.text);
    if (blocks.length === 0) {
      messages.push({ role: 'user', content: NO_CODE_NOTE });
      continue;
    }
    const reports: ReplBlockReport[] = [];
    for (const code of blocks) {
      output = [];
      let error: string | undefined;
      try {
        const { script, globals } = hoistTopLevel(code);
        if (globals.length > 0) vm.runInContext(`var ${globals.join(', ')};`, ctx);
        await (vm.runInContext(script, ctx) as Promise<unknown>);
      } catch (err) {
        const e = err as { name?: string; message?: string };
        error = `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`;
        errors.push(error);
      }
      const text = output.join('\n');
      reports.push({ output: truncate(text, maxOut), outputChars: text.length, error });
      if (final !== undefined) return { answer: final, steps: step, llmCalls, errors, messages, endedBy: 'final' };
      if (error) break;
    }
    messages.push({ role: 'user', content: formatReplResults(step, reports) });
  }
  messages.push({ role: 'user', content: ANSWER_NOW });
  const last = await options.root.complete({ messages });
  messages.push({ role: 'assistant', content: last.text });
  const m = /FINAL\(([\s\S]*)\)\s*$/.exec(last.text.trim());
  return { answer: m ? m[1] : undefined, steps: maxSteps, llmCalls, errors, messages, endedBy: m ? 'answer-now' : 'none' };
}
