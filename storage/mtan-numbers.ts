import type { Pool } from '../db/pool.js';

/**
 * The mobile numbers confirmed for the mTAN procedure (Registrierung zum mTAN-Verfahren), by
 * physician (HÄVG-ID and LANR) and practice: the registration process writes them, the
 * document downloads read them. Only a confirmed number is ever here.
 */

interface PhysicianIdentity {
  readonly practiceId: string;
  readonly haevgId: string;
  readonly lanr: string;
}

interface ConfirmedNumber extends PhysicianIdentity {
  readonly mobile: string;
  readonly processId: string;
  readonly confirmedAt: Date;
}

export interface MtanNumberStore {
  /** Records a confirmed number; an older confirmation (a retry) never replaces a newer one. */
  confirm(number: ConfirmedNumber): Promise<void>;
  /** The number mTANs go to (E.164), or null when the physician never confirmed one. */
  confirmedNumber(physician: PhysicianIdentity): Promise<string | null>;
}

export function createMtanNumberStore(pool: Pool): MtanNumberStore {
  return {
    async confirm(number) {
      await pool.query(
        `insert into mtan_numbers (practice_id, haevg_id, lanr, mobile, process_id, confirmed_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (practice_id, haevg_id, lanr) do update set
           mobile = excluded.mobile, process_id = excluded.process_id,
           confirmed_at = excluded.confirmed_at
         where mtan_numbers.confirmed_at <= excluded.confirmed_at`,
        [
          number.practiceId,
          number.haevgId,
          number.lanr,
          number.mobile,
          number.processId,
          number.confirmedAt,
        ],
      );
    },

    async confirmedNumber(physician) {
      const { rows } = await pool.query<{ mobile: string }>(
        `select mobile from mtan_numbers
         where practice_id = $1 and haevg_id = $2 and lanr = $3`,
        [physician.practiceId, physician.haevgId, physician.lanr],
      );
      return rows[0]?.mobile ?? null;
    },
  };
}
