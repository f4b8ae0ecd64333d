/**
 * The root model's system prompt: how to work in the REPL, the sandbox API (its lines come from the
 * one declaration in src/contracts/sandbox-api.ts) and the library functions listed for the query
 * (the section's heading, fit rules and line format come from src/contracts/listing.ts).
 * The other texts the loop sends are message formats in src/contracts/messages.ts.
 */
import { type LibraryListing, LIBRARY_HEADING, LIBRARY_INTRO, listingLine } from '../contracts/listing.js';
import { API_PROMPT_LINES } from '../contracts/sandbox-api.js';

const API_DOC = `You answer a query about an input that is too long to read directly. You work in a
JavaScript REPL (a sandbox) where the input is the variable \`context\`. Write code in \`\`\`js blocks;
each block runs, and you see what it prints. Variables, functions and classes you declare at the
top level persist to the next block. Top-level await works. TypeScript is accepted.

Available in the sandbox (nothing else: no require, fs, network, process or timers):
${API_PROMPT_LINES}
Only strings and JSON cross between the sandbox and models.

Work in steps. The first message describes the input (for text: how it begins and the line starts
that recur in it); look further (a slice, a split) when that is not enough. Then decompose: split
it into pieces, ask llm about the pieces, combine the answers in code, check, and call FINAL in
code when you are sure.`;

/** The system prompt; `toolsSection` lists the custom tools (src/runtime/tools.ts), '' for none. */
export function buildSystemPrompt(library: readonly LibraryListing[] = [], toolsSection = ''): string {
  const sections = [API_DOC];
  if (toolsSection) sections.push(toolsSection);
  if (library.length > 0) sections.push(`${LIBRARY_HEADING}\n${LIBRARY_INTRO}\n\n${library.map(listingLine).join('\n')}`);
  return sections.join('\n\n');
}
