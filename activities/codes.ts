import { createHmac, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Secret codes: issued from a keyed pseudo-random function, stored only as a keyed hash
 * (short-lived codes and tokens) or an argon2 hash (PINs), compared in constant time.
 * Nothing here logs.
 *
 * A code is HMAC-SHA256(issue key, purpose + the action's idempotency key): as unpredictable
 * as CSPRNG output to anyone without the 256-bit secret, unique per issuing step, and the same
 * on every retry of the activity — so a message that went out before a crash and its resend
 * (same Message-ID) carry the same code, and the hash the process keeps matches both.
 */

/** Hashes of one purpose never verify a value of another. */
export type CodePurpose =
  | 'registration-token'
  | 'activation-code'
  | 'confirmation-code'
  | 'transport-pin'
  | 'download-tan'
  | 'mtan-registration-code'
  | 'initial-password';

const issued = (secret: string, purpose: CodePurpose, idempotencyKey: string): Buffer =>
  createHmac('sha256', secret).update(`issue\u0000${purpose}\u0000${idempotencyKey}`).digest();

/** 32 pseudo-random bytes, base64url: 43 characters, safe in a URL. */
export function registrationTokenFor(secret: string, idempotencyKey: string): string {
  return issued(secret, 'registration-token', idempotencyKey).toString('base64url');
}

/** 8 decimal digits, leading zeros kept (64 bits mod 10^8: bias below 10^-11). */
export function activationCodeFor(secret: string, idempotencyKey: string): string {
  const value = issued(secret, 'activation-code', idempotencyKey).readBigUInt64BE(0);
  return (value % 100_000_000n).toString().padStart(8, '0');
}

/** The mTAN of a download: 6 decimal digits (64 bits mod 10^6: bias below 10^-13). */
export function downloadTanFor(secret: string, idempotencyKey: string): string {
  const value = issued(secret, 'download-tan', idempotencyKey).readBigUInt64BE(0);
  return (value % 1_000_000n).toString().padStart(6, '0');
}

/** The code confirming an mTAN number: 6 decimal digits, as the SMS states it. */
export function mtanRegistrationCodeFor(secret: string, idempotencyKey: string): string {
  const value = issued(secret, 'mtan-registration-code', idempotencyKey).readBigUInt64BE(0);
  return (value % 1_000_000n).toString().padStart(6, '0');
}

/**
 * `length` characters of `alphabet` (no look-alikes): one byte each, bytes at or above the
 * largest multiple of the alphabet's length skipped, so every character is equally likely.
 */
function charactersFor(
  secret: string,
  purpose: CodePurpose,
  idempotencyKey: string,
  alphabet: string,
  length: number,
): string {
  const limit = 256 - (256 % alphabet.length);
  let code = '';
  for (let round = 0; code.length < length; round++) {
    const bytes = issued(secret, purpose, `${idempotencyKey}\u0000${round}`);
    for (const byte of bytes) {
      if (byte < limit && code.length < length) code += alphabet[byte % alphabet.length];
    }
  }
  return code;
}

export const confirmationCodeFor = (
  secret: string,
  idempotencyKey: string,
  alphabet: string,
  length: number,
): string => charactersFor(secret, 'confirmation-code', idempotencyKey, alphabet, length);

const PASSWORD_ALPHABET = '23456789abcdefghkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * The initial password of a credentials letter: 12 characters without look-alikes (about 69
 * bits), printed in groups of four (`k7Pm-3qXa-Hn4T`); the same on every retry of the letter.
 */
export function initialPasswordFor(secret: string, idempotencyKey: string): string {
  const raw = charactersFor(secret, 'initial-password', idempotencyKey, PASSWORD_ALPHABET, 12);
  return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8)}`;
}

/** `K7PM3QXA` → `K7PM 3QXA`. */
export const formatConfirmationCode = (code: string): string =>
  `${code.slice(0, 4)} ${code.slice(4)}`;

/** As typed: spaces dropped, upper case. */
export const normalizeConfirmationCode = (code: string): string =>
  code.replace(/\s+/g, '').toUpperCase();

/**
 * The Transport-PIN of a card: 6 digits from HMAC(secret, card number), so every letter for
 * the same card states the same PIN and nothing of it is stored (64 bits mod 10^6: bias below
 * 10^-13). Never logged, never in a subject or an outbox row.
 */
export function transportPinFor(secret: string, cardNumber: string): string {
  const value = issued(secret, 'transport-pin', cardNumber).readBigUInt64BE(0);
  return (value % 1_000_000n).toString().padStart(6, '0');
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
