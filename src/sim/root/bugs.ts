/**
 * The root model's slips: a typo'd variable or a method that does not exist, placed early in the
 * program (before any llm call), so the step fails fast with an <error> the model then repairs.
 */
import type { Rng } from '../rng.js';
import type { BugKind } from './plan.js';

export interface Bug {
  code: string;
  /** What the repair message says was wrong. */
  note: string;
}

const TYPOS = ['contxt', 'ctx', 'contex', 'input'];
const METHODS: Array<[string, string]> = [
  ['.push(', '.append('],
  ['context.split(', 'context.splitBy('],
  ['await llmBatch(', 'await llm_batch('],
];

export function injectBug(code: string, kind: BugKind, rng: Rng): Bug | undefined {
  if (kind === 'typo') {
    const m = /(^|[(\s=])context(?=[.,)])/m.exec(code);
    if (m) {
      const typo = rng.pick(TYPOS);
      const at = m.index + m[1].length;
      return { code: code.slice(0, at) + typo + code.slice(at + 'context'.length), note: `\`${typo}\` is not defined: I misspelled \`context\`.` };
    }
  }
  const options = METHODS.filter(([from]) => code.includes(from));
  if (options.length === 0) return kind === 'method' ? injectBug(code, 'typo', rng) : undefined;
  const [from, to] = rng.pick(options);
  return { code: code.replace(from, to), note: `\`${to.replace(/^await /, '').replace(/\($/, '')}\` does not exist; the right call is \`${from.replace(/^await /, '').replace(/\($/, '')}\`.` };
}
