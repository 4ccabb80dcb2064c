import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  activationCodeFor,
  formatActivationCode,
  registrationTokenFor,
  hashPin,
  keyedHash,
  normalizeActivationCode,
  verifyKeyedHash,
  verifyPin,
} from '../../activities/codes.js';
import { REGISTRATION_TOKEN_PATTERN } from '../../machines/invitation.schema.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const SECRET = 'server-secret-for-tests';

const keys = (n: number) => Array.from({ length: n }, (_, i) => `invitation-abc:run:${i}:0`);

describe('registration token', () => {
  it('is 32 bytes in base64url, the shape the event schema takes', () => {
    const token = registrationTokenFor(SECRET, 'invitation-abc:run:1:0');
    expect(token).toMatch(REGISTRATION_TOKEN_PATTERN);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('is different for every issuing step and every secret, and the same on a retry', () => {
    const tokens = new Set(keys(1000).map((key) => registrationTokenFor(SECRET, key)));
    expect(tokens.size).toBe(1000);
    const key = 'invitation-abc:run:7:0';
    expect(registrationTokenFor(SECRET, key)).toBe(registrationTokenFor(SECRET, key));
    expect(registrationTokenFor(`${SECRET}x`, key)).not.toBe(registrationTokenFor(SECRET, key));
  });
});

describe('activation code', () => {
  it('is 8 digits, leading zeros kept', () => {
    const codes = keys(2000).map((key) => activationCodeFor(SECRET, key));
    for (const code of codes) expect(code).toMatch(/^\d{8}$/);
    // one in ten codes starts with 0: padding must keep it 8 digits
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(1990);
    // Every digit about equally often in every place: no visible bias.
    for (let place = 0; place < 8; place += 1) {
      const zeros = codes.filter((code) => code[place] === '0').length;
      expect(zeros).toBeGreaterThan(120);
      expect(zeros).toBeLessThan(280);
    }
  });

  it('is the same on a retry of the same step and differs from step to step', () => {
    const key = 'invitation-abc:run:3:0';
    expect(activationCodeFor(SECRET, key)).toBe(activationCodeFor(SECRET, key));
    expect(activationCodeFor(SECRET, key)).not.toBe(
      activationCodeFor(SECRET, 'invitation-abc:run:4:0'),
    );
  });

  it('reads as two groups of four', () => {
    expect(formatActivationCode('27480323')).toBe('2748 0323');
    expect(formatActivationCode('2748 0323')).toBe('2748 0323');
    expect(formatActivationCode('00000001')).toBe('0000 0001');
    expect(normalizeActivationCode(' 2748 0323 ')).toBe('27480323');
  });
});

describe('keyed hash', () => {
  beforeEach(() => {
    vi.mocked(crypto.timingSafeEqual).mockClear();
  });

  it('is HMAC-SHA256 with the server secret, base64url, separated by purpose', () => {
    const hash = keyedHash(SECRET, 'activation-code', '27480323');
    const expected = crypto
      .createHmac('sha256', SECRET)
      .update('activation-code\u000027480323')
      .digest('base64url');
    expect(hash).toBe(expected);
    expect(hash).not.toContain('27480323');
    expect(keyedHash('another-secret', 'activation-code', '27480323')).not.toBe(hash);
    expect(keyedHash(SECRET, 'registration-token', '27480323')).not.toBe(hash);
  });

  it('verifies the right value and refuses a wrong value, secret or purpose', () => {
    const hash = keyedHash(SECRET, 'activation-code', '27480323');
    expect(verifyKeyedHash(SECRET, 'activation-code', '27480323', hash)).toBe(true);
    expect(verifyKeyedHash(SECRET, 'activation-code', '27480324', hash)).toBe(false);
    expect(verifyKeyedHash('another-secret', 'activation-code', '27480323', hash)).toBe(false);
    expect(verifyKeyedHash(SECRET, 'registration-token', '27480323', hash)).toBe(false);
  });

  it('compares with timingSafeEqual, also when the stored hash has another length or is missing', () => {
    const hash = keyedHash(SECRET, 'registration-token', 'token');
    for (const stored of [hash, hash.slice(0, 10), `${hash}AAAA`, '', null, 'not base64url!']) {
      vi.mocked(crypto.timingSafeEqual).mockClear();
      const valid = verifyKeyedHash(SECRET, 'registration-token', 'token', stored);
      expect(valid).toBe(stored === hash);
      expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(1);
    }
  });
});

describe('PIN hash', () => {
  it('is argon2id, salted, and verifies only the right PIN with the right pepper', async () => {
    const first = await hashPin('483920', SECRET);
    const second = await hashPin('483920', SECRET);
    expect(first).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(first).not.toContain('483920');
    expect(second).not.toBe(first);
    expect(await verifyPin(first, '483920', SECRET)).toBe(true);
    expect(await verifyPin(first, '483921', SECRET)).toBe(false);
    expect(await verifyPin(first, '483920', 'another-secret')).toBe(false);
    expect(await verifyPin('not-a-hash', '483920', SECRET)).toBe(false);
  });
});
