import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Secret codes: generated from the CSPRNG, stored only as a keyed hash (short-lived codes
 * and tokens) or an argon2 hash (PINs), compared in constant time. Nothing here logs.
 */

/** Hashes of one purpose never verify a value of another. */
export type CodePurpose = 'registration-token' | 'activation-code';

/** 32 random bytes, base64url: 43 characters, safe in a URL. */
export function generateRegistrationToken(): string {
  return randomBytes(32).toString('base64url');
}

/** 8 decimal digits, uniformly distributed, leading zeros kept. */
export function generateActivationCode(): string {
  return randomInt(0, 100_000_000).toString().padStart(8, '0');
}

/** `27480323` → `2748 0323`, as people read it from an email. */
export function formatActivationCode(code: string): string {
  const digits = normalizeActivationCode(code);
  return `${digits.slice(0, 4)} ${digits.slice(4)}`;
}

export function normalizeActivationCode(code: string): string {
  return code.replace(/\s+/g, '');
}

function hmac(secret: string, purpose: CodePurpose, value: string): Buffer {
  return createHmac('sha256', secret).update(`${purpose}\u0000${value}`).digest();
}

/** HMAC-SHA256 with the server secret, base64url. */
export function keyedHash(secret: string, purpose: CodePurpose, value: string): string {
  return hmac(secret, purpose, value).toString('base64url');
}

/** Constant time in the value; a stored hash of the wrong length is simply not equal. */
export function verifyKeyedHash(
  secret: string,
  purpose: CodePurpose,
  value: string,
  storedHash: string | null,
): boolean {
  const actual = hmac(secret, purpose, value);
  const expected = Buffer.from(storedHash ?? '', 'base64url');
  if (expected.length !== actual.length) {
    timingSafeEqual(actual, actual); // same work as a real comparison
    return false;
  }
  return timingSafeEqual(actual, expected);
}

/**
 * argon2id (library defaults: 19 MiB, 2 passes) with the server secret as pepper: a 6-digit
 * PIN has only 10^6 values, so a leaked hash alone must not be enough to find it.
 */
export function hashPin(pin: string, pepper: string): Promise<string> {
  return hash(pin, { secret: Buffer.from(pepper) });
}

export async function verifyPin(pinHash: string, pin: string, pepper: string): Promise<boolean> {
  try {
    return await verify(pinHash, pin, { secret: Buffer.from(pepper) });
  } catch {
    return false; // not an argon2 hash
  }
}
