/**
 * The root model is stateless: everything it knows comes from reading the conversation, in the
 * formats of src/contracts/messages.ts (the query in <query> tags, REPL results in <repl_output> and
 * <error> tags, the ANSWER_NOW prompt).
 */
import type { ChatMessage } from '../../models/types.js';
import { ANSWER_NOW, parseQuery } from '../../contracts/messages.js';

export interface Conversation {
  system: string;
  query: string;
  /** Contents of the assistant turns so far, oldest first. */
  assistant: string[];
  lastUser: string;
  /** The first user message (the query and the input's description). */
  firstUser: string;
  answerNow: boolean;
  /** Output of the step that followed the first assistant turn (the peek), if any. */
  firstOutput: string | undefined;
  /** Output and error of the latest step. */
  lastOutput: string;
  lastError: string | undefined;
  /** All REPL outputs seen, oldest first. */
  outputs: string[];
  /** Each assistant turn with the user message that answered it (undefined for the last one). */
  turns: Array<{ assistant: string; result: string | undefined }>;
}

export function replOutputs(text: string): string[] {
  return [...text.matchAll(/<repl_output[^>]*>\n([\s\S]*?)\n<\/repl_output>/g)].map((m) => m[1]);
}

export function replError(text: string): string | undefined {
  const errors = [...text.matchAll(/<error>\n([\s\S]*?)\n<\/error>/g)].map((m) => m[1]);
  return errors.length > 0 ? errors.join('\n') : undefined;
}

export function readConversation(messages: readonly ChatMessage[]): Conversation {
  const system = messages.find((m) => m.role === 'system')?.content ?? '';
  const users = messages.filter((m) => m.role === 'user');
  const lastUser = users.length > 0 ? users[users.length - 1].content : '';
  const query = parseQuery([...messages]) ?? (users[0]?.content ?? '');
  const assistant = messages.filter((m) => m.role === 'assistant').map((m) => m.content);
  // The user message right after the first assistant turn holds the first step's results.
  const firstAssistant = messages.findIndex((m) => m.role === 'assistant');
  const afterFirst = firstAssistant >= 0 ? messages.slice(firstAssistant + 1).find((m) => m.role === 'user') : undefined;
  const outputs = messages.filter((m) => m.role === 'user').flatMap((m) => replOutputs(m.content));
  const turns: Conversation['turns'] = [];
  messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const next = messages.slice(i + 1).find((x) => x.role === 'user');
    turns.push({ assistant: m.content, result: next?.content });
  });
  return {
    turns,
    system,
    query,
    assistant,
    lastUser,
    firstUser: users[0]?.content ?? '',
    answerNow: lastUser.includes(ANSWER_NOW),
    firstOutput: afterFirst ? replOutputs(afterFirst.content).join('\n') : undefined,
    lastOutput: replOutputs(lastUser).join('\n'),
    lastError: replError(lastUser),
    outputs,
  };
}

/** Features of the input as seen in the peek output. */
export interface PeekFeatures {
  documents: boolean;
  files: boolean;
  sections: boolean;
  lines: number | undefined;
  chars: number | undefined;
}

export function peekFeatures(output: string | undefined): PeekFeatures {
  const text = output ?? '';
  const chars = /^string (\d+)/m.exec(text) ?? /chars:? (\d+)/.exec(text);
  const lines = /lines:? (\d+)/.exec(text) ?? /(\d+) lines/.exec(text);
  return {
    documents: /^### Document \d+/m.test(text),
    files: /^\/\/ File: /m.test(text),
    sections: /^## /m.test(text),
    lines: lines ? Number(lines[1]) : undefined,
    chars: chars ? Number(chars[1]) : undefined,
  };
}
