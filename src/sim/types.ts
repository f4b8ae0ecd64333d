/** Shared types of the simulated workloads. */

export type FamilyName = 'needle' | 'classify-count' | 'pairwise' | 'multi-doc-qa' | 'summary' | 'code-review';

export const FAMILY_NAMES: readonly FamilyName[] = [
  'needle',
  'classify-count',
  'pairwise',
  'multi-doc-qa',
  'summary',
  'code-review',
];

/** One checkable task: a query over a long context, with its exact ground truth. */
export interface Task {
  id: string;
  family: FamilyName;
  query: string;
  context: string;
  /** Family-specific ground truth; read it through the family's scorer. */
  expected: unknown;
}

export interface GenerateOptions {
  seed: number;
  /** Target context size in bytes (ASCII, so also characters); 10 KB .. 10 MB. */
  sizeBytes: number;
}

export interface Family {
  name: FamilyName;
  /** One line on what the family tests. */
  description: string;
  generate(options: GenerateOptions): Task;
  /** A score in [0, 1] of a free-text answer against the task's ground truth. */
  score(task: Task, answer: string): number;
}
