/** Finding the code a root model wrote, and the answer it gave in prose when it gave no code. */

const LANGS = new Set(['js', 'javascript', 'ts', 'typescript', 'repl', 'jsx', 'tsx', 'mjs']);

export interface ExtractedCode {
  blocks: string[];
  /** The last block had an opening fence but no closing one (it runs to the end of the reply). */
  unclosed: boolean;
}

export function extractCodeBlocks(text: string): ExtractedCode {
  const blocks: string[] = [];
  let current: string[] | undefined;
  /** The fence of the block we are in: code we keep, or another language we skip. */
  let fence: string | undefined;
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (fence === undefined) {
      const open = /^(`{3,}|~{3,})\s*([A-Za-z]*)/.exec(trimmed);
      if (!open) continue;
      fence = open[1];
      current = LANGS.has(open[2].toLowerCase()) ? [] : undefined;
      continue;
    }
    if (trimmed.startsWith(fence) && trimmed.replace(/[`~]/g, '') === '') {
      if (current) blocks.push(current.join('\n'));
      current = undefined;
      fence = undefined;
      continue;
    }
    current?.push(line);
  }
  const unclosed = current !== undefined;
  if (current && current.join('').trim()) blocks.push(current.join('\n'));
  return { blocks: blocks.filter((b) => b.trim().length > 0), unclosed };
}

export type ProseFinal = { kind: 'value'; value: string } | { kind: 'var'; name: string };

/** `FINAL(answer)` or `FINAL_VAR(name)` written in prose (outside code): the fallback answer protocol. */
export function findProseFinal(text: string): ProseFinal | undefined {
  const varMatch = /FINAL_VAR\(\s*["'`]?([A-Za-z_$][\w$]*)["'`]?\s*\)/.exec(text);
  if (varMatch) return { kind: 'var', name: varMatch[1] };
  const at = text.search(/\bFINAL\(/);
  if (at < 0) return undefined;
  // Take up to the matching parenthesis (or the end), then unquote a string literal.
  let depth = 0;
  let end = -1;
  const start = at + 'FINAL('.length;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) {
        end = i;
        break;
      }
      depth--;
    }
  }
  let value = (end < 0 ? text.slice(start) : text.slice(start, end)).trim();
  const quoted = /^(["'`])([\s\S]*)\1$/.exec(value);
  if (quoted) {
    if (quoted[1] === '"') {
      try {
        value = JSON.parse(value) as string;
      } catch {
        value = quoted[2];
      }
    } else value = quoted[2];
  }
  return { kind: 'value', value };
}
