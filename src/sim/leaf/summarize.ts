/** Leaf rule: summarize by keeping the sentences that carry key-fact markers. */
import { sentences } from './text.js';

const MARKERS = /\b(key finding|notably|importantly|critical result|most significantly)\b/i;

export function isSummaryRequest(query: string): boolean {
  return /\bsummar|\bkey findings?\b|\bcondense\b|\bdigest\b/i.test(query);
}

export function answerSummary(_query: string, text: string): string {
  const keep = sentences(text).filter((s) => MARKERS.test(s));
  const unique = [...new Set(keep)];
  return unique.length > 0 ? unique.join(' ') : 'No key findings in this part.';
}
