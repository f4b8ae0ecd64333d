/** Turning what a user passes as the input into the sandbox's `context` and its stored form. */
import { sha256 as sha256Of } from '../contracts/hash.js';
import { thousands } from '../util/digits.js';
import type { ContextDescription, TextShape } from '../contracts/messages.js';
import { describeJsonShape, describeSchema } from './shape.js';
import { textShape } from './text-shape.js';

export type ContextInput = string | Uint8Array | { json: unknown };

export interface PreparedContext {
  /** What the sandbox gets: the text, or JSON text when type is 'json'. */
  text: string;
  type: 'string' | 'json';
  /** Stored bytes and their kind. */
  bytes: Uint8Array;
  kind: 'text' | 'json' | 'binary';
  sha256: string;
  description: ContextDescription;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8', { fatal: false });

function countLines(s: string): number {
  let n = s.length > 0 ? 1 : 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

export interface PrepareOptions {
  /** A JSON Schema of the input: shown to the model instead of the inferred structure. */
  schema?: Record<string, unknown>;
}

export function prepareContext(input: ContextInput, options: PrepareOptions = {}): PreparedContext {
  let bytes: Uint8Array;
  let text: string;
  let type: 'string' | 'json' = 'string';
  let kind: PreparedContext['kind'] = 'text';
  let shape: string;
  let structure: string | undefined;
  let textDescription: TextShape | undefined;
  if (typeof input === 'string') {
    text = input;
    bytes = Buffer.from(input, 'utf8');
  } else if (input instanceof Uint8Array) {
    bytes = input;
    try {
      text = decoder.decode(input);
    } catch {
      text = lenient.decode(input);
      kind = 'binary';
    }
    if (kind === 'text' && text.includes('\u0000')) kind = 'binary';
  } else {
    const json = JSON.stringify(input.json);
    if (json === undefined) throw new TypeError('the JSON context is not serializable');
    text = json;
    bytes = Buffer.from(json, 'utf8');
    type = 'json';
    kind = 'json';
  }
  if (type === 'json') {
    const v = (input as { json: unknown }).json;
    shape = Array.isArray(v) ? `an array of ${v.length} items` : v && typeof v === 'object' ? `an object with keys ${Object.keys(v).slice(0, 12).join(', ')}` : typeof v;
    structure = options.schema ? describeSchema(options.schema) : describeJsonShape(v);
  } else if (options.schema) {
    shape = `${thousands(countLines(text))} lines`;
    structure = describeSchema(options.schema);
  } else {
    shape = `${thousands(countLines(text))} lines`;
    // how it begins and its recurring line starts: what a root model would otherwise spend its first turn printing
    if (kind === 'text') textDescription = textShape(text);
  }
  const sha256 = sha256Of(bytes);
  return {
    text,
    type,
    bytes,
    kind,
    sha256,
    description: { type, chars: text.length, bytes: bytes.length, shape, binary: kind === 'binary' || undefined, structure, ...(textDescription ? { text: textDescription } : {}) },
  };
}

/** How a context is stored: UTF-8 text as it is, anything else as base64. */
export function storedContent(ctx: PreparedContext): { content: string; encoding: 'utf8' | 'base64' } {
  return ctx.kind === 'binary' ? { content: Buffer.from(ctx.bytes).toString('base64'), encoding: 'base64' } : { content: ctx.text, encoding: 'utf8' };
}
