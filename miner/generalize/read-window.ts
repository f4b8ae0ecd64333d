/**
 * How far into a model call's context the model's answers reach, from the recorded sub-calls.
 *
 * An answer that quotes its context (a file path, a code, a figure) shows what the model read. When
 * many calls were sent more text than some length and none of their answers ever quotes anything
 * past it, the sub-model read no further (a window that cuts silently, a model that loses the end
 * of long inputs): chunks bigger than that are not worth their size, whatever most members chose.
 * Answers that quote nothing (NONE, paraphrase) say nothing here; too little evidence gives no window.
 */

/** One recorded call: what it was sent and what it answered. */
export interface ReadCall {
  context: string | null;
  response: string;
}

/** Calls that quote their context and were sent more than the window, needed to call it one. */
export const MIN_LONG_CALLS = 5;
/**
 * How unlikely it must be that a model reading whole contexts quoted nothing past the window: were
 * a quote anywhere in a call of length L, it would fall within the first W characters with chance
 * W / L; all the longer calls doing so has the product of those chances.
 */
const MAX_CHANCE = 0.01;
/** Shortest quoted piece that counts (shorter ones turn up anywhere by chance). */
const MIN_QUOTE = 6;

/** The pieces of an answer that could be quotes: runs of letters, digits and `._/:-` of at least MIN_QUOTE characters. */
function quotes(response: string): string[] {
  return [...new Set(response.match(/[\p{L}\p{N}][\p{L}\p{N}._/:-]*[\p{L}\p{N}]/gu) ?? [])].filter((q) => q.length >= MIN_QUOTE);
}

/**
 * How far into its context a call's answer reaches: the end of the furthest quote, or undefined when
 * it quotes nothing. Only a quote found exactly once counts (a file path, a code, a figure): a word
 * the text repeats (a label, a common term) says nothing of where the model read it.
 */
export function reach(call: ReadCall): number | undefined {
  if (!call.context) return undefined;
  let furthest: number | undefined;
  for (const q of quotes(call.response)) {
    const at = call.context.indexOf(q);
    if (at >= 0 && call.context.indexOf(q, at + 1) < 0) furthest = Math.max(furthest ?? 0, at + q.length);
  }
  return furthest;
}

/**
 * The characters of context the model's answers draw on at most, when the calls show one: at least
 * MIN_LONG_CALLS calls that quote their context were sent more than that, and a model reading them
 * whole would have quoted past it (chance below MAX_CHANCE). Undefined otherwise (every length was
 * read to its end, or too few calls say).
 */
export function readWindow(calls: readonly ReadCall[]): number | undefined {
  const quoting = calls.flatMap((c) => {
    const r = reach(c);
    return r === undefined || !c.context ? [] : [{ reach: r, length: c.context.length }];
  });
  if (quoting.length < MIN_LONG_CALLS) return undefined;
  const window = Math.max(...quoting.map((q) => q.reach));
  const longer = quoting.filter((q) => q.length > window);
  const chance = longer.reduce((p, q) => p * (window / q.length), 1);
  return longer.length >= MIN_LONG_CALLS && chance < MAX_CHANCE ? window : undefined;
}
