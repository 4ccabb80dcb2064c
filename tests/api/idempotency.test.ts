import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Caller } from '../../api/auth.js';
import { AppError, problemHandler } from '../../api/errors.js';
import { idempotentPosts } from '../../api/idempotency.js';
import { jsonBodies } from '../../api/request-bodies.js';
import { secretSealer } from '../../storage/sealed-secrets.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { waitForMessage } from '../support/mailcatcher.js';

/**
 * `Idempotency-Key` on the API's POSTs, against the real stack: a retry with the same key and
 * body gets the first answer and runs nothing again; the key is per API key and lasts 24 h.
 */

let api: ApiStack;

beforeAll(async () => {
  api = await startApiStack();
});

afterAll(async () => {
  await api?.stop();
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function post(
  path: string,
  options: {
    body?: unknown;
    raw?: { bytes: Uint8Array; contentType: string };
    key?: string;
    idempotencyKey?: string;
  },
): Promise<Answer> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${options.key ?? api.adminKey}`,
  };
  if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
  let body: string | Uint8Array | undefined;
  if (options.raw) {
    headers['content-type'] = options.raw.contentType;
    body = options.raw.bytes;
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(api.baseUrl + path, { method: 'POST', headers, body });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const practiceId = () => `BSNR-${String(randomInt(100_000_000, 999_999_999))}`;

const startBody = (practice = practiceId()) => ({
  input: {
    salutation: 'Frau',
    firstName: 'Erika',
    lastName: 'Musterfrau',
    email: `erika.${randomBytes(4).toString('hex')}@praxis.example`,
    practiceId: practice,
  },
});

const START = '/api/v1/processes/invitation';

/** The ids of a practice's processes in the read model, once `expected` has arrived. */
async function processesOf(practice: string, expected: string): Promise<string[]> {
  let ids: string[] = [];
  await expect
    .poll(async () => {
      const list = await api.request('GET', `/api/v1/processes?practiceId=${practice}`);
      ids = (list.body.items as { id: string }[]).map((item) => item.id);
      return ids;
    })
    .toContain(expected);
  return ids;
}

/** The events of a process's audit trail, once `last` has arrived. */
async function eventsOf(processId: string, last: string): Promise<string[]> {
  let events: string[] = [];
  await expect
    .poll(async () => {
      const history = await api.request('GET', `/api/v1/processes/${processId}/history`);
      events = ((history.body.entries ?? []) as { event: string }[]).map((entry) => entry.event);
      return events;
    })
    .toContain(last);
  return events;
}

describe('idempotent writes', () => {
  it('when a start is retried with the same key after a dropped answer, then one process exists and both answers are equal', async () => {
    // Arrange
    const practice = practiceId();
    const body = startBody(practice);
    const idempotencyKey = randomUUID();

    // Act: the first answer is lost on the way back; the client sends the request again.
    const first = await post(START, { body, idempotencyKey });
    const retry = await post(START, { body, idempotencyKey });

    // Assert
    expect(first.status).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('location')).toBe(first.headers.get('location'));
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    // A later start of the same practice, without a key, marks when the read model caught up.
    const later = await post(START, { body: startBody(practice) });
    expect(later.status).toBe(201);
    const ids = await processesOf(practice, later.json.id as string);
    expect(ids.sort()).toEqual([first.json.id, later.json.id].sort());
  });

  it('when the same key comes with another body, then it is a 422 naming the header and nothing starts', async () => {
    const practice = practiceId();
    const idempotencyKey = randomUUID();
    const first = await post(START, { body: startBody(practice), idempotencyKey });

    const other = await post(START, { body: startBody(practice), idempotencyKey });

    expect(first.status).toBe(201);
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toContain('application/problem+json');
    expect(other.json).toMatchObject({
      type: 'urn:praxisflow:problem:idempotency-key-reused',
      status: 422,
      errors: [{ path: 'Idempotency-Key' }],
    });
    expect(other.json.detail).toContain('Idempotency-Key');
    const later = await post(START, { body: startBody(practice) });
    expect(await processesOf(practice, later.json.id as string)).toHaveLength(2);
  });

  it('when the same key is sent twice at once, then one request starts the process and the other is a 409 or its replay', async () => {
    const body = startBody();
    const idempotencyKey = randomUUID();

    const answers = await Promise.all([
      post(START, { body, idempotencyKey }),
      post(START, { body, idempotencyKey }),
    ]);

    const started = answers.filter((answer) => answer.status === 201);
    const refused = answers.filter((answer) => answer.status === 409);
    expect(started.length + refused.length).toBe(2);
    expect(started.length).toBeGreaterThanOrEqual(1);
    // Two 201s only when the second was the replay of the first: the same process.
    expect(new Set(started.map((answer) => answer.json.id)).size).toBe(1);
    for (const answer of refused) {
      expect(answer.json).toMatchObject({
        type: 'urn:praxisflow:problem:idempotency-key-in-use',
        status: 409,
      });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
  });

  it('when an event is retried with the same key, then the process took it once and both answers are equal', async () => {
    const created = await post(START, { body: startBody() });
    const events = `/api/v1/processes/${created.json.id as string}/events`;
    const idempotencyKey = randomUUID();

    const first = await post(events, { body: { type: 'INVITATION_RESENT' }, idempotencyKey });
    const retry = await post(events, { body: { type: 'INVITATION_RESENT' }, idempotencyKey });

    expect(first.status).toBe(200);
    expect(retry.status).toBe(first.status);
    expect(retry.text).toBe(first.text);
    // A later event marks when the audit trail caught up with the steps before it.
    const revoked = await post(events, { body: { type: 'INVITATION_REVOKED' } });
    expect(revoked.status).toBe(200);
    const trail = await eventsOf(created.json.id as string, 'INVITATION_REVOKED');
    expect(trail.filter((event) => event === 'INVITATION_RESENT')).toHaveLength(1);
  });

  it('when another API key sends the same idempotency key, then its request runs on its own', async () => {
    const practice = practiceId();
    const [one, two] = await Promise.all([
      api.createKey('client', [practice]),
      api.createKey('client', [practice]),
    ]);
    const body = startBody(practice);
    const idempotencyKey = randomUUID();

    const first = await post(START, { body, idempotencyKey, key: one });
    const second = await post(START, { body, idempotencyKey, key: two });

    expect(first.status).toBe(201);
    // It ran: the invitation of this person runs already (its business key comes from the
    // input), which a replay of the first key's answer would not say.
    expect(second.status).toBe(409);
    expect(second.json.type).not.toContain('idempotency');
    expect(second.headers.get('idempotent-replayed')).toBeNull();
  });

  it('when a key is older than 24 h, then a request with it runs again', async () => {
    const body = startBody();
    const idempotencyKey = randomUUID();
    const first = await post(START, { body, idempotencyKey });
    await api.database.pool.query(
      `update idempotency_keys set created_at = now() - interval '24 hours 1 minute'
        where idempotency_key = $1`,
      [idempotencyKey],
    );

    const again = await post(START, { body, idempotencyKey });

    expect(first.status).toBe(201);
    // It ran again: the invitation started the first time runs already.
    expect(again.status).toBe(409);
    expect(again.json.type).not.toContain('idempotency');
    expect(again.headers.get('idempotent-replayed')).toBeNull();
  });

  it('when a new key is used, then rows past their 24 h are deleted', async () => {
    const old = randomUUID();
    await post(START, { body: { input: {} }, idempotencyKey: old });
    await api.database.pool.query(
      `update idempotency_keys set created_at = now() - interval '25 hours'
        where idempotency_key = $1`,
      [old],
    );

    await post(START, { body: { input: {} }, idempotencyKey: randomUUID() });

    const { rows } = await api.database.pool.query(
      'select 1 from idempotency_keys where idempotency_key = $1',
      [old],
    );
    expect(rows).toHaveLength(0);
  });

  it('when a refused request is retried, then the retry gets the same refusal', async () => {
    const idempotencyKey = randomUUID();
    const body = { input: { email: 'not an address' } };

    const first = await post(START, { body, idempotencyKey });
    const retry = await post(START, { body, idempotencyKey });

    expect(first.status).toBe(422);
    expect(retry.status).toBe(422);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  it('when the key is not 1 to 255 printable ASCII characters, then it is a 422 naming the header', async () => {
    const tooLong = await post(START, { body: startBody(), idempotencyKey: 'k'.repeat(256) });
    const empty = await post(START, { body: startBody(), idempotencyKey: '' });

    for (const answer of [tooLong, empty]) {
      expect(answer.status).toBe(422);
      expect(answer.json).toMatchObject({ errors: [{ path: 'Idempotency-Key' }] });
    }
  });

  it('when an answer is kept, then it lies sealed in Postgres, never in clear', async () => {
    const idempotencyKey = randomUUID();
    const created = await post(START, { body: startBody(), idempotencyKey });

    const { rows } = await api.database.pool.query<{ body_sealed: string; headers: unknown }>(
      'select body_sealed, headers from idempotency_keys where idempotency_key = $1',
      [idempotencyKey],
    );

    expect(created.status).toBe(201);
    expect(rows[0]?.body_sealed).toMatch(/^sealed:v1:/);
    expect(rows[0]?.body_sealed).not.toContain(created.json.id);
    expect(rows[0]?.headers).toMatchObject({ location: created.headers.get('location') });
  });

  it('when a document upload is retried with the same bytes and key, then one document is stored and the answers are equal', async () => {
    const form = new FormData();
    form.set(
      'metadata',
      JSON.stringify({
        practiceId: 'BSNR-123456789',
        kind: 'abrechnungsnachweis',
        title: 'Abrechnungsnachweis',
        physician: { name: 'Dr. A', email: 'a@praxis.example', haevgId: 'H-1', lanr: '123456789' },
      }),
    );
    form.set(
      'file',
      new Blob([`%PDF-1.7\n${randomBytes(64).toString('hex')}`], { type: 'application/pdf' }),
      'nachweis.pdf',
    );
    // The bytes once: a retry sends the same bytes (and so the same boundary).
    const encoded = new Response(form);
    const raw = {
      bytes: new Uint8Array(await encoded.arrayBuffer()),
      contentType: encoded.headers.get('content-type')!,
    };
    const idempotencyKey = randomUUID();

    const first = await post('/api/v1/documents', { raw, idempotencyKey });
    const retry = await post('/api/v1/documents', { raw, idempotencyKey });

    expect(first.status, first.text).toBe(201);
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    const { rows } = await api.database.pool.query<{ count: string }>(
      "select count(*) from documents where title = 'Abrechnungsnachweis'",
    );
    expect(Number(rows[0]?.count)).toBe(1);
  });

  it('when a request comes without the header, then each one runs and none is a replay', async () => {
    const body = startBody();

    const first = await post(START, { body });
    const second = await post(START, { body });

    expect(first.status).toBe(201);
    // The second ran too: it found the invitation of this person running.
    expect(second.status).toBe(409);
    expect(second.headers.get('idempotent-replayed')).toBeNull();
  });
  it('when an answer reveals a one-time code, then its retry shows the same code and no row holds it in clear', async () => {
    // Arrange: an invitation opened by its link, at the step whose answer shows the code.
    const body = startBody();
    const created = await post(START, { body });
    const mail = await waitForMessage({ to: body.input.email, timeoutMs: 20_000 });
    const link = new URL(/http:\/\/portal\.test\/registrierung\?\S+/.exec(mail.text)![0]);
    const events = `/api/v1/processes/${created.json.id as string}/events`;
    const opened = await post(events, {
      body: { type: 'REGISTRATION_STARTED', token: link.searchParams.get('token') },
    });
    expect(opened.status).toBe(200);
    const idempotencyKey = randomUUID();
    const submitted = { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-05-17' };

    // Act
    const first = await post(events, { body: submitted, idempotencyKey });
    const retry = await post(events, { body: submitted, idempotencyKey });

    // Assert
    const code = first.json.revealed?.activationCode as string;
    expect(code).toMatch(/^\d{4} \d{4}$/);
    expect(retry.status).toBe(200);
    expect(retry.json.revealed?.activationCode).toBe(code);
    const { rows } = await api.database.pool.query<{ row: string }>(
      'select t::text as row from idempotency_keys t where idempotency_key = $1',
      [idempotencyKey],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.row).not.toContain(code);
    expect(rows[0]?.row).not.toContain(code.replace(' ', ''));
  });
});

describe('idempotent writes and the answers of a route', () => {
  /** The middleware before a route of its own, on the stack's Postgres: one app = one API process. */
  async function appWith(route: express.RequestHandler): Promise<string> {
    const app = express();
    const caller: Caller = {
      keyId: `key-${randomBytes(4).toString('hex')}`,
      role: 'admin',
      practices: [],
    };
    app.use(jsonBodies([]));
    app.use((req, _res, next) => {
      req.caller = caller;
      next();
    });
    app.use(
      idempotentPosts({
        pool: api.database.pool,
        sealer: secretSealer(randomBytes(32).toString('base64url')),
        maxBodyBytes: 1024,
      }),
    );
    app.post('/work', route);
    app.use(problemHandler);
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/work`;
  }

  const send = (url: string, idempotencyKey: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
      body: '{"job":1}',
    });

  it('when the first request ends in a 503, then the retry runs again and its answer is kept', async () => {
    let runs = 0;
    const url = await appWith((_req, res) => {
      runs += 1;
      if (runs === 1) throw new AppError('unavailable', 503, 'Temporal is down', {}, 5);
      res.status(201).json({ run: runs });
    });
    const idempotencyKey = randomUUID();

    const failed = await send(url, idempotencyKey);
    const retried = await send(url, idempotencyKey);
    const replayed = await send(url, idempotencyKey);

    expect(failed.status).toBe(503);
    expect(failed.headers.get('retry-after')).toBe('5');
    expect(retried.status).toBe(201);
    expect(await retried.json()).toEqual({ run: 2 });
    expect(replayed.status).toBe(201);
    expect(await replayed.json()).toEqual({ run: 2 });
    expect(runs).toBe(2);
  });

  it('when a retry comes while the first request still runs, then it is a 409 with Retry-After, and afterwards the replay', async () => {
    let finish: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (finish = resolve));
    let runs = 0;
    const url = await appWith(async (_req, res) => {
      runs += 1;
      await running;
      res.status(202).location('/somewhere').json({ accepted: true });
    });
    const idempotencyKey = randomUUID();

    const first = send(url, idempotencyKey);
    await expect.poll(() => runs).toBe(1);
    const meanwhile = await send(url, idempotencyKey);
    finish();
    const answered = await first;
    const afterwards = await send(url, idempotencyKey);

    expect(meanwhile.status).toBe(409);
    expect(meanwhile.headers.get('retry-after')).toBe('1');
    expect(await meanwhile.json()).toMatchObject({
      type: 'urn:praxisflow:problem:idempotency-key-in-use',
    });
    expect(answered.status).toBe(202);
    expect(afterwards.status).toBe(202);
    expect(afterwards.headers.get('location')).toBe('/somewhere');
    expect(await afterwards.json()).toEqual({ accepted: true });
    expect(runs).toBe(1);
  });
});
