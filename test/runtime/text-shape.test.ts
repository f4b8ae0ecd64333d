/** The first message's description of a text input: its beginning and the line starts that recur. */
import { describe, expect, it } from 'vitest';
import { buildFirstUserMessage, describeContext, showsInputBeginning } from '../../src/contracts/messages.js';
import { prepareContext } from '../../src/runtime/context.js';
import { textShape, lineMarker, recurringLineStarts, SCAN_CHARS, TEXT_HEAD_CHARS, textHead } from '../../src/runtime/text-shape.js';

const files = Array.from({ length: 5 }, (_, i) => `// File: src/a${i}.ts\n// a comment\nexport const x${i} = ${i};\n}`).join('\n');

describe('lineMarker', () => {
  it.each([
    ['// File: src/a.ts', '// File: '],
    ['## 1. Overview', '## '],
    ['### Document 3: Industry news', '### Document <n>: '],
    ['Ticket 12: my parcel', 'Ticket <n>: '],
    ['Q: what is it?', 'Q: '],
    ['- a bullet', '- '],
    ['---', '---'],
    ['> quoted', '> '],
  ])('%s → %s', (line, marker) => expect(lineMarker(line)).toBe(marker));

  it.each([['plain prose line'], ['  indented code();'], ['}'], ['#hashtag'], ['2024-01-01 ERROR disk full']])('%s has none', (line) => expect(lineMarker(line)).toBeUndefined());
});

describe('recurringLineStarts', () => {
  it('counts the starts that recur, most frequent first', () => {
    expect(recurringLineStarts(files)).toEqual([['// ', 5], ['// File: ', 5]]);
    expect(recurringLineStarts('# Title\n\n## A\ntext\n## B\ntext\n## C\ntext')).toEqual([['## ', 3]]);
  });

  it('lists nothing that does not recur; a start every line shares is listed (one ticket a line)', () => {
    expect(recurringLineStarts('## A\n## B\ntext')).toEqual([]);
    expect(recurringLineStarts('Ticket 1: a\nTicket 2: b\nTicket 3: c')).toEqual([['Ticket <n>: ', 3]]);
  });

  it('scans only the first part of a large input', () => {
    expect(recurringLineStarts('## A\n## B\n## C\n', 10)).toEqual([]);
    expect(SCAN_CHARS).toBeGreaterThan(1_000_000);
  });
});

describe('textHead', () => {
  it('cuts at a whitespace, never inside a word', () => {
    const text = `${'a '.repeat(140)}${'k'.repeat(40)} tail`;
    expect(textHead(text)).toBe('a '.repeat(140).trimEnd());
    expect(textHead(`${'a'.repeat(TEXT_HEAD_CHARS)} b`)).toBe('a'.repeat(TEXT_HEAD_CHARS));
    expect(textHead('x'.repeat(TEXT_HEAD_CHARS + 1))).toBe('');
  });
});

describe('the first message', () => {
  it('shows a text input\'s beginning and its recurring line starts', () => {
    const text = `# Report\n\n${Array.from({ length: 12 }, (_, i) => `## Section ${i}\n\n${'Sales rose. '.repeat(40)}`).join('\n')}`;
    const message = buildFirstUserMessage('Summarize it.', prepareContext(text).description);
    expect(message).toContain(`It begins (the first 299 characters, as a JSON string): ${JSON.stringify(text.slice(0, 299))}`);
    expect(message).toContain('Lines that start the same way: `## Section <n>` (12 lines) (`<n>` stands for a number).');
    expect(showsInputBeginning(message)).toBe(true);
  });

  it('shows a short input whole, and nothing of a binary one', () => {
    const short = describeContext({ type: 'string', chars: 8, bytes: 8, shape: '1 lines', text: textShape('one line') });
    expect(short).toContain('\nIt is (as a JSON string): "one line"');
    expect(showsInputBeginning(short)).toBe(true);
    expect(showsInputBeginning(describeContext({ type: 'json', chars: 2, bytes: 2, shape: 'an array of 0 items' }))).toBe(false);
    expect(prepareContext(new Uint8Array([0xff, 0xfe, 0x41])).description.structure).toBeUndefined();
  });
});
