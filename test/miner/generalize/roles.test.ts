/** What a literal does in the template, read from where it sits. */
import { describe, expect, it } from 'vitest';
import { literalSites } from '../../../miner/generalize/literals.js';
import { siteRole } from '../../../miner/generalize/roles.js';
import { programTree } from './helpers.js';

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
});
