/**
 * What a function's doc says about fit (describe.ts, input-shape.ts, roles.ts): members that cut
 * their input in different ways give a `cutBy` choice that is an option (typed as its values, with
 * the members' default), not a required parameter; calls made in `Promise.all` are "all at once";
 * members that answered in another format (two codes where the function answers one) are named as
 * the questions the function is not for; and what a failed check printed is said by the function.
 */
import { describe, expect, it } from 'vitest';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import type { MemberRun } from '../../../miner/generalize/members.js';
import { cluster } from './helpers.js';

const ask = (instruction: string) => `const replies = await Promise.all(pieces.map((c) => llm(${JSON.stringify(instruction)}, c)));
const hits = replies.map((r) => r.trim()).filter((r) => r && !/not found/i.test(r));
const out = hits[0] || "NOT FOUND";
if (/NOT FOUND/.test(out)) {
  print("No code found; retrying with smaller chunks.");
} else {
  FINAL(out);
}`;
const byChars = (size: number, instruction: string) => `const size = ${size};
const pieces = [];
for (let i = 0; i < context.length; i += size) {
  pieces.push(context.slice(i, i + size));
}
${ask(instruction)}`;
const byLines = (size: number, instruction: string) => `function groupLines(text, maxChars) {
  const out = [];
  let cur = [];
  let used = 0;
  for (const line of text.split('\\n')) {
    if (used + line.length + 1 > maxChars && cur.length > 0) {
      out.push(cur.join('\\n'));
      cur = [];
      used = 0;
    }
    cur.push(line);
    used += line.length + 1;
  }
  if (cur.length > 0) out.push(cur.join('\\n'));
  return out;
}
const pieces = groupLines(context, ${size});
${ask(instruction)}`;
const twoCodes = `const lines = context.split('\\n');
const found = [];
for (const p of ["Wren", "Umber"]) {
  const mentions = lines.filter((l) => l.includes(p)).join('\\n');
  found.push(p + ': ' + (await llm("Find the secret code for project " + p + ". Reply with the code only.", mentions)).trim());
}
FINAL(found.join('\\n'));`;

function run(i: number, code: string, query: string, answer: string): MemberRun {
  return { runId: `run-${i}`, query, answer, source: 'runtime', contextSha256: null, blocks: [{ stepIdx: 0, blockIdx: 0, code, status: 'final' }] };
}

describe('a doc that tells a caller whether the function fits', () => {
  it('says how it cuts and calls, what it answers, which questions it is not for, and what a failed check prints', async () => {
    const projects = ['Wren', 'Basalt', 'Corvid', 'Juniper', 'Sable', 'Tessaly'];
    const runs = [
      ...projects.map((p, i) =>
        run(i, (i % 2 ? byLines : byChars)(i % 3 ? 6000 : 5200, `Does this text give the secret code of project ${p}? Reply with the code or NOT FOUND.`), `Find the secret code assigned to project ${p}.`, `code-${i}`),
      ),
      run(6, twoCodes, 'Find the secret codes of project Wren and of project Umber.', 'Wren: code-1\nUmber: code-2'),
      run(7, twoCodes.replace('Umber', 'Lumen'), 'What are the secret codes for project Wren and project Lumen?', 'Wren: code-1\nLumen: code-3'),
    ];
    const c = await generalizeMembers(cluster({ representativeRunId: 'run-0' }), runs);
    if (isRejected(c)) throw new Error(c.rejected);
    // the way of cutting is a choice with the members' default, never a required parameter
    expect(c.signature).toMatch(/opts\?: \{[^}]*cutBy\?: "(lines|chars)" \| "(lines|chars)"/);
    expect(c.signature).not.toMatch(/\(context: string, [^)]*cutBy: /);
    expect(c.doc).toMatch(/`cutBy` \("(lines|chars)" \| "(lines|chars)"\): how the input is cut: "lines" packs whole lines into each piece, "chars" cuts every `size` characters; default "(lines|chars)"/);
    expect(c.doc).toMatch(/Model calls: one per chunk of at most \d+ characters \(about input length \/ \d+\), all at once\./);
    expect(c.doc).toContain('Returns a short answer, e.g. `code-0`.');
    expect(c.doc).toMatch(/Not for questions like "Find the secret codes of project Wren and of project Umber\." or "What are the secret codes for project Wren and project Lumen\?" \(runs that asked them answered with longer text, which this function does not produce; it answers one short line, so for a question that asks for several things, call it once for each\)\./);
    // examples from the runs it stands for, not from the ones it does not fit
    expect(c.doc).toMatch(/Mined from 8 logged runs \(cluster c1\), e\.g\. "Find the secret code assigned to project Wren\."/);
    expect(c.doc).toContain('it prints "No code found; retrying with smaller chunks." and it throws an error that says so, with the answer it computed');
    expect(c.source).toContain('print("No code found; retrying with smaller chunks.");');
  });
});
