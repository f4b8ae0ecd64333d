/** The one content hash: SHA-256 as lowercase hex (contexts, programs, manifests, sub-call keys). */
import { createHash } from 'node:crypto';

/** SHA-256 of text (UTF-8) or bytes, as 64 lowercase hex digits. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
