import { createHmac } from 'node:crypto';

/**
 * The one-time download token of a document. It is derived, not stored: from the document,
 * the number of the mTAN and the mTAN itself, keyed with the server secret. The worker derives
 * it when the mTAN is right and keeps only its hash in the process; the documents API derives
 * it again for the caller who just typed that mTAN, and hashes what a download link shows.
 * Without the secret and the mTAN (which only the phone saw) nobody can produce it.
 */
export function downloadTokenFor(
  secret: string,
  documentId: string,
  tanSequence: number,
  tan: string,
): string {
  return createHmac('sha256', secret)
    .update(`issue\u0000download-token\u0000${documentId}\u0000${tanSequence}\u0000${tan}`)
    .digest('base64url');
}

/** What the process keeps and compares: HMAC-SHA256 of the token, base64url (43 characters). */
export function downloadTokenHash(secret: string, token: string): string {
  return createHmac('sha256', secret).update(`download-token\u0000${token}`).digest('base64url');
}
