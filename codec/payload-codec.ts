import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
// A CommonJS module: Node's own ESM loader offers it only as a default export.
import proto from '@temporalio/proto';

/**
 * Encrypts every workflow payload (inputs, events, activity params and results, views) with
 * AES-256-GCM before it reaches Temporal, so personal data and codes lie in Temporal's history
 * only encrypted. The key id travels in the payload's metadata: the newest key encrypts, every
 * older key still decrypts, so keys rotate without touching running processes. Workflow ids,
 * search attributes and memos are not payloads and carry no personal data.
 */
const ENCRYPTED_ENCODING = 'binary/encrypted';
const KEY_ID = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const PayloadProto = proto.temporal.api.common.v1.Payload;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface EncryptionKey {
  readonly id: string;
  /** 32 bytes. */
  readonly key: Buffer;
}

export class PayloadDecryptionError extends Error {
  constructor(detail: string) {
    super(`Cannot decrypt a workflow payload: ${detail}`);
    this.name = 'PayloadDecryptionError';
  }
}

export class EncryptionCodec implements PayloadCodec {
  private readonly byId: ReadonlyMap<string, Buffer>;
  private readonly active: EncryptionKey;

  /** @param keys newest first: the first encrypts, all decrypt */
  constructor(keys: readonly EncryptionKey[]) {
    const [active] = keys;
    if (!active) throw new Error('The payload codec needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32)
        throw new Error(`Payload key ${id} must be 32 bytes, not ${key.length}`);
    }
    this.active = active;
    this.byId = new Map(keys.map(({ id, key }) => [id, key]));
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', this.active.key, iv);
      const plain = PayloadProto.encode(payload).finish();
      const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
      return {
        metadata: {
          [METADATA_ENCODING_KEY]: encoder.encode(ENCRYPTED_ENCODING),
          [KEY_ID]: encoder.encode(this.active.id),
        },
        data: Buffer.concat([iv, cipher.getAuthTag(), sealed]),
      };
    });
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const idBytes = payload.metadata?.[KEY_ID];
      const id = idBytes ? decoder.decode(idBytes) : '';
      const key = this.byId.get(id);
      if (!key) throw new PayloadDecryptionError(`no key with id "${id}" is configured`);
      const data = Buffer.from(payload.data ?? new Uint8Array());
      if (data.length < IV_BYTES + TAG_BYTES) throw new PayloadDecryptionError('it is truncated');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      try {
        const plain = Buffer.concat([
          decipher.update(data.subarray(IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]);
        return PayloadProto.decode(plain);
      } catch {
        throw new PayloadDecryptionError(
          `it was altered or key "${id}" is not the one it was sealed with`,
        );
      }
    });
  }
}

/** The data converter of every worker and client of a deployment. */
export const encryptedDataConverter = (keys: readonly EncryptionKey[]) => ({
  payloadCodecs: [new EncryptionCodec(keys)],
});
