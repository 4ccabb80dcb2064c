import type { Request, RequestHandler, Response } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../api/auth.js';
import type { AppError } from '../../api/errors.js';
import { rateLimitWritesPerKey } from '../../api/rate-limit.js';
import { createPool, type Pool } from '../../db/pool.js';
import { freePort } from '../../scripts/lib/net.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

/**
 * Several API processes, one Postgres: the write budget of a key is kept in Postgres, so it is
 * one budget however the load balancer spreads the key's requests. Each limiter below is what
 * one API process mounts.
 */
let db: TestDatabase;
let unreachable: Pool;

beforeAll(async () => {
  db = await freshDatabase('rate_limit_shared');
  unreachable = createPool(`postgres://nobody:none@127.0.0.1:${await freePort()}/none`, {
    applicationName: 'rate-limit-outage',
    max: 2,
  });
});
afterAll(async () => {
  await unreachable?.end();
  await db?.drop();
});

function write(limiter: RequestHandler, keyId: string): Promise<AppError | undefined> {
  const caller: Caller = { keyId, role: 'client', practices: ['BSNR-1'] };
  const req = { method: 'POST', path: '/api/v1/processes/invitation', caller, ip: '10.0.0.1' };
  return new Promise((resolve) => {
    void limiter(req as unknown as Request, {} as Response, (error?: unknown) =>
      resolve(error as AppError | undefined),
    );
  });
}

describe('rate limits shared through Postgres', () => {
  it('when a key writes through two API processes, then both count against one budget', async () => {
    const first = rateLimitWritesPerKey({ perMinute: 60, burst: 5, pool: db.pool });
    const second = rateLimitWritesPerKey({ perMinute: 60, burst: 5, pool: db.pool });

    const through = [
      await write(first, 'key_shared'),
      await write(second, 'key_shared'),
      await write(first, 'key_shared'),
      await write(second, 'key_shared'),
      await write(first, 'key_shared'),
    ];
    const sixthOnSecond = await write(second, 'key_shared');
    const otherKey = await write(second, 'key_other');

    expect(through).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(sixthOnSecond).toMatchObject({ status: 429, code: 'rate-limited' });
    expect(sixthOnSecond?.retryAfter).toBeGreaterThanOrEqual(1);
    expect(otherKey).toBeUndefined();
    const { rows } = await db.pool.query<{ points: number }>(
      `select points from rate_limits where key = 'writes:key:key_shared'`,
    );
    expect(rows[0]?.points).toBe(6);
  });

  it('when Postgres does not answer, then each process still limits on its own and no write fails for it', async () => {
    const limiter = rateLimitWritesPerKey({ perMinute: 60, burst: 3, pool: unreachable });

    const outcomes = [
      await write(limiter, 'key_outage'),
      await write(limiter, 'key_outage'),
      await write(limiter, 'key_outage'),
      await write(limiter, 'key_outage'),
    ];

    expect(outcomes.slice(0, 3)).toEqual([undefined, undefined, undefined]);
    expect(outcomes[3]).toMatchObject({ status: 429 });
  });
});
