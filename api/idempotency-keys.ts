import { randomUUID } from 'node:crypto';
import type { Pool } from '../db/pool.js';

/**
 * The rows of `idempotency_keys` (migration 0014): who claimed an idempotency key of an API
 * key, and what the first request answered. Postgres decides between concurrent requests, so
 * any number of API processes share the keys.
 */

/** How long an idempotency key counts, from its first request. */
const KEPT_HOURS = 24;
/** Expired rows deleted by each new claim: cleaning keeps pace with writing, in small steps. */
const CLEANED_PER_CLAIM = 100;

export interface RequestFingerprint {
  readonly keyId: string;
  readonly idempotencyKey: string;
  /** `POST /api/v1/processes/invitation`. */
  readonly request: string;
  /** SHA-256 of the raw body bytes. */
  readonly bodySha256: Buffer;
}

export interface StoredAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Sealed by the caller: the store never sees an answer in clear. */
  readonly bodySealed: string;
}

/** What a request with an idempotency key finds. */
type Claim =
  /** It is the first (or the key expired, or its first request was abandoned): run it. */
  | { readonly kind: 'claimed'; readonly claim: string }
  /** The key was used for another request (method, path or body). */
  | { readonly kind: 'mismatch' }
  /** The first request still runs. */
  | { readonly kind: 'running' }
  /** The first request answered this. */
  | { readonly kind: 'answered'; readonly answer: StoredAnswer };

interface Row {
  readonly request: string;
  readonly body_sha256: Buffer;
  readonly status: number | null;
  readonly headers: Record<string, string> | null;
  readonly body_sealed: string | null;
}

export function idempotencyKeys(pool: Pool, options: { readonly claimMs: number }) {
  const expired = `now() - interval '${KEPT_HOURS} hours'`;
  return {
    /**
     * Claims the key for this request, or says what holds it. A row past 24 h counts as none; a
     * claim past `claimMs` without an answer (its process died) is taken over by the same
     * request only: another body is still a mismatch.
     */
    async claim(request: RequestFingerprint): Promise<Claim> {
      const claim = randomUUID();
      // Twice at most: a row read as holding the key may expire or be released in between.
      for (let attempt = 0; attempt < 2; attempt++) {
        const claimed = await pool.query(
          `insert into idempotency_keys
                  (key_id, idempotency_key, request, body_sha256, claim, claimed_until)
           values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6))
           on conflict (key_id, idempotency_key) do update
              set request = excluded.request, body_sha256 = excluded.body_sha256,
                  claim = excluded.claim, claimed_until = excluded.claimed_until,
                  status = null, headers = null, body_sealed = null, created_at = now()
            where idempotency_keys.created_at <= ${expired}
               or (idempotency_keys.status is null
                   and idempotency_keys.claimed_until <= now()
                   and idempotency_keys.request = excluded.request
                   and idempotency_keys.body_sha256 = excluded.body_sha256)
           returning claim`,
          [
            request.keyId,
            request.idempotencyKey,
            request.request,
            request.bodySha256,
            claim,
            options.claimMs / 1000,
          ],
        );
        if (claimed.rowCount) {
          // Cleaning is housekeeping: the claim stands whether or not it succeeds.
          await deleteExpired(pool).catch(() => undefined);
          return { kind: 'claimed', claim };
        }
        const { rows } = await pool.query<Row>(
          `select request, body_sha256, status, headers, body_sealed from idempotency_keys
            where key_id = $1 and idempotency_key = $2 and created_at > ${expired}`,
          [request.keyId, request.idempotencyKey],
        );
        const row = rows[0];
        if (!row) continue;
        if (row.request !== request.request || !row.body_sha256.equals(request.bodySha256)) {
          return { kind: 'mismatch' };
        }
        if (row.status === null || row.body_sealed === null) return { kind: 'running' };
        return {
          kind: 'answered',
          answer: { status: row.status, headers: row.headers ?? {}, bodySealed: row.body_sealed },
        };
      }
      return { kind: 'running' };
    },

    /** Keeps the answer of a claimed request (unless its claim was taken over meanwhile). */
    async answer(request: RequestFingerprint, claim: string, answer: StoredAnswer): Promise<void> {
      await pool.query(
        `update idempotency_keys
            set status = $4, headers = $5, body_sealed = $6, claim = null, claimed_until = null
          where key_id = $1 and idempotency_key = $2 and claim = $3`,
        [
          request.keyId,
          request.idempotencyKey,
          claim,
          answer.status,
          JSON.stringify(answer.headers),
          answer.bodySealed,
        ],
      );
    },

    /** Gives the key up: the request failed in a way a retry should really run again. */
    async release(request: RequestFingerprint, claim: string): Promise<void> {
      await pool.query(
        `delete from idempotency_keys where key_id = $1 and idempotency_key = $2 and claim = $3`,
        [request.keyId, request.idempotencyKey, claim],
      );
    },
  };
}

/** Deletes a bounded batch of expired rows; rows another process is deleting are skipped. */
async function deleteExpired(pool: Pool): Promise<void> {
  await pool.query(
    `delete from idempotency_keys
      where (key_id, idempotency_key) in (
        select key_id, idempotency_key from idempotency_keys
         where created_at <= now() - interval '${KEPT_HOURS} hours'
         order by created_at limit ${CLEANED_PER_CLAIM}
           for update skip locked)`,
  );
}
