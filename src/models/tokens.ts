/** A rough token count (≈ what a BPE tokenizer gives on English and code) for models that report none. */
export function estimateTokens(text: string): number {
  if (!text) return 0;
  // Words, numbers and runs of punctuation each count; long words count by 4-character pieces.
  let n = 0;
  const re = /[A-Za-z]+|\d{1,3}|[^\sA-Za-z\d]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) n += m[0].length > 6 ? Math.ceil(m[0].length / 4) : 1;
  return n;
}
