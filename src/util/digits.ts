/**
 * Whole numbers with thousands separators, as toLocaleString('en-US') writes them, without ICU:
 * a process's first toLocaleString loads locale data (~30–100 ms measured on the 2-core machine),
 * which a run would pay before its first model request (issue 13).
 */
export function thousands(n: number): string {
  return Number.isInteger(n) ? String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',') : n.toLocaleString('en-US');
}
