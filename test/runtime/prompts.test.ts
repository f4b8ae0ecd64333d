/**
 * The system prompt's library section: the fit rules and the checked form come from the listing
 * declaration (src/contracts/listing.ts), and the listed functions are exactly what a root model
 * parses out of it.
 */
import { describe, expect, it } from 'vitest';
import { CHECKED_FORM, LIBRARY_HEADING, LIBRARY_INTRO } from '../../src/contracts/listing.js';
import { buildSystemPrompt } from '../../src/runtime/prompts.js';
import { parseLibrary } from '../../src/sim/root/library.js';

const LISTED = [
  { name: 'reviewFilesForDefects', signature: '(context: string, instruction: string, opts?: { checked?: boolean }): Promise<string>', doc: 'Reviews each file of a code dump for defects.\nReturns `path: kind` lines.\nChecked form: with `{ checked: true }` it returns { answer, pieces, failures }.' },
  { name: 'summarizeSections', signature: '(context: string): Promise<string>', doc: 'Summarizes a report section by section.' },
];

describe('the library section of the system prompt', () => {
  it('says how to judge fit and what a checked form returns, then lists the functions', () => {
    const prompt = buildSystemPrompt(LISTED);
    const section = prompt.slice(prompt.indexOf(LIBRARY_HEADING));
    expect(section).toContain(LIBRARY_INTRO);
    expect(section).toMatch(/Judge the fit before you call one/);
    expect(section).toMatch(/Do not use one when the task differs/);
    expect(section).toContain(CHECKED_FORM.option);
    expect(section).toContain(`{ ${CHECKED_FORM.fields.join(', ')} }`);
    expect(LIBRARY_INTRO.split('\n').some((l) => l.trim().startsWith('- lib.'))).toBe(false);
    const lines = section.split('\n').filter((l) => l.startsWith('- lib.'));
    expect(lines).toEqual([
      '- lib.reviewFilesForDefects(context: string, instruction: string, opts?: { checked?: boolean }): Promise<string>: Reviews each file of a code dump for defects.',
      '- lib.summarizeSections(context: string): Promise<string>: Summarizes a report section by section.',
    ]);
    // a doc's further lines follow its function's line, one each, indented
    expect(section).toContain('defects.\n  Returns `path: kind` lines.\n  Checked form: with `{ checked: true }` it returns { answer, pieces, failures }.\n- lib.summarizeSections');
    expect(parseLibrary(prompt).map((f) => f.name)).toEqual(['reviewFilesForDefects', 'summarizeSections']);
  });

  it('has no library section when nothing is listed', () => {
    expect(buildSystemPrompt([])).not.toContain(LIBRARY_HEADING);
    expect(buildSystemPrompt([])).not.toContain(LIBRARY_INTRO);
  });
});
