/** The progress line of `accrete run`/`chat`, written to a terminal: llmBatch/rlmBatch progress shown as done/total. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProgressLine, runProgress } from '../../src/cli/progress.js';

let ci: string | undefined;
beforeEach(() => {
  ci = process.env.CI;
  delete process.env.CI; // the line is off in CI; this test is about what a terminal shows
});
afterEach(() => {
  if (ci !== undefined) process.env.CI = ci;
});

describe('the progress line', () => {
  it('shows a running batch as done/total, and drops it when the batch is done', async () => {
    const written: string[] = [];
    const terminal = { isTTY: true, columns: 200, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream;
    const show = runProgress(new ProgressLine(terminal));
    const at = { runId: 'r', depth: 0 };
    show({ type: 'iteration', ...at, iteration: 2 });
    await new Promise((r) => setTimeout(r, 100)); // the line is rewritten at most every 80 ms
    show({ type: 'batch', ...at, fn: 'llmBatch', done: 0, total: 40 });
    show({ type: 'batch', ...at, fn: 'llmBatch', done: 40, total: 40 });
    expect(written.some((w) => w.includes('iteration 2') && w.includes('llmBatch 0/40'))).toBe(true);
    expect(written.at(-1)).toContain('iteration 2');
    expect(written.at(-1)).not.toContain('llmBatch');
  });
});
