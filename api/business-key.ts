import { createHmac, randomUUID } from 'node:crypto';

const BUSINESS_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export const isValidBusinessKey = (value: string): boolean => BUSINESS_KEY.test(value);

/**
 * A business key made of personal data (practice + email) is a keyed hash of it: stable for
 * duplicate detection, but neither readable nor guessable from a workflow id.
 */
export function hashedBusinessKey(key: string, parts: readonly string[]): string {
  return createHmac('sha256', key).update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

export const generatedBusinessKey = (): string => randomUUID();
