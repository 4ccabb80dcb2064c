import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Pool } from '../db/pool.js';
import { parseOrThrow } from './validation.js';

/**
 * The API keys, in Postgres table `api_keys`. A key is `pf_<a|o|c>_<43 base64url chars>` (32
 * random bytes); it is shown once when made and never stored: a row keeps only
 * HMAC-SHA256(pepper, key), the pepper being `deriveKey(PRAXISFLOW_SECRET, 'api-keys')`. Without
 * the pepper a copy of the table cannot even test a guessed key.
 */

export const ROLES = ['admin', 'operator', 'client'] as const;
export type Role = (typeof ROLES)[number];

/** Who calls: the holder of an API key. */
export interface Caller {
  /** Stable id of the API key, recorded as the actor of what it does. */
  readonly keyId: string;
  readonly role: Role;
  /** The practices a client key may act for; empty for admin and operator (they act for all). */
  readonly practices: readonly string[];
}

export interface ApiKeyInfo {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly practices: readonly string[];
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

const KEY_FORMAT = /^pf_[aoc]_[A-Za-z0-9_-]{32,128}$/;
const ID_FORMAT = /^key_[a-z2-7]{10}$/;
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

const practiceIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, '1 to 64 letters, digits, ".", "_" or "-"');

const newApiKeySchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200),
    role: z.enum(ROLES, { error: `must be one of ${ROLES.join(', ')}` }),
    practices: z.array(practiceIdSchema).max(1000).default([]),
    createdBy: z.string().trim().min(1).max(200),
  })
  .superRefine((value, context) => {
    if (value.role === 'client' && value.practices.length === 0) {
      context.addIssue({
        code: 'custom',
        path: ['practices'],
        message: 'a client key needs at least one practice',
      });
    }
    if (value.role !== 'client' && value.practices.length > 0) {
      context.addIssue({
        code: 'custom',
        path: ['practices'],
        message: `an ${value.role} key acts for all practices and lists none`,
      });
    }
  });

export type NewApiKey = z.input<typeof newApiKeySchema>;

/** The stored form of a presented key. */
function secretHash(pepper: string, key: string): Buffer {
  return createHmac('sha256', Buffer.from(pepper, 'base64url')).update(key, 'utf8').digest();
}

const newId = (): string =>
  `key_${Array.from(randomBytes(10), (byte) => BASE32[byte & 31]).join('')}`;

/** A key string that could be one of ours; anything else is refused without a look-up. */
export const looksLikeApiKey = (value: string): boolean => KEY_FORMAT.test(value);

/**
 * Makes a key and returns it in the clear: the only time it exists outside its holder's hands.
 * Throws a 422 AppError (with field errors) for invalid input.
 */
export async function createApiKey(
  pool: Pool,
  pepper: string,
  input: NewApiKey,
): Promise<{ id: string; key: string }> {
  const { name, role, practices, createdBy } = parseOrThrow(newApiKeySchema, input, 'The API key');
  const key = `pf_${role.charAt(0)}_${randomBytes(32).toString('base64url')}`;
  const id = newId();
  await pool.query(
    `insert into api_keys (id, name, role, practices, secret_hash, created_by)
     values ($1, $2, $3, $4, $5, $6)`,
    [id, name, role, [...new Set(practices)], secretHash(pepper, key), createdBy],
  );
  return { id, key };
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  practices: string[];
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** Every key, oldest first, revoked ones included; never their hashes. */
export async function listApiKeys(pool: Pool): Promise<ApiKeyInfo[]> {
  const { rows } = await pool.query<ApiKeyRow>(
    `select id, name, role, practices, created_at, created_by, revoked_at, last_used_at
     from api_keys order by created_at, id`,
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    role: row.role,
    practices: row.practices,
    createdAt: row.created_at,
    createdBy: row.created_by,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  }));
}

/**
 * Revokes a key for good (idempotent: a second revoke keeps the first time). Undefined when no
 * key has this id. API processes cache look-ups: the key stops working within their cache TTL.
 */
export async function revokeApiKey(
  pool: Pool,
  id: string,
): Promise<{ id: string; revokedAt: Date; alreadyRevoked: boolean } | undefined> {
  if (!ID_FORMAT.test(id)) return undefined;
  const { rows } = await pool.query<{ revoked_at: Date; revoked_before: Date | null }>(
    `update api_keys as k set revoked_at = coalesce(k.revoked_at, now())
     from (select id, revoked_at as revoked_before from api_keys where id = $1 for update) as old
     where k.id = old.id
     returning k.revoked_at, old.revoked_before`,
    [id],
  );
  const [row] = rows;
  return row && { id, revokedAt: row.revoked_at, alreadyRevoked: row.revoked_before !== null };
}

/** The holder of a presented key; undefined for an unknown or revoked key. */
export async function findApiKey(
  pool: Pool,
  pepper: string,
  presentedKey: string,
): Promise<Caller | undefined> {
  if (!looksLikeApiKey(presentedKey)) return undefined;
  const { rows } = await pool.query<{ id: string; role: Role; practices: string[] }>(
    'select id, role, practices from api_keys where secret_hash = $1 and revoked_at is null',
    [secretHash(pepper, presentedKey)],
  );
  const [row] = rows;
  return row && { keyId: row.id, role: row.role, practices: Object.freeze([...row.practices]) };
}

/** Records a use; at most once a minute per key, whichever API process asks. */
export async function markApiKeyUsed(pool: Pool, id: string): Promise<void> {
  await pool.query(
    `update api_keys set last_used_at = now()
     where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
    [id],
  );
}
