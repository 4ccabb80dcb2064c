import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiConfig } from '../../api/config.js';
import { ConfigError } from '../../config/env.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

/**
 * The per-address limits (the public application-status lookup, the download link) count the
 * address of the connection. `X-Forwarded-For` names the client only when it comes from a
 * proxy the deployment trusts (`PRAXISFLOW_TRUSTED_PROXIES`); by default none is trusted, not
 * even one on loopback.
 */
const LIMIT = { perMinute: 1, burst: 3 };
let direct: ApiStack;
let behindProxy: ApiStack;

beforeAll(async () => {
  [direct, behindProxy] = await Promise.all([
    startApiStack({ publicRateLimit: LIMIT }),
    startApiStack({ publicRateLimit: LIMIT, trustedProxies: ['loopback'] }),
  ]);
});

afterAll(async () => {
  await Promise.all([direct?.stop(), behindProxy?.stop()]);
});

/** Lookups, each with another `X-Forwarded-For`: the statuses. */
async function lookUpsFromRotatingAddresses(stack: ApiStack, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${stack.baseUrl}/api/v1/public/application-status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${i + 1}` },
      body: JSON.stringify({ applicationNumber: 'A-2026-7K3M9QXT', birthDate: '1980-04-12' }),
    });
    statuses.push(response.status);
  }
  return statuses;
}

describe('the client address of the per-address limits', () => {
  it('when X-Forwarded-For rotates from a proxy nobody configured, then the limit still holds (429)', async () => {
    const statuses = await lookUpsFromRotatingAddresses(direct, LIMIT.burst + 2);
    expect(statuses.slice(0, LIMIT.burst)).not.toContain(429);
    expect(statuses.at(-1)).toBe(429);
  });

  it('when the proxy is configured as trusted, then each forwarded address has a limit of its own', async () => {
    const statuses = await lookUpsFromRotatingAddresses(behindProxy, LIMIT.burst + 2);
    expect(statuses).not.toContain(429);
  });

  it('when PRAXISFLOW_TRUSTED_PROXIES is malformed, then the API refuses to start, naming it', () => {
    const env = { PRAXISFLOW_SECRET: 'x'.repeat(40), DATABASE_URL: 'postgres://localhost/x' };
    expect(apiConfig(env).trustedProxies).toEqual([]);
    expect(
      apiConfig({ ...env, PRAXISFLOW_TRUSTED_PROXIES: '10.0.0.0/8, loopback, ::1' }).trustedProxies,
    ).toEqual(['10.0.0.0/8', 'loopback', '::1']);
    for (const wrong of ['proxy.example', '10.0.0.0/33', '*']) {
      expect(() => apiConfig({ ...env, PRAXISFLOW_TRUSTED_PROXIES: wrong })).toThrow(ConfigError);
    }
    expect(() => apiConfig({ ...env, PRAXISFLOW_TRUSTED_PROXIES: 'nope' })).toThrow(
      /PRAXISFLOW_TRUSTED_PROXIES/,
    );
  });
});
