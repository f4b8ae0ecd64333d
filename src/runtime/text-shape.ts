/**
 * The shape of a text input, for the root model's first message: how it begins, and the line starts
 * that recur in it (`// File: ` 32 times, `## ` 12 times). Real root models spend their first turn
 * printing exactly this (`print(context.slice(0, 300))`, a count of header lines) before they can
 * tell whether a listed library function's input fits; shown up front, the first turn can decompose.
 * Linear in the input, with no array of its lines. The message's wording is src/contracts/messages.ts's.
 */
import type { TextShape } from '../contracts/messages.js';

/** Characters of the beginning shown. */
export const TEXT_HEAD_CHARS = 300;
/** Recurring line starts listed, most frequent first. */
const MAX_MARKERS = 4;
/** A line start must recur this often to be listed. */
const MIN_REPEATS = 3;
/** Characters of a line looked at for its start. */
const LINE_HEAD = 48;
/** Characters scanned for recurring line starts (a larger input is described by its first part). */
export const SCAN_CHARS = 2_000_000;

/**
 * The marker a line starts with, or undefined: a run of marker punctuation (`#`, `//`, `>`, `-`,
 * `*`, `=`, `|`) with the label word after it when a colon or a number follows (`// File: `,
 * `### Document <n>: `), or a capitalized label with a colon (`Ticket <n>: `, `Q: `).
 */
export function lineMarker(line: string): string | undefined {
  const punct = /^([#/>*=|+-]{1,6})([ \t]*)/.exec(line);
  if (punct && (punct[2] !== '' || /^(-{3,}|={3,}|\*{3,})\s*$/.test(line))) {
    const rest = line.slice(punct[0].length);
    const label = /^([A-Za-z][\w-]{0,20})( \d+)?(:\s?)/.exec(rest) ?? /^([A-Za-z][\w-]{0,20})( \d+)([:.]?\s?)/.exec(rest);
    if (label) return `${punct[1]}${punct[2]}${label[1]}${label[2] ? ' <n>' : ''}${label[3]}`;
    return /^(-{3,}|={3,}|\*{3,})\s*$/.test(line) ? punct[1] : `${punct[1]}${punct[2]}`;
  }
  const label = /^([A-Z][A-Za-z]{0,15})( \d+)?(:\s?)/.exec(line);
  return label ? `${label[1]}${label[2] ? ' <n>' : ''}${label[3]}` : undefined;
}

/** Line starts that recur, most frequent first: `[marker, count]`. */
export function recurringLineStarts(text: string, limit = SCAN_CHARS): [string, number][] {
  const counts = new Map<string, number>();
  const length = Math.min(text.length, limit);
  let lines = 0;
  for (let start = 0; start < length; ) {
    const found = text.indexOf('\n', start);
    const end = found === -1 || found >= length ? -1 : found;
    const stop = end === -1 ? length : end;
    const marker = lineMarker(text.slice(start, Math.min(stop, start + LINE_HEAD)));
    if (marker !== undefined) counts.set(marker, (counts.get(marker) ?? 0) + 1);
    lines++;
    if (end === -1) break;
    start = end + 1;
  }
  return [...counts]
    .filter(([, n]) => n >= MIN_REPEATS)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, MAX_MARKERS);
}

/**
 * The first TEXT_HEAD_CHARS characters, cut at a whitespace so that no word is cut in two: a secret
 * the run's redaction knows is shown whole (and so redacted when logged) or not at all.
 */
export function textHead(text: string): string {
  if (text.length <= TEXT_HEAD_CHARS) return text;
  const head = text.slice(0, TEXT_HEAD_CHARS);
  if (/\s/.test(text[TEXT_HEAD_CHARS])) return head;
  const m = /\s(?=\S*$)/.exec(head);
  return m ? head.slice(0, m.index) : '';
}

/** What the first message shows of a text input (rendered by src/contracts/messages.ts). */
export function textShape(text: string): TextShape {
  const head = textHead(text);
  return {
    head,
    whole: head.length === text.length,
    lineStarts: recurringLineStarts(text).map(([start, lines]) => ({ start, lines })),
    ...(text.length > SCAN_CHARS ? { scannedChars: SCAN_CHARS } : {}),
  };
}
