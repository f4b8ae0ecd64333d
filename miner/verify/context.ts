/** A member's input as its run's sandbox saw it (the `contexts` row: text, JSON text, or binary as base64). */
import type { Database } from '../../src/db/connection.js';

export interface MemberContext {
  /** What the sandbox gets: the text, or JSON text when type is 'json'. */
  text: string;
  type: 'string' | 'json';
  /** The first argument of the function in a replay fixture: the text, or the parsed JSON value. */
  value: unknown;
}

const lenient = new TextDecoder('utf-8', { fatal: false });

export async function loadContext(database: Database, sha256: string | null): Promise<MemberContext | undefined> {
  if (!sha256) return undefined;
  const [row] = await database.query<{ kind: string; content: string; encoding: string }>('select kind, content, encoding from contexts where sha256 = $1', [sha256]);
  if (!row) return undefined;
  const text = row.encoding === 'base64' ? lenient.decode(Buffer.from(row.content, 'base64')) : row.content;
  if (row.kind === 'json') {
    try {
      return { text, type: 'json', value: JSON.parse(text) as unknown };
    } catch {
      return { text, type: 'string', value: text };
    }
  }
  return { text, type: 'string', value: text };
}
