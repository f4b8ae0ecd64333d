/**
 * Edge cases every candidate runs in the real sandbox, against a fake sub-model that answers
 * deterministically: an empty input, a single chunk (an input shorter than any size the function
 * takes), and multibyte text ('€' and emoji, whose surrogate pairs chunk boundaries split) — for
 * JSON input, an empty array, one element, and multibyte text in its strings. The
 * function must return a string, or report that its own final check failed (the error the library
 * format declares for it): any other error fails the case. The fake answers "[]" to a query that asks for
 * a JSON array or list, "{}" to one that asks for other JSON, and "NONE" to anything else.
 */
import { CHECK_FAILED } from '../../src/contracts/listing.js';
import type { HostHandlers, LlmCallArgs, SandboxPool } from '../../src/sandbox/repl.js';
import { callStep, type SandboxFunction } from './compile.js';
import { runStep } from './sandbox-call.js';
import type { EdgeCaseName, EdgeCaseResult } from './types.js';

/** The fake sub-model's reply to a query. */
export function fakeAnswer(query: string): string {
  if (/json/i.test(query)) return /\b(array|list)\b/i.test(query) ? '[]' : '{}';
  return 'NONE';
}

function fakeHandlers(count: { n: number }): HostHandlers {
  const answer = ({ query }: LlmCallArgs): string => {
    count.n++;
    return fakeAnswer(query);
  };
  return { llm: async (a) => answer(a), rlm: async (a) => answer(a), llmBatch: async ({ calls }) => calls.map(answer) };
}

/** Numbers among the arguments that look like sizes (chunk sizes, budgets): the edge inputs are sized from them. */
function sizesOf(args: readonly unknown[]): number[] {
  const out: number[] = [];
  const visit = (v: unknown): void => {
    if (typeof v === 'number' && Number.isFinite(v) && v >= 20) out.push(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  args.forEach(visit);
  return out;
}

/** 7 UTF-16 units: a chunk border falls inside a surrogate pair for most chunk sizes. */
const MULTIBYTE_UNIT = '€😀€😀 ';

/** The three inputs, from a sample input (a member's) and the call's arguments. */
export function edgeInputs(sample: string, args: readonly unknown[]): { name: EdgeCaseName; input: string }[] {
  const sizes = sizesOf(args);
  const smallest = sizes.length ? Math.min(...sizes) : 400;
  const largest = sizes.length ? Math.max(...sizes) : 8_000;
  // A single chunk: the sample's first lines, shorter than any size the function takes.
  const limit = Math.max(10, Math.min(200, Math.floor(smallest / 2)));
  const cut = sample.slice(0, limit);
  const lastBreak = cut.lastIndexOf('\n');
  const single = lastBreak > limit / 3 ? cut.slice(0, lastBreak) : cut || 'a short input';
  // Multibyte: a few chunks' worth (capped), lines of odd length so that fixed-size chunks split surrogate pairs.
  const target = Math.min(60_000, Math.max(2_000, Math.round(largest * 2.5)));
  let line = '';
  while (line.length < 37) line += MULTIBYTE_UNIT;
  const lines: string[] = [];
  let total = 0;
  while (total < target) {
    lines.push(line);
    total += line.length + 1;
  }
  // Paragraph breaks now and then, so that functions that split into paragraphs or sections get several units.
  const multibyte = lines.map((l, i) => (i % 5 === 4 ? `${l}\n` : l)).join('\n');
  return [
    { name: 'empty', input: '' },
    { name: 'single-chunk', input: single },
    { name: 'multibyte', input: multibyte },
  ];
}

/** Multibyte text in every string of a JSON value. */
function withMultibyte(v: unknown): unknown {
  if (typeof v === 'string') return `${v} ${MULTIBYTE_UNIT.repeat(3)}`;
  if (Array.isArray(v)) return v.map(withMultibyte);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withMultibyte(x)]));
  return v;
}

/**
 * The cases for JSON input (a member's value): an array empty, of its first element only, and of
 * that element with multibyte text in its strings; an object as it is, and with multibyte text.
 */
export function jsonEdgeInputs(sample: unknown): { name: EdgeCaseName; input: string }[] {
  if (Array.isArray(sample)) {
    const first = sample.slice(0, 1);
    return [
      { name: 'empty', input: '[]' },
      { name: 'single-chunk', input: JSON.stringify(first) },
      { name: 'multibyte', input: JSON.stringify(withMultibyte(first)) },
    ];
  }
  return [
    { name: 'single-chunk', input: JSON.stringify(sample) },
    { name: 'multibyte', input: JSON.stringify(withMultibyte(sample)) },
  ];
}

/** A member's input as the edge cases start from it: text, or a parsed JSON value. */
export type EdgeSample = { type: 'string'; text: string } | { type: 'json'; value: unknown };

export async function runEdgeCases(
  pool: SandboxPool,
  fn: SandboxFunction,
  args: readonly unknown[],
  sample: EdgeSample,
  timeoutMs: number,
): Promise<EdgeCaseResult[]> {
  const results: EdgeCaseResult[] = [];
  const inputs = sample.type === 'json' ? jsonEdgeInputs(sample.value) : edgeInputs(sample.text, args);
  for (const { name, input } of inputs) {
    const count = { n: 0 };
    const r = await runStep(pool, { context: input, contextType: sample.type, step: callStep(fn.name, args), librarySource: fn.librarySource, handlers: fakeHandlers(count), timeoutMs });
    const base = { name, inputChars: input.length, calls: count.n };
    if (r.error !== undefined && r.error.includes(CHECK_FAILED)) results.push({ ...base, passed: true, answer: `(reported: ${r.error.slice(0, 160)})` });
    else if (r.error !== undefined) results.push({ ...base, passed: false, reason: `threw: ${r.error.slice(0, 300)}` });
    else results.push({ ...base, passed: true, answer: (r.final ?? '').slice(0, 200) });
  }
  return results;
}
