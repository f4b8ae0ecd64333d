/** What every program writer gets, and what it returns. */
import type { Rng } from '../../rng.js';
import type { PeekFeatures } from '../state.js';
import type { Names, Plan } from '../plan.js';

export interface ProgramInput {
  plan: Plan;
  names: Names;
  peek: PeekFeatures;
  query: string;
  /** For minor per-program choices (derived from the plan seed). */
  rng: Rng;
}

export interface Program {
  code: string;
  /** The top-level variable that holds the answer (for FINAL_VAR). */
  answerVar: string;
}
