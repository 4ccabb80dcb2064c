import type { Request, RequestHandler, Response } from 'express';
import { describe, expect, it } from 'vitest';
import type { Caller } from '../../api/auth.js';
import { AppError, problemHandler } from '../../api/errors.js';
import {
  rateLimitPerClientIp,
  rateLimitWritesPerKey,
  type RateLimitOptions,
} from '../../api/rate-limit.js';

/** A clock the test moves by hand. */
function manualClock() {
  let nowMs = 1_000_000;
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
  };
}

interface Outcome {
  readonly error?: AppError;
}

/** One request through the middleware, as Express would hand it over. */
function hit(
  limiter: RequestHandler,
  request: { method?: string; keyId?: string; ip?: string } = {},
): Outcome {
  const caller: Caller | undefined = request.keyId
    ? { keyId: request.keyId, role: 'client', practices: ['BSNR-1'] }
    : undefined;
  const req = { method: request.method ?? 'POST', caller, ip: request.ip ?? '10.0.0.1' };
  let outcome: Outcome | undefined;
  void limiter(req as unknown as Request, {} as Response, (error?: unknown) => {
    outcome = { error: error as AppError | undefined };
  });
  if (!outcome) throw new Error('the limiter neither passed nor refused the request');
  return outcome;
}

/** The answer the API's one error path makes of an error. */
function answer(error: AppError) {
  const sent = { status: 0, headers: {} as Record<string, string>, type: '', body: {} };
  const res = {
    set(name: string, value: string) {
      sent.headers[name.toLowerCase()] = value;
      return res;
    },
    status(status: number) {
      sent.status = status;
      return res;
    },
    type(type: string) {
      sent.type = type;
      return res;
    },
    json(body: object) {
      sent.body = body;
      return res;
    },
  };
  const req = { method: 'POST', path: '/x', originalUrl: '/x' };
  problemHandler(error, req as Request, res as unknown as Response, () => undefined);
  return sent;
}

function hitTimes(limiter: RequestHandler, times: number, request = { keyId: 'key_a' }) {
  return Array.from({ length: times }, () => hit(limiter, request));
}

const options = (clock: ReturnType<typeof manualClock>, extra: RateLimitOptions = {}) => ({
  perMinute: 60,
  burst: 5,
  now: clock.now,
  ...extra,
});

describe('the write rate limit per API key', () => {
  it('when a key spends its burst, then the next write gets 429 with the seconds to wait', () => {
    const clock = manualClock();
    const limiter = rateLimitWritesPerKey(options(clock));

    const burst = hitTimes(limiter, 5);
    const refused = hit(limiter, { keyId: 'key_a' });

    expect(burst.map((outcome) => outcome.error)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(refused.error).toBeInstanceOf(AppError);
    expect(refused.error?.status).toBe(429);
    expect(refused.error?.code).toBe('rate-limited');
    // 60 a minute: the next token is one second away.
    expect(answer(refused.error!)).toMatchObject({
      status: 429,
      type: 'application/problem+json',
      headers: { 'retry-after': '1' },
      body: { type: 'urn:praxisflow:problem:rate-limited', title: 'Too Many Requests' },
    });
  });

  it('when time passes, then the bucket refills at the configured rate, up to the burst', () => {
    const clock = manualClock();
    const limiter = rateLimitWritesPerKey(options(clock));
    hitTimes(limiter, 5);

    clock.advance(2_000);
    const afterTwoSeconds = hitTimes(limiter, 3);
    clock.advance(10 * 60_000);
    const afterTenMinutes = hitTimes(limiter, 6);

    expect(afterTwoSeconds.map((outcome) => outcome.error?.status)).toEqual([
      undefined,
      undefined,
      429,
    ]);
    expect(afterTenMinutes.map((outcome) => outcome.error?.status)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      429,
    ]);
  });

  it('when Retry-After says n seconds, then after n seconds the write passes', () => {
    const clock = manualClock();
    const limiter = rateLimitWritesPerKey(options(clock, { perMinute: 6, burst: 1 }));
    hit(limiter, { keyId: 'key_a' });

    const refused = hit(limiter, { keyId: 'key_a' });
    clock.advance((refused.error?.retryAfter ?? 0) * 1000);
    const retried = hit(limiter, { keyId: 'key_a' });

    expect(refused.error?.retryAfter).toBe(10);
    expect(retried.error).toBeUndefined();
  });

  it('when two keys write, then each has its own budget', () => {
    const clock = manualClock();
    const limiter = rateLimitWritesPerKey(options(clock));
    hitTimes(limiter, 5, { keyId: 'key_a' });

    const otherKey = hitTimes(limiter, 5, { keyId: 'key_b' });
    const firstKeyAgain = hit(limiter, { keyId: 'key_a' });

    expect(otherKey.every((outcome) => outcome.error === undefined)).toBe(true);
    expect(firstKeyAgain.error?.status).toBe(429);
  });

  it('when a key reads, then it is never limited, even with its write budget spent', () => {
    const clock = manualClock();
    const limiter = rateLimitWritesPerKey(options(clock));
    hitTimes(limiter, 5);

    const reads = ['GET', 'HEAD', 'OPTIONS'].flatMap((method) =>
      Array.from({ length: 20 }, () => hit(limiter, { method, keyId: 'key_a' })),
    );
    const writes = ['POST', 'PUT', 'PATCH', 'DELETE'].map((method) =>
      hit(limiter, { method, keyId: 'key_a' }),
    );

    expect(reads.every((outcome) => outcome.error === undefined)).toBe(true);
    expect(writes.map((outcome) => outcome.error?.status)).toEqual([429, 429, 429, 429]);
  });

  it('when more keys write than buckets are kept, then memory stays bounded and limits still hold', () => {
    const clock = manualClock();
    const limiter = rateLimitWritesPerKey(options(clock, { maxBuckets: 3 }));
    hitTimes(limiter, 5, { keyId: 'key_a' });

    // Three other keys push key_a's spent bucket out: it starts afresh (the documented cost).
    for (const keyId of ['key_b', 'key_c', 'key_d']) hit(limiter, { keyId });
    const evicted = hit(limiter, { keyId: 'key_a' });
    const stillCounted = hitTimes(limiter, 5, { keyId: 'key_d' });

    expect(evicted.error).toBeUndefined();
    expect(stillCounted.map((outcome) => outcome.error?.status)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      429,
    ]);
  });
});

describe('the rate limit per client address', () => {
  it('when one address spends its burst, then it gets 429 and another address does not', () => {
    const clock = manualClock();
    const limiter = rateLimitPerClientIp(options(clock, { burst: 2 }));

    const first = [
      hit(limiter, { method: 'GET', ip: '192.0.2.7' }),
      hit(limiter, { ip: '192.0.2.7' }),
    ];
    const third = hit(limiter, { method: 'GET', ip: '192.0.2.7' });
    const other = hit(limiter, { method: 'GET', ip: '198.51.100.9' });

    expect(first.map((outcome) => outcome.error)).toEqual([undefined, undefined]);
    expect(third.error?.status).toBe(429);
    expect(third.error?.retryAfter).toBe(1);
    expect(other.error).toBeUndefined();
  });
});
