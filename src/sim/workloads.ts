/**
 * The registry of workload families and a deterministic mixed workload builder.
 */
import { classifyCount } from './families/classify-count.js';
import { codeReview } from './families/code-review.js';
import { multiDocQa } from './families/multi-doc-qa.js';
import { needle } from './families/needle.js';
import { pairwise } from './families/pairwise.js';
import { summary } from './families/summary.js';
import { createRng, seedOf } from './rng.js';
import type { Family, FamilyName, Task } from './types.js';

export const FAMILIES: Readonly<Record<FamilyName, Family>> = {
  needle,
  'classify-count': classifyCount,
  pairwise,
  'multi-doc-qa': multiDocQa,
  summary,
  'code-review': codeReview,
};

export function isFamilyName(name: string): name is FamilyName {
  return Object.prototype.hasOwnProperty.call(FAMILIES, name);
}

export interface WorkloadOptions {
  seed: number;
  /** Tasks per family and size. */
  perFamily: number;
  /** Context sizes in bytes; every family gets `perFamily` tasks at each size. */
  sizes: readonly number[];
  /** Defaults to all families. */
  families?: readonly FamilyName[];
}

/** Tasks of all (or the given) families at all sizes, in a seeded shuffled order. */
export function buildWorkload({ seed, perFamily, sizes, families }: WorkloadOptions): Task[] {
  const names = families ?? (Object.keys(FAMILIES) as FamilyName[]);
  const tasks: Task[] = [];
  for (const name of names) {
    for (const size of sizes) {
      for (let i = 0; i < perFamily; i++) {
        tasks.push(FAMILIES[name].generate({ seed: seedOf(seed, name, size, i) % 1_000_000, sizeBytes: size }));
      }
    }
  }
  return createRng(seed, 'workload-order').shuffle(tasks);
}

/** Scores an answer with the task's family scorer. */
export function scoreTask(task: Task, answer: string): number {
  return FAMILIES[task.family].score(task, answer);
}
