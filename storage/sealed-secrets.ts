import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { isSealed, SEALED_PREFIX, secretKeysOf } from '../machines/secrets.js';

/**
 * Sealing of the secret fields of inputs and events (see `machines/secrets.ts`): AES-256-GCM
 * under a key derived from the code secret, which the API and the workers hold and the payload
 * codec does not. So an operator who decodes a history through `/codec/decode` reads
 * `sealed:v1:…` where a PIN or an mTAN was typed.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;
const AAD = Buffer.from('praxisflow sealed secret v1');

export interface SecretSealer {
  seal(clear: string): string;
  /**
   * The clear value of a sealed one; null when it cannot be opened (another deployment's key,
   * tampered). A value that is not sealed comes back as it is: an event taken before secrets
   * were sealed still lies in the history of a running process.
   */
  open(value: string): string | null;
}

export function secretSealer(codeSecret: string): SecretSealer {
  const key = Buffer.from(hkdfSync('sha256', codeSecret, 'praxisflow', 'sealed-secrets', 32));
  return {
    seal(clear) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      cipher.setAAD(AAD);
      const sealed = Buffer.concat([cipher.update(clear, 'utf8'), cipher.final()]);
      return SEALED_PREFIX + Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url');
    },
    open(value) {
      if (!isSealed(value)) return value;
      const bytes = Buffer.from(value.slice(SEALED_PREFIX.length), 'base64url');
      if (bytes.length < IV_BYTES + TAG_BYTES) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
        decipher.setAAD(AAD);
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        return Buffer.concat([
          decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        return null;
      }
    },
  };
}

/**
 * The payload (already parsed with `schema`) with each secret string field sealed. What the
 * API sends to Temporal as an event or a start's input.
 */
export function sealSecretFields<T>(schema: z.ZodType, payload: T, sealer: SecretSealer): T {
  const keys = secretKeysOf(schema);
  if (keys.length === 0 || typeof payload !== 'object' || payload === null) return payload;
  const sealed: Record<string, unknown> = { ...(payload as Record<string, unknown>) };
  for (const key of keys) {
    const value = sealed[key];
    if (typeof value === 'string') sealed[key] = sealer.seal(value);
  }
  return sealed as T;
}
