import { randomBytes } from 'node:crypto';
import type { Pool } from '../db/pool.js';
import type { TransportPinLetterContent } from '../machines/card-v2.schema.js';
import {
  newDocumentKey,
  openChunk,
  sealChunk,
  SealError,
  unwrapKey,
  wrapKey,
  type MasterKey,
} from './sealing.js';

/**
 * The Transport-PIN letters card production hands over, sealed like documents (see
 * sealing.ts): each letter under its own key, the key wrapped by a master key. A letter is kept
 * only while a resend is possible; destroying it deletes content and key, so no backup can
 * open it afterwards. The process knows only the letter's id.
 */
export interface TransportPinLetterStore {
  /** Seals a letter for a card process; answers its new id (`TP-…`). */
  seal(processId: string, content: TransportPinLetterContent, at: Date): Promise<string>;
  /** The letter's content; undefined once destroyed (or never sealed). */
  open(letterId: string): Promise<TransportPinLetterContent | undefined>;
  /** Deletes content and key; again for the same letter: nothing more to do. */
  destroy(letterId: string, at: Date): Promise<void>;
}

const newLetterId = (): string => `TP-${randomBytes(16).toString('base64url')}`;

/** Bound into the sealing: a letter's key or content opens only as that letter. */
const binding = (letterId: string): string => `transport-pin-letter\u0000${letterId}`;

interface LetterRow {
  readonly master_key_id: string | null;
  readonly wrapped_key: Buffer | null;
  readonly sealed: Buffer | null;
}

export function createTransportPinLetterStore(options: {
  readonly pool: Pool;
  /** Newest first: the first seals new letters, all open. */
  readonly masterKeys: readonly MasterKey[];
}): TransportPinLetterStore {
  const { pool, masterKeys } = options;
  const [current] = masterKeys;
  if (!current) throw new Error('A letter store needs at least one master key');

  return {
    async seal(processId, content, at) {
      const id = newLetterId();
      const letterKey = newDocumentKey();
      const plain = Buffer.from(JSON.stringify(content), 'utf8');
      const sealed = sealChunk(letterKey, binding(id), 0, true, plain);
      const wrapped = wrapKey(current, binding(id), letterKey);
      letterKey.fill(0);
      plain.fill(0);
      await pool.query(
        `insert into transport_pin_letters (id, process_id, sealed_at, master_key_id,
           wrapped_key, sealed)
         values ($1, $2, $3, $4, $5, $6)`,
        [id, processId, at, current.id, wrapped, sealed],
      );
      return id;
    },

    async open(letterId) {
      const { rows } = await pool.query<LetterRow>(
        'select master_key_id, wrapped_key, sealed from transport_pin_letters where id = $1',
        [letterId],
      );
      const row = rows[0];
      if (!row?.sealed || !row.wrapped_key || !row.master_key_id) return undefined;
      const master = masterKeys.find((key) => key.id === row.master_key_id);
      if (!master) {
        throw new SealError(
          `Master key ${row.master_key_id} of letter ${letterId} is not configured`,
        );
      }
      const letterKey = unwrapKey(master, binding(letterId), row.wrapped_key);
      try {
        const plain = openChunk(letterKey, binding(letterId), 0, true, row.sealed);
        return JSON.parse(plain.toString('utf8')) as TransportPinLetterContent;
      } finally {
        letterKey.fill(0);
      }
    },

    async destroy(letterId, at) {
      await pool.query(
        `update transport_pin_letters
            set sealed = null, wrapped_key = null, master_key_id = null, destroyed_at = $2
          where id = $1 and destroyed_at is null`,
        [letterId, at],
      );
    },
  };
}
