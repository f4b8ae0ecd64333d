/** Small text helpers for the leaf model's rules. */

/** Sentences of a text (split after . ! ? and at line breaks). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Content words (lowercase, 4+ letters) of a text. */
export function contentWords(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[a-z]{4,}/g) ?? []).filter((w) => !STOP.has(w)));
}

const STOP = new Set(['what', 'which', 'where', 'when', 'that', 'this', 'with', 'from', 'there', 'their', 'reply', 'answer', 'text', 'only', 'given', 'about', 'each', 'every', 'list', 'find', 'below', 'have', 'does', 'were', 'into', 'than', 'then', 'them', 'they', 'your']);
