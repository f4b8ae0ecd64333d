/**
 * The TypeScript type of a function's input, from the inputs its members' runs were given. Text
 * input is `string`. JSON input (an array of records, an object) is typed by its shape — keys and
 * their value types, a key missing from some records optional — so that the model's code over it
 * (`context.filter((r) => r.level === "error")`, `r.amount * 2`) type-checks as written, and the
 * listing tells a caller what to pass.
 */

/** Deeper than this, or wider than this many keys, a value is typed loosely. */
const MAX_DEPTH = 4;
const MAX_KEYS = 40;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** A record type's key as written in TypeScript: bare when it is an identifier, quoted otherwise. */
export const typeKey = (key: string): string => (IDENTIFIER.test(key) ? key : JSON.stringify(key));

/** Up to 8 names in backticks, then how many more. */
export function namedList(names: readonly string[]): string {
  const shown = names.slice(0, 8).map((k) => `\`${k}\``);
  return names.length > 8 ? `${shown.join(', ')} and ${names.length - 8} more` : shown.join(', ');
}

function union(types: readonly string[]): string {
  const distinct = [...new Set(types)];
  if (distinct.length === 0) return 'never';
  if (distinct.includes('unknown')) return 'unknown';
  return distinct.length === 1 ? distinct[0] : distinct.join(' | ');
}

function arrayOf(element: string): string {
  return /[|&]/.test(element) ? `(${element})[]` : `${element}[]`;
}

function typeOf(values: readonly unknown[], depth: number): string {
  const parts: string[] = [];
  const arrays: unknown[] = [];
  const objects: Record<string, unknown>[] = [];
  let sawArray = false;
  for (const v of values) {
    if (v === null) parts.push('null');
    else if (Array.isArray(v)) {
      sawArray = true;
      arrays.push(...v);
    } else if (typeof v === 'object') objects.push(v as Record<string, unknown>);
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') parts.push(typeof v);
    else parts.push('unknown');
  }
  if (sawArray) parts.push(depth >= MAX_DEPTH ? 'unknown[]' : arrayOf(arrays.length ? typeOf(arrays, depth + 1) : 'unknown'));
  if (objects.length) parts.push(objectType(objects, depth));
  return union(parts);
}

/** The keys of some records, each once, in the order they first appear. */
const keysOf = (objects: readonly Record<string, unknown>[]): string[] => [...new Set(objects.flatMap((o) => Object.keys(o)))];

function objectType(objects: readonly Record<string, unknown>[], depth: number): string {
  const keys = keysOf(objects);
  if (depth >= MAX_DEPTH || keys.length > MAX_KEYS || keys.length === 0) {
    const values = objects.flatMap((o) => Object.values(o));
    return `Record<string, ${depth >= MAX_DEPTH || values.length === 0 ? 'unknown' : typeOf(values, depth + 1)}>`;
  }
  const fields = keys.map((k) => {
    const present = objects.filter((o) => Object.prototype.hasOwnProperty.call(o, k));
    const name = typeKey(k);
    return `${name}${present.length < objects.length ? '?' : ''}: ${typeOf(present.map((o) => o[k]), depth + 1)}`;
  });
  return `{ ${fields.join('; ')} }`;
}

/**
 * The type of `context` given the members' inputs (text, or parsed JSON values); `string` when
 * any is text or none is known (an imported log stores no input).
 */
export function contextTypeOf(inputs: readonly unknown[]): string {
  if (inputs.length === 0 || inputs.some((v) => typeof v === 'string')) return 'string';
  return typeOf(inputs, 0);
}

const keyList = (objects: readonly Record<string, unknown>[]): string => namedList(keysOf(objects));

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The doc's "Input:" sentence for JSON input (undefined for text: the code says how it reads text). */
export function contextInputSentence(inputs: readonly unknown[]): string | undefined {
  if (contextTypeOf(inputs) === 'string') return undefined;
  const lead = '`context` is JSON, not text:';
  if (inputs.every(Array.isArray)) {
    const items = (inputs as unknown[][]).flat();
    if (items.length && items.every(isRecord)) return `${lead} an array of records, each with ${keyList(items)} (their types in the signature).`;
    if (items.length && items.every((i) => typeof i === 'string')) return `${lead} an array of strings.`;
    return `${lead} an array (its element type in the signature).`;
  }
  if (inputs.every(isRecord)) return `${lead} an object with the keys ${keyList(inputs as Record<string, unknown>[])} (their types in the signature).`;
  return `${lead} of the type in the signature.`;
}
