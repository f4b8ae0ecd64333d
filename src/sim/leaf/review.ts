/** Leaf rule: review code by pattern, per `// File:` section, and report `path: kind` lines. */

const DETECTORS: ReadonlyArray<readonly [string, RegExp]> = [
  ['loose-equality', /[^=!<>]==[^=]|!=[^=]/],
  ['off-by-one', /<=\s*[\w.]+\.length\b/],
  ['unawaited-promise', /^\s*(?:this\.)?[\w.]*\b(?:save|insert|publish|send|flush|write)\w*\([^)]*\);\s*$/m],
  ['hardcoded-secret', /(?:api_?key|secret|password|token)\w*\s*[:=]\s*['"][^'"]{8,}['"]/i],
  ['sql-injection', /\b(?:SELECT|INSERT|UPDATE|DELETE)\b[^;\n]*["'`]\s*\+\s*\w|`(?:SELECT|INSERT|UPDATE|DELETE)\b[^`]*\$\{/],
  ['empty-catch', /catch\s*(?:\(\s*\w*\s*\))?\s*\{\s*\}/],
];

export const KNOWN_KINDS: readonly string[] = DETECTORS.map(([k]) => k);

export function isReviewRequest(query: string): boolean {
  return /\bdefects?\b|\bcode review\b|\breview (the|this|these)\b.*\b(code|files?|codebase)\b|\bbugs?\b/i.test(query);
}

export function reviewFile(code: string, kinds: readonly string[]): string[] {
  return DETECTORS.filter(([kind, re]) => kinds.includes(kind) && re.test(code)).map(([kind]) => kind);
}

export function answerReview(query: string, text: string): string {
  const asked = KNOWN_KINDS.filter((k) => query.includes(k));
  const kinds = asked.length > 0 ? asked : KNOWN_KINDS;
  const lines: string[] = [];
  const parts = text.split(/^\/\/ File: /m);
  for (const part of parts.slice(1)) {
    const nl = part.indexOf('\n');
    const path = (nl < 0 ? part : part.slice(0, nl)).trim();
    const code = nl < 0 ? '' : part.slice(nl + 1);
    for (const kind of reviewFile(code, kinds)) lines.push(`${path}: ${kind}`);
  }
  return lines.length > 0 ? lines.join('\n') : 'NONE';
}
