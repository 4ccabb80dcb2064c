import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Pool } from '../db/pool.js';
import { findApiKey, looksLikeApiKey, markApiKeyUsed, type Caller, type Role } from './api-keys.js';
import { AppError, unavailable } from './errors.js';

export type { Caller, Role } from './api-keys.js';

declare module 'express-serve-static-core' {
  interface Request {
    caller?: Caller;
  }
}

export interface AuthenticateOptions {
  readonly pool: Pool;
  /** `deriveKey(PRAXISFLOW_SECRET, 'api-keys')`: the key of the stored HMACs. */
  readonly pepper: string;
  /** PRAXISFLOW_ADMIN_KEY: an admin key from the environment, valid without a row. */
  readonly bootstrapAdminKey?: string;
  /** How long a look-up (found or not) is trusted, at most (and by default) 10 s. */
  readonly cacheTtlMs?: number;
  /** Look-ups kept at most; the oldest go first. */
  readonly cacheMaxEntries?: number;
  /** The clock, for tests. */
  readonly now?: () => number;
}

const MAX_CACHE_TTL_MS = 10_000;
const LAST_USED_INTERVAL_MS = 60_000;
const RETRY_AFTER_SECONDS = 5;

const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

/** A map whose entries expire, bounded in size: when full, the entry inserted first goes. */
class ExpiringMap<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly expiresAt: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: K, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > now) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /** With one TTL for all, insertion order is expiry order: the first entry expires first. */
  set(key: K, value: V, expiresAt: number): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const first = this.entries.keys().next();
      if (!first.done) this.entries.delete(first.value);
    }
    this.entries.set(key, { value, expiresAt });
  }
}

/** The id the bootstrap admin key acts under (it has no row): from its hash, never the key. */
export const bootstrapKeyId = (key: string): string =>
  `key-${digest(key).toString('hex').slice(0, 12)}`;

function bearerKey(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
}

function unauthorized(res: Response): AppError {
  res.set('WWW-Authenticate', 'Bearer realm="praxisflow"');
  return new AppError(
    'unauthorized',
    401,
    'A valid API key is required: Authorization: Bearer <key>',
  );
}

/**
 * Who calls: `Authorization: Bearer <key>`, either the bootstrap admin key of the environment
 * (compared timing-safe; only its hash stays in memory) or a key of the `api_keys` table.
 *
 * Look-ups are cached in this process, found and not found alike, for `cacheTtlMs` (at most
 * 10 s, bounded to `cacheMaxEntries`): a revoked key stops working within 10 s on every API
 * process, and a flood of wrong keys costs Postgres one query per distinct key per 10 s.
 * `last_used_at` is written at most once a minute per key, without waiting for it.
 * Postgres down: 503 with Retry-After, never a guess.
 */
export function authenticate(options: AuthenticateOptions): RequestHandler {
  const { pool, pepper } = options;
  const ttlMs = Math.min(Math.max(options.cacheTtlMs ?? MAX_CACHE_TTL_MS, 0), MAX_CACHE_TTL_MS);
  const now = options.now ?? Date.now;
  const maxEntries = options.cacheMaxEntries ?? 10_000;
  const lookups = new ExpiringMap<string, Caller | null>(maxEntries);
  const recentlyMarked = new ExpiringMap<string, true>(maxEntries);

  const bootstrapDigest = options.bootstrapAdminKey ? digest(options.bootstrapAdminKey) : undefined;
  const bootstrapCaller: Caller | undefined = options.bootstrapAdminKey
    ? {
        keyId: bootstrapKeyId(options.bootstrapAdminKey),
        role: 'admin',
        practices: Object.freeze([]),
      }
    : undefined;

  const markUsed = (keyId: string): void => {
    if (recentlyMarked.get(keyId, now())) return;
    recentlyMarked.set(keyId, true, now() + LAST_USED_INTERVAL_MS);
    markApiKeyUsed(pool, keyId).catch(() => undefined);
  };

  return async (req, res, next) => {
    const presented = bearerKey(req.get('authorization'));
    if (!presented) return next(unauthorized(res));
    const presentedDigest = digest(presented);
    if (bootstrapDigest && bootstrapCaller && timingSafeEqual(presentedDigest, bootstrapDigest)) {
      req.caller = bootstrapCaller;
      return next();
    }
    if (!looksLikeApiKey(presented)) return next(unauthorized(res));

    const cacheKey = presentedDigest.toString('base64');
    let caller = lookups.get(cacheKey, now());
    if (caller === undefined) {
      try {
        caller = (await findApiKey(pool, pepper, presented)) ?? null;
      } catch (error) {
        console.error(
          'api: API key look-up failed:',
          error instanceof Error ? error.message : error,
        );
        return next(unavailable('The API key store (Postgres)', RETRY_AFTER_SECONDS));
      }
      if (ttlMs > 0) lookups.set(cacheKey, caller, now() + ttlMs);
    }
    if (!caller) return next(unauthorized(res));
    markUsed(caller.keyId);
    req.caller = caller;
    next();
  };
}

export function callerOf(req: { caller?: Caller }): Caller {
  if (!req.caller) throw new AppError('unauthorized', 401, 'A valid API key is required');
  return req.caller;
}

/** Lets only these roles pass: 403 for the others (the route as such is no secret). */
export function requireRole(...roles: readonly Role[]): RequestHandler {
  return (req, _res, next) => {
    const { role } = callerOf(req);
    if (roles.includes(role)) return next();
    next(new AppError('forbidden', 403, `This needs an API key of role ${roles.join(' or ')}`));
  };
}

/**
 * May the caller see or act on what belongs to this practice? Admins and operators: always.
 * Clients: only for their own practices, so a process without a practice is invisible to them.
 * (Routes answer 404, not 403, when it is not theirs: ids are not confirmed to strangers.)
 */
export function mayActForPractice(caller: Caller, practiceId: string | null): boolean {
  if (caller.role !== 'client') return true;
  return practiceId !== null && caller.practices.includes(practiceId);
}

/** The practices a list is restricted to; undefined: all of them. */
export function practiceScope(caller: Caller): readonly string[] | undefined {
  return caller.role === 'client' ? caller.practices : undefined;
}
