import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of documents: every document has its own random 256-bit key; the key is
 * stored only wrapped by a master key (AES-256-GCM, bound to the document id), and the content
 * is sealed in chunks with the document's key (AES-256-GCM, each chunk bound to its document,
 * its position and whether it is the last, so chunks cannot be swapped, reordered or cut off).
 */

export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SealError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SealError';
  }
}

export const newDocumentKey = (): Buffer => randomBytes(32);

/** `iv | tag | wrapped key`. */
export function wrapKey(master: MasterKey, documentId: string, documentKey: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', master.key, iv);
  cipher.setAAD(Buffer.from(`praxisflow document key\u0000${documentId}`));
  const wrapped = Buffer.concat([cipher.update(documentKey), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), wrapped]);
}

export function unwrapKey(master: MasterKey, documentId: string, sealed: Buffer): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', master.key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(`praxisflow document key\u0000${documentId}`));
    decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new SealError(
      `The key of document ${documentId} does not open with master key ${master.id}`,
    );
  }
}

/** The chunk's number as nonce: a document key seals each position exactly once. */
function chunkIv(seq: number): Buffer {
  const iv = Buffer.alloc(IV_BYTES);
  iv.writeUInt32BE(seq, IV_BYTES - 4);
  return iv;
}

const chunkAad = (documentId: string, seq: number, last: boolean): Buffer =>
  Buffer.from(`praxisflow document chunk\u0000${documentId}\u0000${seq}\u0000${last ? 1 : 0}`);

/** `ciphertext | tag`. */
export function sealChunk(
  documentKey: Buffer,
  documentId: string,
  seq: number,
  last: boolean,
  plain: Buffer,
): Buffer {
  const cipher = createCipheriv('aes-256-gcm', documentKey, chunkIv(seq));
  cipher.setAAD(chunkAad(documentId, seq, last));
  return Buffer.concat([cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

export function openChunk(
  documentKey: Buffer,
  documentId: string,
  seq: number,
  last: boolean,
  sealed: Buffer,
): Buffer {
  try {
    const decipher = createDecipheriv('aes-256-gcm', documentKey, chunkIv(seq));
    decipher.setAAD(chunkAad(documentId, seq, last));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    throw new SealError(`Chunk ${seq} of document ${documentId} is damaged or out of place`);
  }
}
