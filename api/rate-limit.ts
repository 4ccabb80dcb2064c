import type { Request, RequestHandler } from 'express';
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Pool } from '../db/pool.js';
import { AppError } from './errors.js';

/**
 * Rate limits with `rate-limiter-flexible`. With a Postgres pool the budgets live in the table
 * `rate_limits`, shared by every API process on that database: a key has one budget however
 * many processes serve it. Should Postgres not answer, each process falls back to a budget of
 * the same size in its own memory (the library's insurance limiter): limits hold per process
 * during the outage, and no request fails for it. Without a pool (a single process, tests), the
 * budget lives in memory only.
 *
 * A budget is `burst` requests per window of `burst / perMinute` minutes: on average
 * `perMinute` a minute, at most `burst` at once (twice that across the edge of two windows).
 */
export interface RateLimitOptions {
  /** Sustained requests a minute (default 120). */
  readonly perMinute?: number;
  /** Requests allowed at once (default 60). */
  readonly burst?: number;
  /** Where the budgets live, shared by all API processes; default: this process's memory. */
  readonly pool?: Pool;
}

/** Created by migration `0009_rate_limits.sql`, in the shape the library expects. */
const TABLE = 'rate_limits';

interface Budget {
  readonly perMinute: number;
  readonly burst: number;
  readonly limiter: RateLimiterAbstract;
}

function budget(name: string, options: RateLimitOptions): Budget {
  const perMinute = options.perMinute ?? 120;
  const burst = options.burst ?? 60;
  if (!(perMinute > 0) || !(burst >= 1)) {
    throw new RangeError('rate limit: perMinute > 0 and burst >= 1 are required');
  }
  const shape = { keyPrefix: name, points: burst, duration: (burst * 60) / perMinute };
  const inMemory = new RateLimiterMemory(shape);
  const limiter = options.pool
    ? new RateLimiterPostgres({
        ...shape,
        storeClient: options.pool,
        storeType: 'pool',
        tableName: TABLE,
        tableCreated: true,
        clearExpiredByTimeout: true,
        insuranceLimiter: inMemory,
      })
    : inMemory;
  return { perMinute, burst, limiter };
}

interface LimiterSpec {
  /** The budget's name: each limiter counts apart from the others. */
  readonly name: string;
  /** The budget's owner; undefined: not limited. */
  readonly keyOf: (req: Request) => string | undefined;
  /** Methods counted; the rest pass free. */
  readonly methods?: ReadonlySet<string>;
  readonly what: (budget: Budget) => string;
}

function limiter(spec: LimiterSpec, options: RateLimitOptions): RequestHandler {
  const limits = budget(spec.name, options);
  return (req, _res, next) => {
    if (spec.methods && !spec.methods.has(req.method)) return next();
    const key = spec.keyOf(req);
    if (key === undefined) return next();
    limits.limiter.consume(key).then(
      () => next(),
      (refusal: unknown) => {
        // The insurance limiter stands in for an unreachable store, so anything else than a
        // refusal is a bug: the error path answers it.
        if (!(refusal instanceof RateLimiterRes)) return next(refusal);
        const retryAfterS = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
        next(
          new AppError(
            'rate-limited',
            429,
            `${spec.what(limits)}; try again in ${retryAfterS} s`,
            {},
            retryAfterS,
          ),
        );
      },
    );
  };
}

const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A what-if preview is POSTed but reads: it writes nothing, like the view it resembles. */
/** A preview writes nothing: an event's (what if) and a bulk action's. */
const isPreview = (req: Request): boolean => /\/(events|bulk-actions)\/preview$/.test(req.path);

/**
 * Limits the writes (POST, PUT, PATCH, DELETE) of each API key; reads (and previews of an
 * event or a bulk action) are never limited. Mount after `authenticate`: the budget belongs to
 * `req.caller.keyId` (without a caller, the client address).
 */
export function rateLimitWritesPerKey(options: RateLimitOptions = {}): RequestHandler {
  return limiter(
    {
      name: 'writes',
      keyOf: (req) =>
        isPreview(req)
          ? undefined
          : req.caller
            ? `key:${req.caller.keyId}`
            : `ip:${req.ip ?? 'unknown'}`,
      methods: WRITES,
      what: (b) => `Too many writes with this API key: ${b.perMinute} a minute, ${b.burst} at once`,
    },
    options,
  );
}

/**
 * Limits every request of each client address, for the public endpoints without API key. The
 * address is `req.ip`: behind a proxy, set Express' `trust proxy` so that it is the client's.
 * `name` keeps the budgets of different endpoints apart.
 */
export function rateLimitPerClientIp(
  options: RateLimitOptions = {},
  name = 'public',
): RequestHandler {
  return limiter(
    {
      name,
      keyOf: (req) => `ip:${req.ip ?? 'unknown'}`,
      what: (b) =>
        `Too many requests from this address: ${b.perMinute} a minute, ${b.burst} at once`,
    },
    options,
  );
}
