/**
 * Every text the runtime shows a model, in one place. The formats here are a contract:
 * the simulated models in src/sim parse them, and real models read them.
 */
import type { ChatMessage } from '../models/types.js';

/** A library function as listed in the system prompt. */
export interface LibraryListing {
  name: string;
  signature: string;
  doc: string;
}

export interface ContextDescription {
  /** 'string' or 'json' (a parsed JSON value). */
  type: 'string' | 'json';
  /** Length in characters (string) or of its JSON text. */
  chars: number;
  bytes: number;
  /** For JSON: array length or top-level keys; for strings: line count. */
  shape: string;
  /** Set when the input was not valid UTF-8 text. */
  binary?: boolean;
}

const API_DOC = `You answer a query about an input that is too long to read directly. You work in a
JavaScript REPL (a sandbox) where the input is the variable \`context\`. Write code in \`\`\`js blocks;
each block runs, and you see what it prints. Variables, functions and classes you declare at the
top level persist to the next block. Top-level await works. TypeScript is accepted.

Available in the sandbox (nothing else: no require, fs, network, process or timers):
- context: the input (a string, or a parsed JSON value). Never try to print all of it.
- await llm(query, ctx?) -> string: one fresh model call; it sees only query and ctx (keep ctx
  under ~100k characters). recursive_llm is an alias.
- await llmBatch([{query, context}, ...]) -> string[]: many llm calls in parallel, in order.
- await rlm(query, ctx) -> string: a recursive sub-run with its own REPL over ctx, for sub-problems
  that are themselves too long for one call.
- print(...values): show values to yourself; long output is truncated (head and tail kept).
- FINAL(value): end with this answer. FINAL_VAR("name"): end with the value of a top-level variable.
Only strings and JSON cross between the sandbox and models.

Work in steps: look at the shape of the input first (a slice, the length, a split), then
decompose: split it into pieces, ask llm about the pieces, combine the answers in code, check,
and call FINAL in code when you are sure.`;

export function buildSystemPrompt(library: LibraryListing[] = []): string {
  if (library.length === 0) return API_DOC;
  const lines = library.map((f) => `- lib.${f.name}${f.signature}: ${f.doc.replace(/\s+/g, ' ').trim()}`);
  return `${API_DOC}

## Library functions
Tested orchestrators from earlier runs. Prefer calling one when it fits the query; they take
\`context\` (or a part of it) and return the answer or a value to combine:
${lines.join('\n')}`;
}

export function describeContext(d: ContextDescription): string {
  const kind = d.type === 'json' ? 'a JSON value' : 'a string';
  const bin = d.binary ? ' It was not valid UTF-8 text: invalid bytes were replaced by U+FFFD.' : '';
  return `The variable \`context\` holds ${kind} of ${d.chars.toLocaleString('en-US')} characters (${d.bytes.toLocaleString('en-US')} bytes; ${d.shape}).${bin}`;
}

/** The first user message: the query, wrapped in <query> tags, and the input's description. */
export function buildFirstUserMessage(query: string, context: ContextDescription): string {
  return `${describeContext(context)}

<query>
${query}
</query>

Write your first code block.`;
}

/** Extracts the query from a conversation built by {@link buildFirstUserMessage}. */
export function parseQuery(messages: ChatMessage[]): string | undefined {
  for (const m of messages) {
    if (m.role !== 'user') continue;
    const match = /<query>\n([\s\S]*?)\n<\/query>/.exec(m.content);
    if (match) return match[1];
  }
  return undefined;
}

export interface ReplBlockReport {
  /** The block's output (already truncated) and its true length in characters. */
  output: string;
  outputChars: number;
  error?: string;
}

/** The user message that reports one step's REPL results back to the root model. */
export function formatReplResults(step: number, blocks: ReplBlockReport[], note?: string): string {
  const parts = blocks.map((b, i) => {
    const err = b.error ? `\n<error>\n${b.error}\n</error>` : '';
    return `<repl_output step="${step}" block="${i + 1}" chars="${b.outputChars}">\n${b.output}\n</repl_output>${err}`;
  });
  if (note) parts.push(note);
  return parts.join('\n');
}

export const NO_CODE_NOTE =
  'Your reply had no ```js code block, so nothing ran. Write code in a ```js block, and call FINAL(answer) in code when done.';

export const ANSWER_NOW =
  'You are out of budget for further steps. Answer the query now from what you have found, in one reply: FINAL(your answer).';

const SUB_SYSTEM = 'Answer the request using only the text given. Be concise: reply with the answer only.';

/** Messages of one `llm(query, ctx)` sub-call. */
export function buildSubCallMessages(query: string, context?: string): ChatMessage[] {
  const user = context === undefined || context === '' ? query : `${query}\n\n<context>\n${context}\n</context>`;
  return [
    { role: 'system', content: SUB_SYSTEM },
    { role: 'user', content: user },
  ];
}

/** Inverse of {@link buildSubCallMessages}, for models that need the parts (the simulated leaf model). */
export function parseSubCallMessages(messages: ChatMessage[]): { query: string; context: string } {
  const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const at = user.indexOf('\n\n<context>\n');
  if (at < 0 || !user.endsWith('\n</context>')) return { query: user, context: '' };
  return { query: user.slice(0, at), context: user.slice(at + '\n\n<context>\n'.length, -'\n</context>'.length) };
}
