import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultPayloadConverter } from '@temporalio/common';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, revokeApiKey } from '../../api/api-keys.js';
import { authenticate } from '../../api/auth.js';
import { problemHandler, unknownRoute } from '../../api/errors.js';
import { codecRoutes } from '../../api/routes/codec.js';
import { EncryptionCodec } from '../../codec/payload-codec.js';
import { deriveKey } from '../../config/secrets.js';
import { freshDatabase, type TestDatabase } from '../support/database.js';

/**
 * The codec endpoint as the Temporal Web UI uses it: from the browser, cross-origin, with the
 * payloads of a history in proto3 JSON. A client key gets 403: the endpoint is public knowledge
 * (praxisflow is open source), so hiding it behind a 404 would protect nothing.
 */
const webUi = 'http://localhost:8233';
const pepper = deriveKey(randomBytes(32).toString('base64url'), 'api-keys');
const personal = { email: 'erika@praxis.example', lastName: 'Mustermann', pin: '483920' };
let db: TestDatabase;
let server: Server;
let baseUrl = '';
/** A second API process on the same database, as production runs several. */
let otherServer: Server;
let otherBaseUrl = '';
let operatorKey = '';
let clientKey = '';

interface JsonPayload {
  metadata: Record<string, string>;
  data: string;
}

/** The answer: payloads, or a problem. */
interface Reply {
  readonly payloads: JsonPayload[];
  readonly type?: string;
  readonly errors?: readonly { path: string; message: string }[];
}

const asJson = (payload: ReturnType<typeof defaultPayloadConverter.toPayload>): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value).toString('base64'),
    ]),
  ),
  data: Buffer.from(payload.data ?? []).toString('base64'),
});

const fromJson = ({ metadata, data }: JsonPayload) =>
  defaultPayloadConverter.fromPayload({
    metadata: Object.fromEntries(
      Object.entries(metadata).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
    ),
    data: Buffer.from(data, 'base64'),
  });

async function post(path: string, body: unknown, key: string | null = operatorKey) {
  const response = await fetch(baseUrl + path, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: webUi,
      'x-namespace': 'default',
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
    },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Reply,
  };
}

/** The session form, as the browser posts it from the page: urlencoded, redirects not followed. */
async function logIn(key: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${baseUrl}/codec/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ key }),
    redirect: 'manual',
  });
  const [setCookie] = response.headers.getSetCookie();
  return {
    status: response.status,
    location: response.headers.get('location'),
    setCookie,
    /** `pf_codec=…`, as the browser sends it back. */
    cookie: setCookie?.split(';')[0],
    body: await response.text(),
  };
}

/** The Web UI's decode with `credentials: 'include'`: the cookie, no Authorization. */
async function decodeWithCookie(
  cookie: string,
  origin: string | null,
  payloads: JsonPayload[],
  base = baseUrl,
) {
  const response = await fetch(`${base}/codec/decode`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-namespace': 'default',
      cookie,
      ...(origin === null ? {} : { origin }),
    },
    body: JSON.stringify({ payloads }),
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Reply,
  };
}

const sessionPage = (cookie?: string) =>
  fetch(`${baseUrl}/codec/session`, { headers: cookie ? { cookie } : {} });

const preflight = (origin: string) =>
  fetch(`${baseUrl}/codec/decode`, {
    method: 'OPTIONS',
    headers: {
      origin,
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization,content-type,x-namespace',
    },
  });

beforeAll(async () => {
  db = await freshDatabase('codec');
  const keyOf = (role: 'operator' | 'client') =>
    createApiKey(db.pool, pepper, {
      name: `codec test ${role}`,
      role,
      practices: role === 'client' ? ['BSNR-1'] : [],
      createdBy: 'test',
    }).then(({ key }) => key);
  [operatorKey, clientKey] = await Promise.all([keyOf('operator'), keyOf('client')]);

  const codec = new EncryptionCodec([{ id: 'k1', key: randomBytes(32) }]);
  const apiProcess = async () => {
    const app = express();
    app.use(express.json({ limit: '256kb' }));
    app.use(
      '/codec',
      codecRoutes({
        codec,
        allowedOrigins: [webUi],
        authenticate: authenticate({ pool: db.pool, pepper }),
        pool: db.pool,
      }),
    );
    app.use(unknownRoute);
    app.use(problemHandler);
    const listening: Server = await new Promise((resolve) => {
      const started = app.listen(0, '127.0.0.1', () => resolve(started));
    });
    return { listening, url: `http://127.0.0.1:${(listening.address() as AddressInfo).port}` };
  };
  ({ listening: server, url: baseUrl } = await apiProcess());
  ({ listening: otherServer, url: otherBaseUrl } = await apiProcess());
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await new Promise((resolve) => otherServer?.close(resolve));
  await db.drop();
});

describe('the codec endpoint', () => {
  it('when payloads are encoded and then decoded over HTTP, then they come back unchanged and were sealed between', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload(personal));

    const encoded = await post('/codec/encode', { payloads: [plain] });
    const decoded = await post('/codec/decode', { payloads: encoded.body.payloads });

    expect(encoded.status).toBe(200);
    const [sealed] = encoded.body.payloads;
    expect(Buffer.from(sealed!.metadata.encoding!, 'base64').toString()).toBe('binary/encrypted');
    expect(Buffer.from(sealed!.data, 'base64').toString('latin1')).not.toContain('erika');
    expect(decoded.status).toBe(200);
    expect(decoded.headers.get('cache-control')).toBe('no-store');
    expect(decoded.body.payloads).toEqual([plain]);
    expect(fromJson(decoded.body.payloads[0]!)).toEqual(personal);
  });

  it('when the CLI asks under a namespace segment, then the same codec answers', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload(personal));
    const encoded = await post('/codec/default/encode', { payloads: [plain] });

    const decoded = await post('/codec/default/decode', { payloads: encoded.body.payloads });

    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads).toEqual([plain]);
  });

  it('when a payload was not encrypted, then decode passes it through', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload(personal));

    const decoded = await post('/codec/decode', { payloads: [plain] });

    expect(decoded.body.payloads).toEqual([plain]);
  });

  it('when the Web UI sends a preflight, then its origin, credentials and headers are allowed', async () => {
    const response = await preflight(webUi);

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(webUi);
    expect(response.headers.get('access-control-allow-credentials')).toBe('true');
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const allowedHeaders = response.headers.get('access-control-allow-headers')?.toLowerCase();
    for (const header of ['authorization', 'content-type', 'x-namespace']) {
      expect(allowedHeaders).toContain(header);
    }
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('when another origin sends a preflight, then it gets no CORS permission', async () => {
    const response = await preflight('http://evil.example');

    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('when no key comes along, then 401, with CORS headers so that the Web UI can tell', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload(personal));

    const response = await post('/codec/decode', { payloads: [plain] }, null);

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ type: 'urn:praxisflow:problem:unauthorized' });
    expect(response.headers.get('access-control-allow-origin')).toBe(webUi);
  });

  it('when a client key asks, then 403: decrypting histories is for admins and operators', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload(personal));

    const response = await post('/codec/encode', { payloads: [plain] }, clientKey);

    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ type: 'urn:praxisflow:problem:forbidden' });
  });

  it('when the body is no Payloads JSON or a payload was altered, then 422 problem+json', async () => {
    const plain = asJson(defaultPayloadConverter.toPayload(personal));
    const [sealed] = (await post('/codec/encode', { payloads: [plain] })).body.payloads;
    const altered = Buffer.from(sealed!.data, 'base64');
    altered[altered.length - 1]! ^= 1;

    const malformed = await post('/codec/decode', { payloads: [{ data: 'not base64!' }] });
    const tampered = await post('/codec/decode', {
      payloads: [{ ...sealed, data: altered.toString('base64') }],
    });

    expect(malformed.status).toBe(422);
    expect(malformed.body.errors).toEqual([{ path: 'payloads.0.data', message: 'must be base64' }]);
    expect(tampered.status).toBe(422);
    expect(tampered.body).toMatchObject({ type: 'urn:praxisflow:problem:payload-not-decryptable' });
  });
});

describe("the codec session by cookie, for the dev server's Web UI", () => {
  const sealedPersonal = async () =>
    (
      await post('/codec/encode', {
        payloads: [asJson(defaultPayloadConverter.toPayload(personal))],
      })
    ).body.payloads;

  it('when an operator logs in with the form, then 303 back to the page and an HttpOnly, SameSite=Strict cookie for /codec', async () => {
    const login = await logIn(operatorKey);
    const page = await sessionPage(login.cookie);

    expect(login.status).toBe(303);
    expect(login.location).toBe('/codec/session');
    expect(login.cookie).toMatch(/^pf_codec=[A-Za-z0-9_-]{43}$/);
    const attributes = login.setCookie!.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toEqual(
      expect.arrayContaining(['httponly', 'samesite=strict', 'path=/codec', 'max-age=28800']),
    );
    expect(attributes).not.toContain('secure');
    expect(login.setCookie).not.toContain(operatorKey);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sitzung aktiv bis');
  });

  it('when the Web UI decodes with only the cookie from its origin, then 200, the payload, and CORS with credentials for exactly that origin', async () => {
    const { cookie } = await logIn(operatorKey);
    const sealed = await sealedPersonal();

    const decoded = await decodeWithCookie(cookie!, webUi, sealed);

    expect(decoded.status).toBe(200);
    expect(fromJson(decoded.body.payloads[0]!)).toEqual(personal);
    expect(decoded.headers.get('access-control-allow-origin')).toBe(webUi);
    expect(decoded.headers.get('access-control-allow-credentials')).toBe('true');
  });

  it('when the cookie comes from another origin or without an Origin, then 403: no CSRF from other localhost pages', async () => {
    const { cookie } = await logIn(operatorKey);
    const sealed = await sealedPersonal();

    const foreign = await decodeWithCookie(cookie!, 'http://localhost:5173', sealed);
    const originless = await decodeWithCookie(cookie!, null, sealed);

    expect(foreign.status).toBe(403);
    expect(foreign.body).toMatchObject({ type: 'urn:praxisflow:problem:forbidden' });
    expect(foreign.body.payloads).toBeUndefined();
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(originless.status).toBe(403);
  });

  it('when a client key logs in, then 403 and no cookie', async () => {
    const login = await logIn(clientKey);

    expect(login.status).toBe(403);
    expect(login.setCookie).toBeUndefined();
    expect(login.body).toContain('Client-Schlüssel');
    expect(login.body).not.toContain(clientKey);
  });

  it('when the key is wrong, then 401 with the page, no cookie, and the key is not echoed', async () => {
    const wrongKey = `pf_o_${randomBytes(32).toString('base64url')}`;

    const login = await logIn(wrongKey);

    expect(login.status).toBe(401);
    expect(login.setCookie).toBeUndefined();
    expect(login.body).toContain('unbekannt oder widerrufen');
    expect(login.body).not.toContain(wrongKey);
  });

  it('when the form is posted from another page of the same site, then 403 and no cookie', async () => {
    const login = await logIn(operatorKey, { 'sec-fetch-site': 'same-site' });

    expect(login.status).toBe(403);
    expect(login.setCookie).toBeUndefined();
  });

  it('when the key of a session is revoked, then its session ends within 10 s on every API process', async () => {
    const { id, key } = await createApiKey(db.pool, pepper, {
      name: 'codec test operator to revoke',
      role: 'operator',
      practices: [],
      createdBy: 'test',
    });
    const { cookie } = await logIn(key);
    const sealed = await sealedPersonal();
    // The session is known to every API process, not just the one that made it.
    expect((await decodeWithCookie(cookie!, webUi, sealed, otherBaseUrl)).status).toBe(200);

    await revokeApiKey(db.pool, id);

    const revokedAt = Date.now();
    for (const base of [baseUrl, otherBaseUrl]) {
      let status = 200;
      while (status === 200 && Date.now() - revokedAt < 10_000) {
        status = (await decodeWithCookie(cookie!, webUi, sealed, base)).status;
        if (status === 200) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status).toBe(401);
    }
    expect(Date.now() - revokedAt).toBeLessThan(10_000);
  });

  it('when the operator logs out, then the cookie is cleared and no longer works', async () => {
    const { cookie } = await logIn(operatorKey);
    const sealed = await sealedPersonal();

    const logout = await fetch(`${baseUrl}/codec/session/logout`, {
      method: 'POST',
      headers: { cookie: cookie! },
      redirect: 'manual',
    });
    const afterwards = await decodeWithCookie(cookie!, webUi, sealed);

    expect(logout.status).toBe(303);
    expect(logout.headers.get('location')).toBe('/codec/session');
    const [cleared] = logout.headers.getSetCookie();
    expect(cleared).toMatch(/^pf_codec=;/);
    expect(cleared).toContain('Path=/codec');
    expect(cleared).toContain('Expires=Thu, 01 Jan 1970');
    expect(afterwards.status).toBe(401);
    expect(afterwards.body).toMatchObject({ type: 'urn:praxisflow:problem:unauthorized' });
  });

  it('when the page is shown, then it is a self-contained form without script, under a CSP that allows no script', async () => {
    const page = await sessionPage();
    const html = await page.text();

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    expect(html).toContain('API-Schlüssel (Admin oder Operator)');
    expect(html).toContain('Include cross-origin credentials');
    expect(html).toMatch(/<form method="post" action="\/codec\/session">/);
    expect(html).toContain('type="password"');
    expect(html).toContain('Keine Sitzung aktiv');
  });
});
