/**
 * Code snippets the root model assembles its programs from: splitting `context`, packing units
 * under a character budget, calling llm over chunks in three styles, and finishing. Programs are
 * plain JavaScript (no template literals), top-level declarations at column 0.
 */
import type { CallStyle, FinishStyle } from './plan.js';

export const lit = (s: string): string => JSON.stringify(s);

/** Indents every line of a snippet. */
export function indent(code: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return code
    .split('\n')
    .map((l) => (l ? pad + l : l))
    .join('\n');
}

/** `name = [...]` of fixed-size character chunks, with overlap when `overlap > 0`. */
export function charChunks(name: string, sizeName: string, budget: number, overlap: number, style: number): string {
  if (style % 2 === 0 || overlap > 0) {
    return `const ${sizeName} = ${budget};
const ${name} = [];
for (let i = 0; i < context.length; i += ${sizeName}${overlap > 0 ? ` - ${overlap}` : ''}) {
  ${name}.push(context.slice(i, i + ${sizeName}));
}
print(${name}.length, 'chunks of', ${sizeName}, 'chars');`;
  }
  return `const ${sizeName} = ${budget};
const ${name} = Array.from({ length: Math.ceil(context.length / ${sizeName}) }, (_, i) => context.slice(i * ${sizeName}, (i + 1) * ${sizeName}));
print(${name}.length, 'chunks');`;
}

/** A helper that packs the lines of a text into batches of at most maxChars. */
export function packLinesFn(fn: string): string {
  return `function ${fn}(text, maxChars) {
  const out = [];
  let cur = [];
  let size = 0;
  for (const line of text.split('\\n')) {
    if (size + line.length + 1 > maxChars && cur.length > 0) {
      out.push(cur.join('\\n'));
      cur = [];
      size = 0;
    }
    cur.push(line);
    size += line.length + 1;
  }
  if (cur.length > 0) out.push(cur.join('\\n'));
  return out;
}`;
}

/** A helper that packs whole units (documents, files, sections) into groups of at most maxChars. */
export function packUnitsFn(fn: string, style: number): string {
  if (style % 2 === 0) {
    return `function ${fn}(list, maxChars) {
  const out = [];
  let cur = '';
  for (const u of list) {
    if (cur && cur.length + u.length + 1 > maxChars) {
      out.push(cur);
      cur = '';
    }
    cur += (cur ? '\\n' : '') + u;
  }
  if (cur) out.push(cur);
  return out;
}`;
  }
  return `function ${fn}(list, maxChars) {
  return list.reduce((acc, u) => {
    const last = acc[acc.length - 1];
    if (last !== undefined && last.length + u.length + 1 <= maxChars) acc[acc.length - 1] = last + '\\n' + u;
    else acc.push(u);
    return acc;
  }, []);
}`;
}

/** `results` = one llm answer per chunk, in order, in the given style. */
export function callEach(style: CallStyle, results: string, chunks: string, promptExpr: string, declare = 'const'): string {
  switch (style) {
    case 'batch':
      return `${declare} ${results} = await llmBatch(${chunks}.map((c) => ({ query: ${promptExpr}, context: c })));`;
    case 'all':
      return `${declare} ${results} = await Promise.all(${chunks}.map((c) => llm(${promptExpr}, c)));`;
    case 'loop':
      return `${declare} ${results} = [];
for (const c of ${chunks}) {
  ${results}.push(await llm(${promptExpr}, c));
}`;
  }
}

/** The last lines of a program: FINAL, FINAL_VAR, or print (FINAL_VAR comes next turn). */
export function finish(style: FinishStyle, answer: string): string {
  if (style === 'final') return `FINAL(${answer});`;
  if (style === 'final-var') return `FINAL_VAR(${lit(answer)});`;
  return `print('answer:', ${answer});`;
}

/** The words a program prints when its own check fails; the root model then retries smaller. */
export const RETRY_MARKER = 'retrying with smaller chunks';

/** Finish only if a sanity check passes; otherwise say so (the next turn retries). */
export function finishChecked(style: FinishStyle, answer: string, failed: string, why: string): string {
  return `if (${failed}) {
  print(${lit(`${why}; ${RETRY_MARKER}.`)});
} else {
${indent(finish(style, answer), 2)}
}`;
}
