/**
 * The message formats between the runtime and the models: the first user message (the query in
 * <query> tags and the input's description), the REPL results (<repl_output>), the notes the loop
 * sends, and the messages of one `llm(query, ctx)` sub-call. They are a contract: the runtime
 * writes them, real models read them, and the simulated models (src/sim) and the miner parse them.
 */
import { thousands } from '../util/digits.js';

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
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
  /** For JSON: its structure (keys, types, array lengths, a sample item), or the user's JSON Schema of it. */
  structure?: string;
  /** For text: how it begins and the line starts that recur in it (src/runtime/text-shape.ts). */
  text?: TextShape;
}

/** What the first message shows of a text input, so that the first turn need not print it. */
export interface TextShape {
  /** Its first characters, cut between words ('' when its first word is longer than the preview). */
  head: string;
  /** The head is the whole input. */
  whole: boolean;
  /** Line starts that recur (`// File: `), most frequent first, with how many lines have them. */
  lineStarts: { start: string; lines: number }[];
  /** Set when only the first this many characters were scanned for line starts. */
  scannedChars?: number;
}

const HEAD_INTRO = 'It begins';
const WHOLE_INTRO = 'It is (as a JSON string): ';

function describeText(t: TextShape): string {
  const head = t.whole ? `${WHOLE_INTRO}${JSON.stringify(t.head)}` : t.head ? `${HEAD_INTRO} (the first ${thousands(t.head.length)} characters, as a JSON string): ${JSON.stringify(t.head)}` : `${HEAD_INTRO} with a word longer than the preview shows.`;
  if (t.lineStarts.length === 0) return head;
  const within = t.scannedChars !== undefined ? ` in its first ${thousands(t.scannedChars)} characters` : '';
  const numbered = t.lineStarts.some((l) => l.start.includes('<n>')) ? ' (`<n>` stands for a number)' : '';
  return `${head}\nLines that start the same way${within}: ${t.lineStarts.map((l) => `\`${l.start}\` (${thousands(l.lines)} lines)`).join(', ')}${numbered}.`;
}

/** Whether a first user message shows the input's beginning (its text shape), for a model reading it. */
export function showsInputBeginning(firstUserMessage: string): boolean {
  return firstUserMessage.includes(`\n${HEAD_INTRO} (`) || firstUserMessage.includes(`\n${WHOLE_INTRO}`);
}

export function describeContext(d: ContextDescription): string {
  const kind = d.type === 'json' ? 'a JSON value' : 'a string';
  const bin = d.binary ? ' It was not valid UTF-8 text: invalid bytes were replaced by U+FFFD.' : '';
  const structure = d.structure ? `\n${d.structure}` : d.text ? `\n${describeText(d.text)}` : '';
  return `The variable \`context\` holds ${kind} of ${thousands(d.chars)} characters (${thousands(d.bytes)} bytes; ${d.shape}).${bin}${structure}`;
}

/** The first user message: the query, wrapped in <query> tags, and the input's description. */
export function buildFirstUserMessage(query: string, context: ContextDescription): string {
  return `${describeContext(context)}

<query>
${query}
</query>

Write your first code block.`;
}

/** A session's next query: the REPL and the history carry over (runtime.session, accrete chat). */
export function buildNextQueryMessage(query: string): string {
  return `A new query about the same input. \`context\` and the top-level variables you defined in earlier turns are still there.

<query>
${query}
</query>

Write your next code block.`;
}

/** Sent to the root model to summarize a session's older turns when its history is over --compact-at-tokens. */
export const COMPACT_REQUEST =
  'The conversation is getting long. Summarize it for yourself so you can go on without it: each query and its answer, what you learned about the input, and the name and content of every top-level variable you defined (they stay in the REPL). Reply in plain text, with no code block.';

/** The message that stands for the summarized turns. */
export function buildCompactedHistory(summary: string): string {
  return `<summary of earlier turns>
${summary}
</summary of earlier turns>
The REPL still holds \`context\` and your top-level variables.`;
}

/** Extracts the query from a conversation built by {@link buildFirstUserMessage}. */
export function parseQuery(messages: readonly ChatMessage[]): string | undefined {
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
export function formatReplResults(step: number, blocks: readonly ReplBlockReport[], note?: string): string {
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
const CONTEXT_OPEN = '\n\n<context>\n';
const CONTEXT_CLOSE = '\n</context>';

/** Messages of one `llm(query, ctx)` sub-call. */
export function buildSubCallMessages(query: string, context?: string): ChatMessage[] {
  const user = context === undefined || context === '' ? query : `${query}${CONTEXT_OPEN}${context}${CONTEXT_CLOSE}`;
  return [
    { role: 'system', content: SUB_SYSTEM },
    { role: 'user', content: user },
  ];
}

/** Inverse of {@link buildSubCallMessages}: for the simulated leaf model and the miner's replay. */
export function parseSubCallMessages(messages: readonly ChatMessage[]): { query: string; context: string } {
  const user = [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';
  const at = user.indexOf(CONTEXT_OPEN);
  if (at < 0 || !user.endsWith(CONTEXT_CLOSE)) return { query: user, context: '' };
  return { query: user.slice(0, at), context: user.slice(at + CONTEXT_OPEN.length, -CONTEXT_CLOSE.length) };
}
