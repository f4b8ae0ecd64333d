/** What a literal does in the template, read from where it sits. */
import { describe, expect, it } from 'vitest';
import { literalSites } from '../../../miner/generalize/literals.js';
import { siteRole } from '../../../miner/generalize/roles.js';
import { generalizeMembers, isRejected } from '../../../miner/generalize/generalize.js';
import { cluster, members, programTree } from './helpers.js';

/** The role of each literal of a program, by its value. */
function roles(code: string): Record<string, { role: string; hints: string[] }> {
  const tree = programTree(code);
  return Object.fromEntries(literalSites(tree).map((s) => [String(s.literal.value), (({ role, hints }) => ({ role, hints }))(siteRole(tree, s))]));
}

describe('siteRole', () => {
  it('a prompt, a pattern built from text, a limit and a value compared with', () => {
    const r = roles(
      `const re = new RegExp("\\\\b" + "Halcyon" + "[^.]*", "g");\nconst hits = context.match(re) || [];\nconst a = await llm("Which code is given?", hits.join("\\n"));\nconst level = hits.filter((h) => h === "error").length;\nFINAL(a.slice(0, 60) + level);`,
    );
    expect(r['Which code is given?'].role).toBe('prompt');
    expect(r['[^.]*'].role).toBe('pattern');
    expect(r['60']).toEqual({ role: 'size', hints: ['limit', 'size'] });
    expect(r['error'].role).toBe('value');
  });

  it('text the answer starts with, a fallback, a record’s field, and text of a template literal handed to a helper that asks with it', () => {
    const tree = programTree(`const rows = JSON.parse(context);
const ask = async (question, text) => llm(question, text);
const owner = await ask(\`Who bought \${rows[0]["Company Name"]}?\`, context);
const city = (await ask("Where is it?", owner)) || "unknown";
FINAL("Findings:\\n" + city);`);
    const byValue = Object.fromEntries(literalSites(tree).map((s) => [String(s.literal.value), siteRole(tree, s)]));
    expect(byValue['Findings:\n']).toMatchObject({ role: 'text', hints: ['heading', 'prefix'], use: 'heading' });
    expect(byValue['unknown']).toMatchObject({ role: 'text', hints: ['fallback'], use: 'fallback' });
    expect(byValue['Company Name']).toMatchObject({ role: 'text', hints: ['field', 'key'], use: 'field' });
    // a value compared with what a lookup table gives is named for what the table holds
    const lookup = programTree(`const labelOf = JSON.parse(await llm("Label each row.", context));
FINAL(Object.keys(labelOf).filter((id) => labelOf[id] === "negative").length);`);
    const negative = literalSites(lookup).find((s) => s.literal.value === 'negative')!;
    expect(siteRole(lookup, negative)).toMatchObject({ role: 'value', hints: ['label', 'value'] });
    expect(byValue['Who bought ']).toMatchObject({ role: 'prompt', hints: ['question', 'askQuestion'] });
  });
});

describe('a function whose text options have a place in the code', () => {
  it('names and describes them for it: a heading of the answer, a fallback', async () => {
    const program = (heading: string, fallback: string) => `const lines = context.split("\\n");
const labels = await llmBatch(lines.map((l) => ({ query: "Label this ticket: refund, shipping or billing.", context: l })));
const top = labels.find((l) => l.trim() !== "") || ${JSON.stringify(fallback)};
FINAL(${JSON.stringify(heading)} + top);`;
    const r = await generalizeMembers(cluster(), members([program('Most common label:\n', 'none'), program('Top label:\n', 'unknown'), program('Most common label:\n', 'none')]));
    if (isRejected(r)) throw new Error(r.rejected);
    expect(r.signature).toContain('heading?: string');
    expect(r.signature).toContain('fallback?: string');
    // it answers one short line: the doc says a question after several things needs a call for each
    expect(r.doc).toContain('a question that asks for several things at once (it answers one short line: call it once for each)');
    expect(r.doc).toContain('`heading` (string): the text the answer starts with, before the results; default "Most common label:\\n".');
    expect(r.doc).toMatch(/`fallback` \(string\): the value used when nothing else is found, as in `.*\|\| fallback`; default "none"\./);
  });

  it('says that text a filter looks for with .includes is plain text, not a regular expression', async () => {
    const program = (needle: string) => `const hits = context.split("\\n").filter((l) => l.includes(${JSON.stringify(needle)}));
const replies = await llmBatch(hits.map((l) => ({ query: "What went wrong here? One sentence.", context: l })));
FINAL(replies.join("\\n"));`;
    const r = await generalizeMembers(cluster(), members([program('ERROR'), program('FATAL'), program('ERROR')]));
    if (isRejected(r)) throw new Error(r.rejected);
    expect(r.doc).toMatch(/`needle` \(string\): plain text \(not a regular expression\) that selects the lines to use: those containing it, as in `l\.includes\(needle\)`/);
  });
});
