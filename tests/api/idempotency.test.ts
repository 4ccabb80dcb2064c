import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

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
});
