import { hkdfSync } from 'node:crypto';

/**
 * One deployment secret, one derived key per purpose, so that a leak of one use (say, the
 * business-key hashes) tells nothing about another (the code hashes).
 */
export function deriveKey(
  secret: string,
  purpose: 'codes' | 'business-keys' | 'api-keys' | 'payloads' | 'documents',
): string {
  return Buffer.from(hkdfSync('sha256', secret, 'praxisflow', purpose, 32)).toString('base64url');
}
