import type { Request, RequestHandler, Response } from 'express';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Caller } from '../../api/auth.js';
import { AppError, problemHandler } from '../../api/errors.js';
import {
  rateLimitPerClientIp,
  rateLimitWritesPerKey,
  type RateLimitOptions,
} from '../../api/rate-limit.js';

/** The clock the limiter reads (Date only: its own timers stay real), moved by hand. */
function manualClock() {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_000_000);
  return {
    advance(ms: number) {
      vi.setSystemTime(Date.now() + ms);
    },
  };
}
afterEach(() => {
  vi.useRealTimers();
});

interface Outcome {
  readonly error?: AppError;
}

/** One request through the middleware, as Express would hand it over. */
function hit(
  limiter: RequestHandler,
  request: { method?: string; keyId?: string; ip?: string; path?: string } = {},
): Promise<Outcome> {
  const caller: Caller | undefined = request.keyId
    ? { keyId: request.keyId, role: 'client', practices: ['BSNR-1'] }
    : undefined;
  const req = {
    method: request.method ?? 'POST',
    path: request.path ?? '/api/v1/processes/invitation-1/events',
    caller,
    ip: request.ip ?? '10.0.0.1',
  };
  return new Promise((resolve) => {
    void limiter(req as unknown as Request, {} as Response, (error?: unknown) => {
      resolve({ error: error as AppError | undefined });
    });
  });
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

async function hitTimes(limiter: RequestHandler, times: number, request = { keyId: 'key_a' }) {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < times; i += 1) outcomes.push(await hit(limiter, request));
  return outcomes;
}

const options = (extra: RateLimitOptions = {}) => ({ perMinute: 60, burst: 5, ...extra });

describe('the write rate limit per API key', () => {
  it('when a key spends its burst, then the next write gets 429 with the seconds to wait', async () => {
    manualClock();
    const limiter = rateLimitWritesPerKey(options());

    const burst = await hitTimes(limiter, 5);
    const refused = await hit(limiter, { keyId: 'key_a' });

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
    // 60 a minute, 5 at once: the budget is whole again when its 5-second window ends.
    expect(answer(refused.error!)).toMatchObject({
      status: 429,
      type: 'application/problem+json',
      headers: { 'retry-after': '5' },
      body: { type: 'urn:praxisflow:problem:rate-limited', title: 'Too Many Requests' },
    });
  });

  it('when the window has passed, then the key has its burst again, and never more', async () => {
    const clock = manualClock();
    const limiter = rateLimitWritesPerKey(options());
    await hitTimes(limiter, 5);

    clock.advance(2_000);
    const withinTheWindow = await hit(limiter, { keyId: 'key_a' });
    clock.advance(3_000);
    const nextWindow = await hitTimes(limiter, 6);
    clock.advance(10 * 60_000);
    const afterTenMinutes = await hitTimes(limiter, 6);

    expect(withinTheWindow.error?.status).toBe(429);
    expect(withinTheWindow.error?.retryAfter).toBe(3);
    for (const outcomes of [nextWindow, afterTenMinutes]) {
      expect(outcomes.map((outcome) => outcome.error?.status)).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        429,
      ]);
    }
  });

  it('when Retry-After says n seconds, then after n seconds the write passes', async () => {
    const clock = manualClock();
    const limiter = rateLimitWritesPerKey(options({ perMinute: 6, burst: 1 }));
    await hit(limiter, { keyId: 'key_a' });

    const refused = await hit(limiter, { keyId: 'key_a' });
    clock.advance((refused.error?.retryAfter ?? 0) * 1000);
    const retried = await hit(limiter, { keyId: 'key_a' });

    expect(refused.error?.retryAfter).toBe(10);
    expect(retried.error).toBeUndefined();
  });

  it('when two keys write, then each has its own budget', async () => {
    manualClock();
    const limiter = rateLimitWritesPerKey(options());
    await hitTimes(limiter, 5, { keyId: 'key_a' });

    const otherKey = await hitTimes(limiter, 5, { keyId: 'key_b' });
    const firstKeyAgain = await hit(limiter, { keyId: 'key_a' });

    expect(otherKey.every((outcome) => outcome.error === undefined)).toBe(true);
    expect(firstKeyAgain.error?.status).toBe(429);
  });

  it('when a key reads or previews an event, then it is never limited, even with its write budget spent', async () => {
    manualClock();
    const limiter = rateLimitWritesPerKey(options());
    await hitTimes(limiter, 5);

    const reads: Outcome[] = [];
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      for (let i = 0; i < 20; i += 1) reads.push(await hit(limiter, { method, keyId: 'key_a' }));
    }
    // A preview of an event is POSTed but writes nothing.
    const preview = '/api/v1/processes/invitation-1/events/preview';
    for (let i = 0; i < 20; i += 1) {
      reads.push(await hit(limiter, { method: 'POST', keyId: 'key_a', path: preview }));
    }
    const writes: Outcome[] = [];
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      writes.push(await hit(limiter, { method, keyId: 'key_a' }));
    }

    expect(reads.every((outcome) => outcome.error === undefined)).toBe(true);
    expect(writes.map((outcome) => outcome.error?.status)).toEqual([429, 429, 429, 429]);
  });
});

describe('the rate limit per client address', () => {
  it('when one address spends its burst, then it gets 429 and another address does not', async () => {
    manualClock();
    const limiter = rateLimitPerClientIp(options({ burst: 2 }));

    const first = [
      await hit(limiter, { method: 'GET', ip: '192.0.2.7' }),
      await hit(limiter, { ip: '192.0.2.7' }),
    ];
    const third = await hit(limiter, { method: 'GET', ip: '192.0.2.7' });
    const other = await hit(limiter, { method: 'GET', ip: '198.51.100.9' });

    expect(first.map((outcome) => outcome.error)).toEqual([undefined, undefined]);
    expect(third.error?.status).toBe(429);
    expect(third.error?.retryAfter).toBe(2);
    expect(other.error).toBeUndefined();
  });

  it('when two endpoints limit by address, then each counts apart', async () => {
    manualClock();
    const lookups = rateLimitPerClientIp(options({ burst: 1 }), 'application-status');
    const downloads = rateLimitPerClientIp(options({ burst: 1 }), 'document-download');

    await hit(lookups, { ip: '192.0.2.7' });
    const download = await hit(downloads, { ip: '192.0.2.7' });

    expect(download.error).toBeUndefined();
  });
});
