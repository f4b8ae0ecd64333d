/** The one content hash: SHA-256 as lowercase hex (contexts, programs, manifests, sub-call keys). */
import { createHash } from 'node:crypto';

/** SHA-256 of text (UTF-8) or bytes, as 64 lowercase hex digits. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A stable UUID (version-4 shaped) derived from text: the same text always gives the same id. */
export function uuidFromText(text: string): string {
  const h = sha256(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
