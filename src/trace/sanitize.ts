/**
 * Text the database accepts: Postgres rejects NUL in text and jsonb, and a lone UTF-16 surrogate
 * in jsonb (`\ud800` escapes). Every record is passed through here right before it is written, so
 * model replies and program output holding either never reach the database as they are: lone
 * surrogates become U+FFFD, NUL characters are removed. Object keys are cleaned too.
 */

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** A cheap first look: most strings have neither a surrogate nor a NUL. */
const SUSPECT = /[\u0000\uD800-\uDFFF]/;

/** One string made safe for Postgres text and jsonb. */
export function sanitizeText(s: string): string {
  if (!SUSPECT.test(s)) return s;
  let out = s.replace(LONE_SURROGATE, '\uFFFD');
  if (out.includes('\u0000')) out = out.replace(/\u0000/g, '');
  return out;
}

/** Every string (and object key) inside a JSON-like value made safe; Dates and bytes pass through. */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitizeText(value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const c = sanitizeDeep(v);
      if (c !== v) changed = true;
      return c;
    });
    return (changed ? out : value) as T;
  }
  if (value && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = sanitizeText(k);
      const c = sanitizeDeep(v);
      if (key !== k || c !== v) changed = true;
      out[key] = c;
    }
    return (changed ? out : value) as T;
  }
  return value;
}
