/**
 * Cheap checks that run before the TypeScript parser sees any code, so that hostile or junk input
 * (huge, binary, absurdly nested) is rejected in linear time without deep recursion.
 */

/** Programs larger than this (UTF-16 code units of all blocks together) are not analyzed. */
export const MAX_CODE_CHARS = 256 * 1024;
/** Maximum bracket nesting ((, [, {, `${`) accepted before parsing. */
export const MAX_BRACKET_DEPTH = 200;
/** Maximum depth of the lowered tree (guards runs of unbracketed nesting such as `!!!!x`). */
export const MAX_TREE_DEPTH = 400;

export type GuardResult = { ok: true } | { ok: false; reason: string };

/** Share of characters that are control characters or U+FFFD above which input counts as binary. */
const BINARY_RATIO = 0.05;

export function checkSize(totalChars: number): GuardResult {
  if (totalChars > MAX_CODE_CHARS) {
    return {
      ok: false,
      reason: `too large: ${totalChars} characters of code (the limit is ${MAX_CODE_CHARS}); programs this size are not orchestrators worth mining`,
    };
  }
  return { ok: true };
}

export function checkBinary(code: string): GuardResult {
  let bad = 0;
  for (let i = 0; i < code.length; i++) {
    const ch = code.charCodeAt(i);
    if (ch === 0) return { ok: false, reason: 'binary data: the code contains NUL bytes' };
    if ((ch < 32 && ch !== 9 && ch !== 10 && ch !== 13 && ch !== 12 && ch !== 11) || ch === 0xfffd) bad++;
  }
  if (code.length > 0 && bad / code.length > BINARY_RATIO) {
    return { ok: false, reason: `binary data: ${bad} of ${code.length} characters are control characters or replacement characters` };
  }
  return { ok: true };
}

/**
 * Maximum nesting of brackets, skipping string, template and comment text approximately (a
 * template's `${` counts as an opening bracket). Linear, no recursion.
 */
export function bracketDepth(code: string): number {
  let depthNow = 0;
  let max = 0;
  // Stack of template nesting: each entry is the bracket depth at which a `${` opened.
  const tplStack: number[] = [];
  let i = 0;
  const n = code.length;
  let inTemplate = false;
  while (i < n) {
    const ch = code.charCodeAt(i);
    if (inTemplate) {
      if (ch === 92 /* \ */) {
        i += 2;
        continue;
      }
      if (ch === 96 /* ` */) {
        inTemplate = false;
        i++;
        continue;
      }
      if (ch === 36 /* $ */ && code.charCodeAt(i + 1) === 123 /* { */) {
        tplStack.push(depthNow);
        depthNow++;
        if (depthNow > max) max = depthNow;
        inTemplate = false;
        i += 2;
        continue;
      }
      i++;
      continue;
    }
    switch (ch) {
      case 34: // "
      case 39: {
        // '
        i++;
        while (i < n) {
          const c2 = code.charCodeAt(i);
          if (c2 === 92) i += 2;
          else if (c2 === ch || c2 === 10) {
            i++;
            break;
          } else i++;
        }
        continue;
      }
      case 96: // `
        inTemplate = true;
        i++;
        continue;
      case 47: {
        // /
        const next = code.charCodeAt(i + 1);
        if (next === 47) {
          const end = code.indexOf('\n', i);
          i = end < 0 ? n : end + 1;
          continue;
        }
        if (next === 42) {
          const end = code.indexOf('*/', i + 2);
          i = end < 0 ? n : end + 2;
          continue;
        }
        i++;
        continue;
      }
      case 40: // (
      case 91: // [
      case 123: // {
        depthNow++;
        if (depthNow > max) max = depthNow;
        i++;
        continue;
      case 41: // )
      case 93: // ]
        if (depthNow > 0) depthNow--;
        i++;
        continue;
      case 125: // }
        if (tplStack.length > 0 && tplStack[tplStack.length - 1] === depthNow - 1) {
          tplStack.pop();
          depthNow--;
          inTemplate = true;
        } else if (depthNow > 0) depthNow--;
        i++;
        continue;
      default:
        i++;
    }
  }
  return max;
}

export function checkNesting(code: string): GuardResult {
  const d = bracketDepth(code);
  if (d > MAX_BRACKET_DEPTH) {
    return { ok: false, reason: `nesting too deep: brackets nest ${d} levels (the limit is ${MAX_BRACKET_DEPTH})` };
  }
  return { ok: true };
}

/** Runs all pre-parse checks on one program's code (all blocks joined). */
export function guardCode(code: string): GuardResult {
  const size = checkSize(code.length);
  if (!size.ok) return size;
  const bin = checkBinary(code);
  if (!bin.ok) return bin;
  return checkNesting(code);
}
