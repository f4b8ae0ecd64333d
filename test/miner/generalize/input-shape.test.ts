/** Delimiters explained the way a caller reads them, whichever way the members wrote the cut. */
import { describe, expect, it } from 'vitest';
import { explainDelimiter, inputShape } from '../../../miner/generalize/input-shape.js';
import { programTree } from './helpers.js';

describe('explainDelimiter', () => {
  it.each([
    ['/^(?=## )/m', true, 'sections', 'a line starting with `## `'],
    ['/\\n(?=## )/', true, 'sections', 'a line starting with `## `'],
    ['/\\n(?=\\/\\/ File: )/', true, 'files', 'a line starting with `// File: `'],
    ['/\\r?\\n(?=# )/', true, 'sections', 'a line starting with `# `'],
    ['\n// File: ', false, 'files', 'a line starting with `// File: `'],
    ['\n', false, 'lines', 'line breaks'],
    ['\n\n', false, 'paragraphs', 'blank lines'],
    ['/(?<=[.!?])\\s+/', true, 'sentences', 'sentence ends (`.`, `!`, `?`)'],
  ])('%s', (text, isRegex, unit, describe) => {
    expect(explainDelimiter(text, isRegex)).toEqual({ unit, describe });
  });

  it('shows a delimiter it cannot explain as written', () => {
    expect(explainDelimiter('/\\s*;\\s*/', true)).toEqual({ unit: 'parts', describe: '`\\s*;\\s*`' });
  });
});

describe('inputShape', () => {
  const shapeOfCode = (code: string) => inputShape(programTree(code));

  it('says when the first line is a header the code skips', () => {
    const code = 'let lines = context.split("\\n");\nlet rows = lines.slice(1).filter((l) => l.trim());\nconst out = await llmBatch(rows.map((r) => ({ query: "Label this row.", context: r })));\nFINAL(out.join("\\n"));';
    expect(shapeOfCode(code).input).toBe('`context` is text made of lines, separated by line breaks; the first of its lines is skipped (a header).');
  });

  it('does not take a slice of a model reply for one of the input', () => {
    const code = 'let lines = context.split("\\n");\nconst out = await llmBatch(lines.map((r) => ({ query: "Label this row.", context: r })));\nlet parts = out[0].split(",");\nFINAL(parts.slice(1).join(","));';
    expect(shapeOfCode(code).input).toBe('`context` is text made of lines, separated by line breaks.');
  });
});
