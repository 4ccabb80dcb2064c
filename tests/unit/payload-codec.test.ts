import { randomBytes } from 'node:crypto';
import { defaultPayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { EncryptionCodec, PayloadDecryptionError } from '../../codec/payload-codec.js';
import { ConfigError, payloadKeys } from '../../config/env.js';

const personal = { email: 'erika@praxis.example', lastName: 'Mustermann', pin: '483920' };
const payload = () => defaultPayloadConverter.toPayload(personal);
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('latin1');

describe('the payload codec', () => {
  it('when a payload is encoded, then nothing of it is readable and decoding gives it back', async () => {
    const codec = new EncryptionCodec([{ id: 'k1', key: randomBytes(32) }]);
    const [sealed] = await codec.encode([payload()]);
    expect(text(sealed!.data)).not.toContain('erika');
    expect(text(sealed!.data)).not.toContain('483920');
    expect(text(sealed!.metadata?.encoding)).toBe('binary/encrypted');
    expect(text(sealed!.metadata?.['encryption-key-id'])).toBe('k1');
    const [opened] = await codec.decode([sealed!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(personal);
  });

  it('when the key rotates, then the new key encrypts and payloads of the old key still open', async () => {
    const old = { id: 'k1', key: randomBytes(32) };
    const next = { id: 'k2', key: randomBytes(32) };
    const [sealedByOld] = await new EncryptionCodec([old]).encode([payload()]);
    const rotated = new EncryptionCodec([next, old]);
    const [opened] = await rotated.decode([sealedByOld!]);
    expect(defaultPayloadConverter.fromPayload(opened!)).toEqual(personal);
    const [sealedByNext] = await rotated.encode([payload()]);
    expect(text(sealedByNext!.metadata?.['encryption-key-id'])).toBe('k2');
  });

  it('when the key is unknown or the payload altered, then decoding fails loudly', async () => {
    const codec = new EncryptionCodec([{ id: 'k1', key: randomBytes(32) }]);
    const [sealed] = await codec.encode([payload()]);
    const stranger = new EncryptionCodec([{ id: 'k9', key: randomBytes(32) }]);
    await expect(stranger.decode([sealed!])).rejects.toThrow(/no key with id "k1"/);
    const altered = Buffer.from(sealed!.data!);
    altered[altered.length - 1]! ^= 1;
    await expect(codec.decode([{ ...sealed!, data: altered }])).rejects.toBeInstanceOf(
      PayloadDecryptionError,
    );
  });

  it('when a payload was never encrypted (older history), then it passes through', async () => {
    const codec = new EncryptionCodec([{ id: 'k1', key: randomBytes(32) }]);
    const plain = payload();
    expect(await codec.decode([plain])).toEqual([plain]);
  });

  it('when keys are configured, then they are read newest first; malformed ones are named', () => {
    const a = randomBytes(32).toString('base64');
    const b = randomBytes(32).toString('base64');
    const keys = payloadKeys({ PRAXISFLOW_PAYLOAD_KEYS: `k2:${a}, k1:${b}` });
    expect(keys.map((key) => key.id)).toEqual(['k2', 'k1']);
    expect(() => payloadKeys({ PRAXISFLOW_PAYLOAD_KEYS: 'k1:short' })).toThrow(ConfigError);
    const derived = payloadKeys({ PRAXISFLOW_SECRET: 'x'.repeat(40) });
    expect(derived).toHaveLength(1);
    expect(derived[0]!.key).toHaveLength(32);
  });
});
