import type { Request, RequestHandler } from 'express';
import { AppError } from './errors.js';

/**
 * Token buckets in the memory of one API process: each key may spend `burst` requests at once,
 * and the bucket refills at `perMinute`. With N API processes behind a load balancer a key gets
 * up to N times the budget — this guards each process against a runaway client; it is no
 * quota. Memory is bounded: a bucket idle long enough to be full again is the same as none and
 * is dropped; past `maxBuckets` the least recently used bucket goes too.
 */
export interface RateLimitOptions {
  /** Sustained requests a minute (default 120). */
  readonly perMinute?: number;
  /** Requests allowed at once on a full bucket (default 60). */
  readonly burst?: number;
  /** Buckets kept at most (default 10,000). */
  readonly maxBuckets?: number;
  /** The clock in ms, for tests. */
  readonly now?: () => number;
}

type Take = { readonly allowed: true } | { readonly allowed: false; readonly retryAfterS: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  readonly perMinute: number;
  readonly burst: number;
  private readonly perMs: number;
  private readonly refillMs: number;
  private readonly maxBuckets: number;
  private readonly now: () => number;

  constructor(options: RateLimitOptions) {
    this.perMinute = options.perMinute ?? 120;
    this.burst = options.burst ?? 60;
    this.maxBuckets = options.maxBuckets ?? 10_000;
    this.now = options.now ?? Date.now;
    if (!(this.perMinute > 0) || !(this.burst >= 1) || !(this.maxBuckets >= 1)) {
      throw new RangeError(
        'rate limit: perMinute > 0, burst >= 1 and maxBuckets >= 1 are required',
      );
    }
    this.perMs = this.perMinute / 60_000;
    this.refillMs = this.burst / this.perMs;
  }

  take(key: string): Take {
    const now = this.now();
    this.dropIdle(now);
    const bucket = this.buckets.get(key);
    const tokens = bucket
      ? Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.updatedAt) * this.perMs)
      : this.burst;
    // Re-inserted on every use: the map's order is least recently used first.
    this.buckets.delete(key);
    if (tokens >= 1) {
      this.insert(key, { tokens: tokens - 1, updatedAt: now });
      return { allowed: true };
    }
    this.insert(key, { tokens, updatedAt: now });
    return {
      allowed: false,
      retryAfterS: Math.max(1, Math.ceil((1 - tokens) / this.perMs / 1000)),
    };
  }

  /** Buckets that have refilled completely carry no state; the oldest are first in the map. */
  private dropIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.updatedAt < this.refillMs) return;
      this.buckets.delete(key);
    }
  }

  private insert(key: string, bucket: Bucket): void {
    if (this.buckets.size >= this.maxBuckets) {
      const first = this.buckets.keys().next();
      if (!first.done) this.buckets.delete(first.value);
    }
    this.buckets.set(key, bucket);
  }
}

interface LimiterSpec {
  /** The budget's owner; undefined: not limited. */
  readonly keyOf: (req: Request) => string | undefined;
  /** Methods counted; the rest pass free. */
  readonly methods?: ReadonlySet<string>;
  readonly what: (buckets: TokenBuckets) => string;
}

function limiter(spec: LimiterSpec, options: RateLimitOptions): RequestHandler {
  const buckets = new TokenBuckets(options);
  return (req, _res, next) => {
    if (spec.methods && !spec.methods.has(req.method)) return next();
    const key = spec.keyOf(req);
    if (key === undefined) return next();
    const take = buckets.take(key);
    if (take.allowed) return next();
    next(
      new AppError(
        'rate-limited',
        429,
        `${spec.what(buckets)}; try again in ${take.retryAfterS} s`,
        {},
        take.retryAfterS,
      ),
    );
  };
}

const WRITES: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Limits the writes (POST, PUT, PATCH, DELETE) of each API key; reads are never limited. Mount
 * after `authenticate`: the budget belongs to `req.caller.keyId` (without a caller, the client
 * address).
 */
export function rateLimitWritesPerKey(options: RateLimitOptions = {}): RequestHandler {
  return limiter(
    {
      keyOf: (req) => (req.caller ? `key:${req.caller.keyId}` : `ip:${req.ip ?? 'unknown'}`),
      methods: WRITES,
      what: (b) => `Too many writes with this API key: ${b.perMinute} a minute, ${b.burst} at once`,
    },
    options,
  );
}

/**
 * Limits every request of each client address, for the public endpoints without API key. The
 * address is `req.ip`: behind a proxy, set Express' `trust proxy` so that it is the client's.
 */
export function rateLimitPerClientIp(options: RateLimitOptions = {}): RequestHandler {
  return limiter(
    {
      keyOf: (req) => `ip:${req.ip ?? 'unknown'}`,
      what: (b) =>
        `Too many requests from this address: ${b.perMinute} a minute, ${b.burst} at once`,
    },
    options,
  );
}
