/** Numbers and durations as people read them (the CLI's tables and the web viewer share these). */

export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined) return '-';
  if (n < 1_000) return `${n} ms`;
  if (n < 60_000) return `${(n / 1_000).toFixed(1)} s`;
  return `${Math.floor(n / 60_000)} min ${Math.round((n % 60_000) / 1_000)} s`;
}

export function num(n: number): string {
  return n.toLocaleString('en-US');
}

/** Text on one line, cut to `n` characters with an ellipsis. */
export function truncate(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
