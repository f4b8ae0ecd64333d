/** Answer normalization and set metrics shared by the family scorers. */

/** Lowercase, punctuation to spaces, single spaces, trimmed. */
export function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Whether `needle` occurs in `haystack` as whole normalized words. */
export function containsWords(haystack: string, needle: string): boolean {
  const h = ` ${normalize(haystack)} `;
  const n = normalize(needle);
  return n.length > 0 && h.includes(` ${n} `);
}

/** Normalized exact match, or a short answer that contains the expected words. */
export function matchesShortAnswer(answer: string, expected: string, maxExtraChars = 120): boolean {
  const a = normalize(answer);
  const e = normalize(expected);
  if (a === e) return true;
  return a.length <= e.length + maxExtraChars && containsWords(answer, expected);
}

/** F1 of two sets of keys; two empty sets score 1. */
export function f1(predicted: ReadonlySet<string>, truth: ReadonlySet<string>): number {
  if (predicted.size === 0 && truth.size === 0) return 1;
  if (predicted.size === 0 || truth.size === 0) return 0;
  let hit = 0;
  for (const p of predicted) if (truth.has(p)) hit++;
  if (hit === 0) return 0;
  const precision = hit / predicted.size;
  const recall = hit / truth.size;
  return (2 * precision * recall) / (precision + recall);
}

/** Parses JSON embedded in free text (the first {...} or [...] span), or undefined. */
export function parseEmbeddedJson(text: string): unknown {
  const trimmed = text.trim();
  const candidates = [trimmed];
  for (const [open, close] of [['{', '}'], ['[', ']']] as const) {
    const a = trimmed.indexOf(open);
    const b = trimmed.lastIndexOf(close);
    if (a >= 0 && b > a) candidates.push(trimmed.slice(a, b + 1));
  }
  for (const c of candidates) {
    try {
      return JSON.parse(c) as unknown;
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

export function clamp01(x: number): number {
  return Math.max(0, Math.min(1, x));
}
