/**
 * Description-length gain, as Stitch and Librarian rank abstractions: the tokens of the member
 * programs (sliced, as logged) before, against after rewriting each as one call of the function
 * (the call's tokens: its name and argument literals) plus the function's own source once (its
 * code: the doc comment and the checked form's shared machinery are not counted, so that documenting
 * a function or making it checkable never costs it gain; nor are the tokens that batching a loop's
 * model calls adds, so that making it faster never does either).
 *
 *   gain = Σ tokens(member) − (Σ tokens(call of member) + tokens(function source))
 *
 * Tokens are counted with src/models/tokens.ts `estimateTokens`: words, numbers (up to three
 * digits a token) and single punctuation characters count one each, words longer than six letters
 * one per four characters — close to a BPE tokenizer on code and English, and deterministic.
 */
import { estimateTokens } from '../../src/models/tokens.js';
import { MACHINERY_BEGIN, MACHINERY_END } from './checked.js';

export interface GainReport {
  /** Tokens of the members' sliced programs. */
  before: number;
  /** Tokens of the calls that replace them plus the function. */
  after: number;
  functionTokens: number;
  callTokens: number;
  /** before − after; only positive gain is eligible. */
  gain: number;
  /** The members counted. */
  members: number;
}

export const countTokens = estimateTokens;

/** The text of the call that replaces a member: `name(context, arg, ...)` (the input itself is the name `context`). */
export function callText(name: string, args: readonly unknown[]): string {
  return `${name}(${['context', ...args.map((a) => JSON.stringify(a))].join(', ')})`;
}

export interface GainMember {
  /** The sliced program as logged. */
  code: string;
  /** The arguments after `context` of the call that reproduces it. */
  args: unknown[];
}

/** The source without its leading doc comment and the checked form's shared machinery (the same in every function). */
export function withoutDoc(source: string): string {
  let code = source.replace(/^\s*\/\*\*[\s\S]*?\*\/\s*/, '');
  for (;;) {
    const begin = code.indexOf(MACHINERY_BEGIN);
    const end = begin < 0 ? -1 : code.indexOf(MACHINERY_END, begin);
    if (begin < 0 || end < 0) return code;
    code = code.slice(0, begin) + code.slice(end + MACHINERY_END.length);
  }
}

/** `uncounted`: tokens of the source not to count (what batching added, emit.ts batchTokens). */
export function descriptionLengthGain(name: string, functionSource: string, members: readonly GainMember[], uncounted = 0): GainReport {
  let before = 0;
  let callTokens = 0;
  for (const m of members) {
    before += countTokens(m.code);
    callTokens += countTokens(callText(name, m.args));
  }
  const functionTokens = Math.max(0, countTokens(withoutDoc(functionSource)) - uncounted);
  const after = callTokens + functionTokens;
  return { before, after, functionTokens, callTokens, gain: before - after, members: members.length };
}
