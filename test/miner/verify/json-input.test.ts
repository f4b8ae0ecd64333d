/**
 * Runs over JSON input (`run({ context: { json } })`): the mined function takes the records typed by
 * their keys, replay feeds it the stored JSON, the edge cases are JSON, and it is proposed.
 */
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runMining } from '../../../miner/pipeline.js';
import { useWorkspace } from '../../helpers/workspace.js';
import { js, runScripted } from '../../helpers/models.js';
import { useSimModels } from '../../helpers/sim.js';

useSimModels();

const ws = useWorkspace('accrete-json-input-');

const program = (level: string, prompt: string) =>
  js(
    `const picked = context.filter((r) => r.level === ${JSON.stringify(level)});\nconst total = picked.reduce((a, r) => a + r.amount * 2, 0);\nconst notes = await llmBatch(picked.map((r) => ({ query: ${JSON.stringify(prompt)}, context: r.msg })));\nFINAL(\`\${total}: \${notes.join("; ")}\`);`,
  );

describe('mining runs over JSON records', () => {
  it('proposes a function whose context is the records, typed by their keys, verified on the stored JSON', async () => {
    const levels = ['error', 'warn', 'error', 'warn'];
    const prompts = ['Explain this log message in five words.', 'Say what this message means, briefly.', 'In a few words, what went wrong?', 'Explain this log message in five words.'];
    for (let i = 0; i < levels.length; i++) {
      const records = Array.from({ length: 6 + i }, (_, j) => ({ id: j, level: j % 2 ? 'error' : 'warn', msg: `message ${i}-${j} about disk ${j}`, amount: j }));
      await runScripted(ws.db, program(levels[i], prompts[i]), { query: `Which ${levels[i]} entries are there, and what do they say?`, context: { json: records } });
    }
    const library = join(ws.dir, 'library');
    const report = await runMining(ws.db, { libraryDir: library });
    expect(report.rejected).toEqual([]);
    expect(report.proposals).toHaveLength(1);
    const [proposal] = report.proposals;
    expect(proposal.coverage).toBe(1);
    const source = execFileSync('git', ['-C', library, 'show', `${proposal.branch}:src/${proposal.name}.ts`], { encoding: 'utf8' });
    expect(proposal.name).toBe("collectFromRecordsWithLlm");
    expect(source).toContain(`export async function ${proposal.name}(context: { id: number; level: string; msg: string; amount: number }[], `);
    expect(source).toContain('Input: `context` is JSON, not text: an array of records, each with `id`, `level`, `msg`, `amount`');
    // the level the question names is required; the instruction, which varies only in wording, an option
    expect(source).toContain('context.filter((r) => r.level === level)');
    expect(source).toContain('`level` (string): the value the code compares its data with (`=== level`); take it from the user\'s question; e.g. "error".');
    expect(source).toContain('(opts.instruction ?? "Explain this log message in five words.")');
  }, 300_000);
});
