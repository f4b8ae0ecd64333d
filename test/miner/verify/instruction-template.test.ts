/**
 * Instructions written as template literals around a computed value (`Classify … one of:
 * ${LABELS.join(", ")}. Reply …`), worded differently by each member: the mined function takes the
 * whole instruction as one parameter with `{labels}` where it fills the labels in — not the text
 * fragments between the values — and replay reproduces every member from its own instruction.
 */
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runMining } from '../../../miner/pipeline.js';
import { useWorkspace } from '../../helpers/workspace.js';
import { js, runScripted } from '../../helpers/models.js';
import { useSimModels } from '../../helpers/sim.js';

useSimModels();

const ws = useWorkspace('accrete-instruction-template-');

const program = (labels: string[], before: string, after: string) =>
  js(`const rows = context.split("\\n").filter((l) => l.trim());
const batches = [];
for (let i = 0; i < rows.length; i += 3) batches.push(rows.slice(i, i + 3).join("\\n"));
const LABELS = ${JSON.stringify(labels)};
const replies = await llmBatch(batches.map((b) => ({ query: \`${before} \${LABELS.join(", ")}. ${after}\`, context: b })));
const totals = {};
for (const r of replies) for (const line of r.split("\\n")) {
  const t = line.trim().toLowerCase();
  if (LABELS.includes(t)) totals[t] = (totals[t] || 0) + 1;
}
FINAL(JSON.stringify(totals));`);

const TICKETS = ['My parcel never arrived.', 'Please refund my order.', 'The invoice is wrong.', 'Great service, thanks!', 'Where is my package?', 'I was charged twice.', 'Refund still missing.'];

describe('an instruction built around computed values', () => {
  it('is one parameter with a {placeholder}, and replay reproduces every member from its own wording', async () => {
    const members = [
      { labels: ['refund', 'shipping', 'billing'], before: 'Label each support ticket below with one of:', after: 'One label per line, nothing else.' },
      { labels: ['refund', 'praise'], before: 'For every customer message below, give one category from:', after: 'Answer with one category per line.' },
      { labels: ['shipping', 'billing', 'praise'], before: 'Classify each support ticket below as one of:', after: 'Reply with one label per line.' },
      { labels: ['refund', 'shipping'], before: 'Label each support ticket below with one of:', after: 'One label per line, nothing else.' },
    ];
    for (const [i, m] of members.entries()) {
      await runScripted(ws.db, program(m.labels, m.before, m.after), { query: `How many tickets fall into each category (${m.labels.join(', ')})?`, context: TICKETS.slice(0, 4 + i).join('\n') });
    }
    const library = join(ws.dir, 'library');
    const report = await runMining(ws.db, { libraryDir: library });
    expect(report.rejected).toEqual([]);
    expect(report.proposals).toHaveLength(1);
    const [proposal] = report.proposals;
    expect(proposal.coverage).toBe(1);
    const source = execFileSync('git', ['-C', library, 'show', `${proposal.branch}:src/${proposal.name}.ts`], { encoding: 'utf8' });
    // one instruction, not "the text between the values the code fills in"
    expect(source).not.toContain('between the values');
    expect(source).toMatch(/\.split\("\{labels\}"\)\.join\(LABELS\.join\(", "\)\)/);
    expect(source).toContain('the function puts `{labels}` (the labels, joined by ", ") where the text has it: keep it in yours');
    expect(source).toContain('"Label each support ticket below with one of: {labels}. One label per line, nothing else."');
    const manifest = JSON.parse(execFileSync('git', ['-C', library, 'show', `${proposal.branch}:manifest.json`], { encoding: 'utf8' })) as {
      functions: Record<string, { versions: { params: { name: string; type: string; doc: string }[] }[] }>;
    };
    const [version] = manifest.functions[proposal.name].versions;
    const params = version.params.map((p) => `${p.name}: ${p.type}`);
    expect(params).toContain('labels: string[]');
    const instructions = version.params.filter((p) => /^(instruction|prompt)/.test(p.name));
    expect(instructions).toHaveLength(1);
    expect(instructions[0].doc).toMatch(/prompt text with \{labels\} filled in by the function/);
  }, 300_000);
});
