/** Leaf fallback: the sentence of the text that best overlaps the request's content words. */
import { contentWords, sentences } from './text.js';

export function answerGeneric(query: string, text: string): string {
  const words = contentWords(query);
  let best = '';
  let bestScore = 0;
  for (const s of sentences(text).slice(0, 2000)) {
    let score = 0;
    for (const w of contentWords(s)) if (words.has(w)) score++;
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  if (best) return best;
  return text.trim() ? 'The text does not say.' : 'I need the text to answer that.';
}
