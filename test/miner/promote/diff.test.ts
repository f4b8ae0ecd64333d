/** The unified diff of the PR body: exact format on a small case, and a minimal, correct patch on random ones. */
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from '../../../miner/promote/index.js';

/** Applies a unified diff to `from`; throws when a context or removed line does not match. */
function apply(from: string, diff: string): string {
  const a = from.split('\n');
  if (a[a.length - 1] === '') a.pop();
  const out: string[] = [];
  let pos = 0;
  const lines = diff.split('\n').slice(2);
  for (let i = 0; i < lines.length; i++) {
    const m = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(lines[i]);
    if (!m) continue;
    const start = Number(m[2] ?? 1) === 0 ? Number(m[1]) : Number(m[1]) - 1;
    while (pos < start) out.push(a[pos++]);
    for (i++; i < lines.length && !lines[i].startsWith('@@'); i++) {
      const [kind, text] = [lines[i][0], lines[i].slice(1)];
      if (kind === '+') out.push(text);
      else if (kind === ' ' || kind === '-') {
        if (a[pos] !== text) throw new Error(`line ${pos + 1}: expected ${JSON.stringify(text)}, found ${JSON.stringify(a[pos])}`);
        if (kind === ' ') out.push(a[pos]);
        pos++;
      }
    }
    i--;
  }
  while (pos < a.length) out.push(a[pos++]);
  return out.join('\n');
}

function lcs(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) t[i][j] = a[i] === b[j] ? t[i + 1][j + 1] + 1 : Math.max(t[i + 1][j], t[i][j + 1]);
  return t[0][0];
}

describe('unifiedDiff', () => {
  it('writes headers, hunks with three lines of context, and separate hunks for distant changes', () => {
    const a = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm'].join('\n');
    const b = ['a', 'B', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n'].join('\n');
    expect(unifiedDiff(a, b, 'old', 'new')).toBe(
      ['--- old', '+++ new', '@@ -1,5 +1,5 @@', ' a', '-b', '+B', ' c', ' d', ' e', '@@ -11,3 +11,4 @@', ' k', ' l', ' m', '+n', ''].join('\n'),
    );
    expect(unifiedDiff('x\n', 'x\n', 'a', 'b')).toBe('');
    expect(unifiedDiff('', 'one\ntwo', 'a', 'b')).toBe('--- a\n+++ b\n@@ -1 +1,2 @@\n-\n+one\n+two\n');
  });

  it('produces a patch that turns one text into the other with the fewest changed lines', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rand(30) + 1 }, () => `l${rand(6)}`);
      const b = Array.from({ length: rand(30) + 1 }, () => `l${rand(6)}`);
      const diff = unifiedDiff(a.join('\n'), b.join('\n'), 'a', 'b', rand(4));
      if (a.join('\n') === b.join('\n')) {
        expect(diff).toBe('');
        continue;
      }
      expect(apply(a.join('\n'), diff)).toBe(b.join('\n'));
      const changed = diff.split('\n').filter((l) => /^[-+](?!--|\+\+)/.test(l)).length;
      expect(changed).toBe(a.length + b.length - 2 * lcs(a, b));
    }
  });
});
