/**
 * Consolidation of a run's code blocks into one program, in execution order.
 *
 * Failed blocks: a block that errored in the sandbox stays in the unsliced ("full") program,
 * because it is part of what the model wrote. What it contributes to the program that gets sliced
 * is decided in failed.ts: the statements that ran before the one that threw (the sandbox runs top
 * to bottom, and their bindings stay in the namespace), never the rest.
 */
import type { BlockInput, ProgramInput } from './types.js';

const FAILED: ReadonlySet<string> = new Set([
  'error',
  'errored',
  'failed',
  'failure',
  'fail',
  'timeout',
  'timed_out',
  'timedout',
  'killed',
  'aborted',
  'crash',
  'crashed',
  'exception',
]);

export function isFailedStatus(status: string): boolean {
  return FAILED.has(status.trim().toLowerCase());
}

export interface OrderedBlock extends BlockInput {
  failed: boolean;
}

export interface ConsolidatedProgram {
  runId: string;
  /** All blocks in execution order (step, then block index), each marked failed or not. */
  blocks: OrderedBlock[];
  /** Every block's code joined in order: the unsliced program (computed on access). */
  readonly fullCode: string;
  /** The code of the blocks that ran without error, joined in order: the program that gets sliced (computed on access). */
  readonly contributingCode: string;
  /** Total characters of code over all blocks. */
  totalChars: number;
}

const SEPARATOR = '\n;\n';

export function consolidate(input: ProgramInput): ConsolidatedProgram {
  const blocks: OrderedBlock[] = input.blocks
    .map((b, i) => ({ b, i }))
    .sort((x, y) => x.b.stepIdx - y.b.stepIdx || x.b.blockIdx - y.b.blockIdx || x.i - y.i)
    .map(({ b }) => ({
      stepIdx: b.stepIdx,
      blockIdx: b.blockIdx,
      code: typeof b.code === 'string' ? b.code : String(b.code ?? ''),
      status: String(b.status ?? ''),
      error: typeof b.error === 'string' ? b.error : null,
      failed: isFailedStatus(String(b.status ?? '')),
    }));
  let totalChars = 0;
  for (const b of blocks) totalChars += b.code.length;
  return {
    runId: input.runId,
    blocks,
    get fullCode(): string {
      return blocks.map((b) => b.code).join(SEPARATOR);
    },
    get contributingCode(): string {
      return blocks
        .filter((b) => !b.failed)
        .map((b) => b.code)
        .join(SEPARATOR);
    },
    totalChars,
  };
}
