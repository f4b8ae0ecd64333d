/** A unified line diff (LCS), enough to show a member program against the promoted function. */

type Op = { kind: ' ' | '-' | '+'; line: string };

/** Line pairs above this many cells are not diffed (the table would be too large). */
const MAX_CELLS = 4_000_000;

function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script from a to b, or undefined when the inputs are too large to diff. */
export function lineOps(a: string[], b: string[]): Op[] | undefined {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const x = a.slice(pre, a.length - suf);
  const y = b.slice(pre, b.length - suf);
  const n = x.length;
  const m = y.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) return undefined;
  // lcs[i][j] = LCS length of x[i..] and y[j..]
  const w = m + 1;
  const lcs = new Uint32Array((n + 1) * w);
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i * w + j] = x[i] === y[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
    }
  }
  const ops: Op[] = a.slice(0, pre).map((line) => ({ kind: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (x[i] === y[j]) {
      ops.push({ kind: ' ', line: x[i] });
      i++;
      j++;
    } else if (lcs[(i + 1) * w + j] >= lcs[i * w + j + 1]) {
      ops.push({ kind: '-', line: x[i++] });
    } else {
      ops.push({ kind: '+', line: y[j++] });
    }
  }
  while (i < n) ops.push({ kind: '-', line: x[i++] });
  while (j < m) ops.push({ kind: '+', line: y[j++] });
  for (const line of a.slice(a.length - suf)) ops.push({ kind: ' ', line });
  return ops;
}

const range = (start: number, len: number) => `${len === 0 ? start : start + 1}${len === 1 ? '' : `,${len}`}`;

/**
 * `--- fromLabel` / `+++ toLabel` and hunks with `context` lines around each change; an empty
 * string when the texts are equal.
 */
export function unifiedDiff(from: string, to: string, fromLabel: string, toLabel: string, context = 3): string {
  const a = splitLines(from);
  const b = splitLines(to);
  const ops = lineOps(a, b);
  if (!ops) return `--- ${fromLabel}\n+++ ${toLabel}\n@@ (${a.length} and ${b.length} lines: too long to diff here) @@\n`;
  const changed = ops.map((o, k) => (o.kind === ' ' ? -1 : k)).filter((k) => k >= 0);
  if (changed.length === 0) return '';
  // Group changes whose context windows touch into hunks.
  const hunks: [number, number][] = [];
  for (const k of changed) {
    const lo = Math.max(0, k - context);
    const hi = Math.min(ops.length - 1, k + context);
    const last = hunks[hunks.length - 1];
    if (last && lo <= last[1] + 1) last[1] = hi;
    else hunks.push([lo, hi]);
  }
  // Line positions before each op.
  const posA: number[] = [];
  const posB: number[] = [];
  let pa = 0;
  let pb = 0;
  for (const o of ops) {
    posA.push(pa);
    posB.push(pb);
    if (o.kind !== '+') pa++;
    if (o.kind !== '-') pb++;
  }
  const out = [`--- ${fromLabel}`, `+++ ${toLabel}`];
  for (const [lo, hi] of hunks) {
    const slice = ops.slice(lo, hi + 1);
    const lenA = slice.filter((o) => o.kind !== '+').length;
    const lenB = slice.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${range(posA[lo], lenA)} +${range(posB[lo], lenB)} @@`);
    for (const o of slice) out.push(`${o.kind}${o.line}`);
  }
  return `${out.join('\n')}\n`;
}
