import { hash, verify } from '@node-rs/argon2';
import type { Pool } from '../db/pool.js';

/**
 * Portal credentials sent by post: the password exists in the clear only in the letter; here
 * only its argon2id hash (peppered with the deployment secret). The newest letter replaces the
 * hash of every earlier one; five wrong passwords in a row lock the access until the next
 * letter.
 */

const MAX_FAILED_SIGN_INS = 5;

type CredentialCheck =
  | { readonly outcome: 'valid'; readonly practiceId: string; readonly letter: number }
  | { readonly outcome: 'invalid' | 'locked' };

interface IssuedCredentials {
  readonly userName: string;
  readonly practiceId: string;
  readonly processId: string;
  /** The letter's number: a write of an older letter never replaces a newer one. */
  readonly letter: number;
  readonly issuedAt: Date;
}

export interface CredentialStore {
  /** Stores the hash of a letter's password; again for the same letter: the same result. */
  issue(credentials: IssuedCredentials, password: string): Promise<void>;
  /** Checks a sign-in; counts a wrong password. Unknown, revoked or another practice: invalid. */
  check(
    userName: string,
    password: string,
    practices?: readonly string[],
  ): Promise<CredentialCheck>;
  /** Removes the hash for good (the access is closed). */
  revoke(userName: string, at: Date): Promise<void>;
}

export function createCredentialStore(pool: Pool, pepper: string): CredentialStore {
  const secret = Buffer.from(pepper);
  // An unknown user name costs the same argon2 work as a known one.
  const decoy = hash('not a password of anybody', { secret });

  return {
    async issue(credentials, password) {
      const passwordHash = await hash(password, { secret });
      await pool.query(
        `insert into credentials (user_name, practice_id, process_id, password_hash, letter,
           issued_at)
         values ($1, $2, $3, $4, $5, $6)
         on conflict (user_name) do update set
           password_hash = excluded.password_hash, letter = excluded.letter,
           issued_at = excluded.issued_at, failed_attempts = 0, locked_at = null
         where credentials.letter < excluded.letter and credentials.revoked_at is null`,
        [
          credentials.userName,
          credentials.practiceId,
          credentials.processId,
          passwordHash,
          credentials.letter,
          credentials.issuedAt,
        ],
      );
    },

    async check(userName, password, practices) {
      // The attempt is counted (and the access locked at the fifth) in one statement before
      // the hash is looked at: sign-ins at the same moment cannot all pass the check.
      const { rows } = await pool.query<{
        password_hash: string;
        practice_id: string;
        letter: number;
        locked: boolean;
      }>(
        `update credentials set failed_attempts = failed_attempts + 1,
           locked_at = case when failed_attempts + 1 >= $2 then now() else locked_at end
         where user_name = $1 and password_hash is not null and locked_at is null
           and ($3::text[] is null or practice_id = any($3))
         returning password_hash, practice_id, letter, locked_at is not null as locked`,
        [userName, MAX_FAILED_SIGN_INS, practices ? [...practices] : null],
      );
      const attempt = rows[0];
      if (!attempt) {
        // Unknown, closed, another practice's, or locked: the same argon2 work, no check.
        await verify(await decoy, password, { secret }).catch(() => false);
        const { rows: locked } = await pool.query(
          `select 1 from credentials where user_name = $1 and password_hash is not null
             and locked_at is not null and ($2::text[] is null or practice_id = any($2))`,
          [userName, practices ? [...practices] : null],
        );
        return { outcome: locked.length > 0 ? 'locked' : 'invalid' };
      }
      const matches = await verify(attempt.password_hash, password, { secret }).catch(() => false);
      if (!matches) return { outcome: attempt.locked ? 'locked' : 'invalid' };
      // The right password: the attempt counted above was no failure, nor the lock it set.
      await pool.query(
        `update credentials set failed_attempts = 0, locked_at = null, last_verified_at = now()
         where user_name = $1`,
        [userName],
      );
      return { outcome: 'valid', practiceId: attempt.practice_id, letter: attempt.letter };
    },

    async revoke(userName, at) {
      await pool.query(
        'update credentials set password_hash = null, revoked_at = $2 where user_name = $1',
        [userName, at],
      );
    },
  };
}
