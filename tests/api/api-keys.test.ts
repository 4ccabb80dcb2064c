import { execFile } from 'node:child_process';
import { createHmac, createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, findApiKey, listApiKeys, revokeApiKey } from '../../api/api-keys.js';
import {
  authenticate,
  callerOf,
  mayActForPractice,
  practiceScope,
  requireRole,
  type AuthenticateOptions,
} from '../../api/auth.js';
import { AppError, problemHandler } from '../../api/errors.js';
import { deriveKey } from '../../config/secrets.js';
import { createPool } from '../../db/pool.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

const secret = randomBytes(32).toString('base64url');
const pepper = deriveKey(secret, 'api-keys');
const bootstrapAdminKey = `pf_admin_${randomBytes(24).toString('base64url')}`;
let db: TestDatabase;
const servers: Server[] = [];

beforeAll(async () => {
  db = await freshDatabase('api_keys');
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await db.drop();
});

/** A tiny app: the middleware under test in front of a route that shows the caller. */
async function serve(options: Partial<AuthenticateOptions> = {}, ...guards: RequestHandler[]) {
  const app = express();
  app.use(
    authenticate({ pool: db.pool, pepper, bootstrapAdminKey, cacheTtlMs: 0, ...options }),
    ...guards,
  );
  app.get('/whoami', (req, res) => {
    res.json(callerOf(req));
  });
  app.use(problemHandler);
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return async (key?: string) => {
    const response = await fetch(`${baseUrl}/whoami`, {
      headers: key === undefined ? {} : { authorization: `Bearer ${key}` },
    });
    return { status: response.status, headers: response.headers, body: await response.json() };
  };
}

const newClientKey = (practices = ['BSNR-123456789']) =>
  createApiKey(db.pool, pepper, {
    name: 'Praxis Dr. Muster',
    role: 'client',
    practices,
    createdBy: 'test',
  });

describe('API keys', () => {
  it('when a key is created, listed and revoked, then the list shows each step and never a hash', async () => {
    const { id, key } = await createApiKey(db.pool, pepper, {
      name: 'Leitstelle',
      role: 'operator',
      createdBy: 'test',
    });

    const listed = (await listApiKeys(db.pool)).find((info) => info.id === id);
    const revoked = await revokeApiKey(db.pool, id);
    const revokedAgain = await revokeApiKey(db.pool, id);
    const listedAfter = (await listApiKeys(db.pool)).find((info) => info.id === id);

    expect(id).toMatch(/^key_[a-z2-7]{10}$/);
    expect(key).toMatch(/^pf_o_[A-Za-z0-9_-]{43}$/);
    expect(listed).toMatchObject({
      name: 'Leitstelle',
      role: 'operator',
      practices: [],
      createdBy: 'test',
      revokedAt: null,
      lastUsedAt: null,
    });
    expect(Object.keys(listed ?? {})).not.toContain('secretHash');
    expect(JSON.stringify(listed)).not.toContain(key);
    expect(revoked).toMatchObject({ id, alreadyRevoked: false });
    expect(revokedAgain).toEqual({ id, revokedAt: revoked?.revokedAt, alreadyRevoked: true });
    expect(listedAfter?.revokedAt).toEqual(revoked?.revokedAt);
    expect(await findApiKey(db.pool, pepper, key)).toBeUndefined();
    expect(await revokeApiKey(db.pool, 'key_aaaaaaaaaa')).toBeUndefined();
  });

  it('when a key is created, then the table holds only its HMAC, nothing of the clear key', async () => {
    const { id, key } = await newClientKey();

    const { rows } = await db.pool.query('select * from api_keys where id = $1', [id]);
    const row = rows[0] as Record<string, unknown> & { secret_hash: Buffer };
    const stored = [
      JSON.stringify(row),
      row.secret_hash.toString('hex'),
      row.secret_hash.toString('base64'),
      row.secret_hash.toString('base64url'),
      row.secret_hash.toString('latin1'),
    ].join('\n');

    const randomPart = key.slice('pf_c_'.length);
    expect(stored).not.toContain(key);
    expect(stored).not.toContain(randomPart.slice(0, 16));
    expect(row.secret_hash).toEqual(
      createHmac('sha256', Buffer.from(pepper, 'base64url')).update(key).digest(),
    );
  });

  it('when the input is invalid, then nothing is stored and every problem is named', async () => {
    const before = (await listApiKeys(db.pool)).length;

    const attempts = await Promise.all(
      [
        { name: 'x', role: 'client' as const, practices: [], createdBy: 'test' },
        { name: 'x', role: 'admin' as const, practices: ['BSNR-1'], createdBy: 'test' },
        { name: 'x', role: 'client' as const, practices: ['BSNR 1/2'], createdBy: 'test' },
        { name: ' ', role: 'operator' as const, createdBy: 'test' },
        { name: 'x', role: 'boss' as never, createdBy: 'test' },
      ].map((input) =>
        createApiKey(db.pool, pepper, input).then(
          () => undefined,
          (e) => e,
        ),
      ),
    );

    expect(attempts.every((error) => error instanceof AppError && error.status === 422)).toBe(true);
    expect(attempts.map((error: AppError) => error.extra.errors)).toEqual([
      [{ path: 'practices', message: 'a client key needs at least one practice' }],
      [{ path: 'practices', message: 'an admin key acts for all practices and lists none' }],
      [{ path: 'practices.0', message: '1 to 64 letters, digits, ".", "_" or "-"' }],
      [{ path: 'name', message: 'must not be empty' }],
      [{ path: 'role', message: 'must be one of admin, operator, client' }],
    ]);
    expect((await listApiKeys(db.pool)).length).toBe(before);
  });
});

describe('authentication with API keys', () => {
  it('when a client key calls, then the caller carries its key id, role and practices', async () => {
    const request = await serve();
    const { id, key } = await newClientKey(['BSNR-123456789', 'BSNR-987654321']);

    const response = await request(key);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      keyId: id,
      role: 'client',
      practices: ['BSNR-123456789', 'BSNR-987654321'],
    });
  });

  it('when the bootstrap admin key calls, then it is an admin with the id of its hash', async () => {
    const request = await serve();

    const response = await request(bootstrapAdminKey);

    const hash = createHash('sha256').update(bootstrapAdminKey).digest('hex');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      keyId: `key-${hash.slice(0, 12)}`,
      role: 'admin',
      practices: [],
    });
  });

  it('when no key, a malformed key or an unknown key is presented, then 401 problem+json', async () => {
    const request = await serve();
    const unknown = `pf_c_${randomBytes(32).toString('base64url')}`;

    const responses = await Promise.all(
      [undefined, 'not-a-key', unknown, bootstrapAdminKey.slice(0, -1)].map((key) => request(key)),
    );

    for (const response of responses) {
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(response.body).toMatchObject({ type: 'urn:praxisflow:problem:unauthorized' });
    }
  });

  it('when a key is revoked, then it is refused at the latest when the cache window ends', async () => {
    let now = 1_000_000;
    const request = await serve({ cacheTtlMs: 10_000, now: () => now });
    const { id, key } = await newClientKey();
    const before = await request(key);

    await revokeApiKey(db.pool, id);
    now += 9_000;
    const withinWindow = await request(key);
    now += 1_000;
    const afterWindow = await request(key);

    expect(before.status).toBe(200);
    expect(withinWindow.status).toBe(200);
    expect(afterWindow.status).toBe(401);
  });

  it('when the cache TTL is zero, then a revoked key is refused at once', async () => {
    const request = await serve({ cacheTtlMs: 0 });
    const { id, key } = await newClientKey();
    const before = await request(key);

    await revokeApiKey(db.pool, id);
    const after = await request(key);

    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
  });

  it('when a key is used, then last_used_at is set, and not rewritten within the minute', async () => {
    const request = await serve();
    const { id, key } = await newClientKey();
    const lastUsed = async () =>
      (await listApiKeys(db.pool)).find((info) => info.id === id)?.lastUsedAt ?? null;

    await request(key);
    let first: Date | null = null;
    for (let attempt = 0; attempt < 50 && !first; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      first = await lastUsed();
    }
    await request(key);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(first).toBeInstanceOf(Date);
    expect(await lastUsed()).toEqual(first);
  });

  it('when Postgres is unreachable, then 503 with Retry-After, not 401', async () => {
    const closedPort = createPool('postgres://nobody:nothing@127.0.0.1:1/none', {
      applicationName: 'test-down',
    });
    const request = await serve({ pool: closedPort });

    const response = await request(`pf_o_${randomBytes(32).toString('base64url')}`);
    await closedPort.end();

    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(response.body).toMatchObject({
      status: 503,
      type: 'urn:praxisflow:problem:unavailable',
    });
  });

  it('when a role is required, then other roles get 403 problem+json', async () => {
    const request = await serve({}, requireRole('admin', 'operator'));
    const { key: clientKey } = await newClientKey();
    const { key: operatorKey } = await createApiKey(db.pool, pepper, {
      name: 'Leitstelle',
      role: 'operator',
      createdBy: 'test',
    });

    const client = await request(clientKey);
    const operator = await request(operatorKey);

    expect(client.status).toBe(403);
    expect(client.body).toMatchObject({ type: 'urn:praxisflow:problem:forbidden' });
    expect(operator.status).toBe(200);
  });

  it('when practices are checked, then clients see only their own; a process without one is hidden', () => {
    const client = { keyId: 'key_c', role: 'client', practices: ['BSNR-1'] } as const;
    const operator = { keyId: 'key_o', role: 'operator', practices: [] } as const;

    expect(mayActForPractice(client, 'BSNR-1')).toBe(true);
    expect(mayActForPractice(client, 'BSNR-2')).toBe(false);
    expect(mayActForPractice(client, null)).toBe(false);
    expect(mayActForPractice(operator, 'BSNR-2')).toBe(true);
    expect(mayActForPractice(operator, null)).toBe(true);
    expect(practiceScope(client)).toEqual(['BSNR-1']);
    expect(practiceScope(operator)).toBeUndefined();
  });
});

describe('npm run keys', () => {
  const keysCli = (...args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/keys.ts', ...args],
        {
          env: { ...process.env, DATABASE_URL: db.url, PRAXISFLOW_SECRET: secret, NO_COLOR: '1' },
          timeout: 30_000,
        },
        (error, stdout, stderr) => {
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
        },
      );
    });

  it('when the CLI creates a client key, then it prints the key once and that key authenticates', async () => {
    const request = await serve();

    const created = await keysCli(
      'create',
      '--name',
      'Praxis Dr. Muster',
      '--role',
      'client',
      '--practice',
      'BSNR-123456789',
      '--practice',
      'BSNR-987654321',
    );
    const key = /pf_c_[A-Za-z0-9_-]{43}/.exec(created.stdout)?.[0] ?? '';
    const id = /key_[a-z2-7]{10}/.exec(created.stdout)?.[0] ?? '';
    const response = await request(key);
    const listed = await keysCli('list');

    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/shown only this once/);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      keyId: id,
      role: 'client',
      practices: ['BSNR-123456789', 'BSNR-987654321'],
    });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(
      new RegExp(`${id}\\s+Praxis Dr\\. Muster\\s+client\\s+BSNR-123456789, BSNR-987654321`),
    );
    expect(listed.stdout).not.toContain(key);
  });

  it('when the CLI revokes a key, then the key no longer authenticates', async () => {
    const request = await serve();
    const { id, key } = await newClientKey();

    const revoked = await keysCli('revoke', id);
    const response = await request(key);

    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`revoked ${id}`);
    expect(response.status).toBe(401);
  });

  it('when the CLI is used wrongly, then it says what is wrong, with exit code 2 or 1', async () => {
    const unknownRole = await keysCli('create', '--name', 'X', '--role', 'boss');
    const clientWithoutPractice = await keysCli('create', '--name', 'X', '--role', 'client');
    const unknownId = await keysCli('revoke', 'key_zzzzzzzzzz');
    const help = await keysCli('--help');

    expect(unknownRole).toMatchObject({ code: 2 });
    expect(unknownRole.stderr).toContain('unknown role "boss": admin, operator, client');
    expect(clientWithoutPractice).toMatchObject({ code: 2 });
    expect(clientWithoutPractice.stderr).toContain(
      '--practice: a client key needs at least one practice',
    );
    expect(unknownId).toMatchObject({ code: 1 });
    expect(unknownId.stderr).toContain('no API key with id "key_zzzzzzzzzz"');
    expect(help).toMatchObject({ code: 0 });
    expect(help.stdout).toContain('npm run keys -- create --name');
  });
});
