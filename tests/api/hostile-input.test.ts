import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { waitForMessage } from '../support/mailcatcher.js';

/**
 * What a careless or hostile client sends: bodies too large or of the wrong type, names in
 * every script, ids built to escape. Each gets a problem+json that says what was wrong, never
 * a 500, and nothing is started or changed by a request that was refused.
 */
let api: ApiStack;

beforeAll(async () => {
  api = await startApiStack({ rateLimit: { perMinute: 100_000, burst: 100_000 } });
});

afterAll(async () => {
  await api?.stop();
});

const invitation = (
  lastName: string,
  email = `h.${randomBytes(4).toString('hex')}@praxis.example`,
) => ({
  input: { salutation: 'Frau', firstName: 'Erika', lastName, email, practiceId: 'BSNR-4711' },
});

async function send(path: string, init: { method?: string; type?: string; body: string }) {
  const response = await fetch(api.baseUrl + path, {
    method: init.method ?? 'POST',
    headers: {
      authorization: `Bearer ${api.adminKey}`,
      ...(init.type ? { 'content-type': init.type } : {}),
    },
    body: init.body,
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), text };
}

async function invitationsNamed(lastName: string): Promise<number> {
  const found = await api.request(
    'GET',
    `/api/v1/processes?type=invitation&q=${encodeURIComponent(lastName)}`,
  );
  expect(found.status).toBe(200);
  return (found.body.items as unknown[]).length;
}

describe('bodies', () => {
  it('when a start body is larger than the limit, then 413 problem+json and no process', async () => {
    const lastName = `Gross${randomBytes(3).toString('hex')}`;
    const body = JSON.stringify({ ...invitation(lastName), padding: 'x'.repeat(300 * 1024) });
    const answer = await send('/api/v1/processes/invitation', { type: 'application/json', body });
    expect(answer.status).toBe(413);
    expect(answer.type).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.text)).toMatchObject({ status: 413 });
    expect(await invitationsNamed(lastName)).toBe(0);
  });

  it.each([
    ['text/plain', (body: string) => body],
    ['application/x-www-form-urlencoded', () => 'input[lastName]=Muster'],
    ['application/xml', () => '<input><lastName>Muster</lastName></input>'],
  ])(
    'when a start comes as %s, then 415 names the type it takes and nothing starts',
    async (type, make) => {
      const lastName = `Typ${randomBytes(3).toString('hex')}`;
      const answer = await send('/api/v1/processes/invitation', {
        type,
        body: make(JSON.stringify(invitation(lastName))),
      });
      expect(answer.status).toBe(415);
      expect(answer.type).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(answer.text).detail).toMatch(/application\/json/);
      expect(await invitationsNamed(lastName)).toBe(0);
    },
  );

  it('when the JSON is nested 100,000 deep, then it is refused as a problem, not a crash', async () => {
    const body = '{"input":' + '['.repeat(100_000) + ']'.repeat(100_000) + '}';
    const answer = await send('/api/v1/processes/invitation', { type: 'application/json', body });
    expect(answer.status).toBe(422);
    expect(answer.type).toMatch(/^application\/problem\+json/);
  });

  it('when the JSON is broken, then 400 says so', async () => {
    const answer = await send('/api/v1/processes/invitation', {
      type: 'application/json',
      body: '{"input": {"lastName": "Muster",',
    });
    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/^application\/problem\+json/);
  });
});

describe('names in every script', () => {
  it.each([
    ['German', 'Müller-Lüdenscheidt', 'Jürgen Groß'],
    ['French and Polish', 'Żółkiewska-Lefèvre', 'Zoë Ærøskøbing'],
    ['Greek and Cyrillic', 'Παπαδοπούλου', 'Ёлка Щукина'],
    ['Arabic (right to left)', 'الحسيني', 'نور'],
    ['Turkish dotted I', 'İnce', 'Işıl'],
  ])(
    'when a %s name is given, then it starts and the view and the email carry it unchanged',
    async (_script, lastName, firstName) => {
      const body = invitation(lastName);
      body.input.firstName = firstName;
      const created = await api.request('POST', '/api/v1/processes/invitation', { body });
      expect(created.status).toBe(201);
      expect(created.body.context.invitee).toMatchObject({ lastName, firstName });
      const mail = await waitForMessage({ to: body.input.email, timeoutMs: 20_000 });
      expect(mail.html).toContain(lastName);
    },
  );

  it.each([
    ['a NUL', 'Mus\u0000ter'],
    ['a line break', 'Mus\nter'],
    ['a bidi override', 'Mus\u202Eter'],
  ])(
    'when a name holds %s, then 422 names the field and nothing starts',
    async (_what, lastName) => {
      const created = await api.request('POST', '/api/v1/processes/invitation', {
        body: invitation(lastName),
      });
      expect(created.status).toBe(422);
      expect(JSON.stringify(created.body)).toContain('lastName');
    },
  );
});

describe('control characters in free text', () => {
  it.each([
    ['an escape sequence', 'Karte verloren \u001b[2J\u001b[31m'],
    ['a NUL', 'Karte\u0000verloren'],
    ['a C1 control', 'Karte\u0085verloren'],
  ])(
    "when a card block's reason holds %s, then 422 names the field before anything is looked up",
    async (_what, reason) => {
      const answer = await api.request('POST', '/api/v1/processes/card-K-2026-7K3M9QXT-1/events', {
        body: { type: 'CARD_BLOCKED', reason },
      });
      expect(answer.status).toBe(422);
      expect(answer.body.errors).toEqual([
        { path: 'reason', message: 'Steuerzeichen sind nicht erlaubt.' },
      ]);
    },
  );
});

describe('event types named like object properties', () => {
  it('when an event type is constructor, __proto__ or toString, then 422 unknown event for every key, never a 500', async () => {
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      body: invitation('Proto'),
    });
    expect(created.status).toBe(201);
    const client = await api.createKey('client', ['BSNR-4711']);
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      for (const key of [api.adminKey, client]) {
        const answer = await api.request('POST', `/api/v1/processes/${created.body.id}/events`, {
          key,
          body: { type },
        });
        expect.soft(answer.status, `${type}`).toBe(422);
        expect
          .soft(answer.body.errors, `${type}`)
          .toEqual([{ path: 'type', message: `Unknown event ${type}` }]);
      }
    }
  });
});

describe('hostile ids', () => {
  it.each([
    ['a path escape', '..%2F..%2Fetc%2Fpasswd'],
    ['an encoded NUL', 'invitation-abc%00def'],
    ['SQL', encodeURIComponent("invitation-x' or '1'='1")],
    ['10,000 characters', `invitation-${'a'.repeat(10_000)}`],
    ['another script', encodeURIComponent('invitation-ñandú-数据')],
    ['a broken escape', 'invitation-%E0%A4%A'],
  ])('when an id is %s, then every route answers a problem, never a 500', async (_what, id) => {
    for (const [method, path, body] of [
      ['GET', `/api/v1/processes/${id}`, undefined],
      ['GET', `/api/v1/processes/${id}/audit`, undefined],
      ['POST', `/api/v1/processes/${id}/events`, { type: 'INVITATION_RESENT' }],
      ['DELETE', `/api/v1/processes/${id}`, { reason: 'Test' }],
    ] as const) {
      const answer = await api.request(method, path, body ? { body } : {});
      expect.soft(answer.status, `${method} ${path.slice(0, 60)}`).toBeGreaterThanOrEqual(400);
      expect.soft(answer.status, `${method} ${path.slice(0, 60)}`).toBeLessThan(500);
      expect.soft(answer.body.status).toBe(answer.status);
    }
  });

  it('when a list filter carries SQL, then it is a filter like any other and matches nothing', async () => {
    const answer = await api.request(
      'GET',
      `/api/v1/processes?q=${encodeURIComponent("x%' or 1=1 --")}&businessKey=${encodeURIComponent("' or ''='")}`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.items).toEqual([]);
  });
});

describe('query parameters', () => {
  it('when an event asks for a dry run this server does not offer, then 422 names the parameter and the event is not sent', async () => {
    const lastName = `Probe${randomBytes(3).toString('hex')}`;
    const started = await api.request('POST', '/api/v1/processes/invitation', {
      body: invitation(lastName),
    });
    expect(started.status).toBe(201);
    const id = started.body.id as string;
    const answer = await api.request(
      'POST',
      `/api/v1/processes/${encodeURIComponent(id)}/events?dryRun=true`,
      { body: { type: 'INVITATION_REVOKED' } },
    );
    expect(answer.status).toBe(422);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(answer.body.errors).toEqual([
      { path: 'query.dryRun', message: 'Unknown query parameter: nothing was done' },
    ]);
    const after = await api.request('GET', `/api/v1/processes/${encodeURIComponent(id)}`);
    expect(after.body).toMatchObject({ state: 'registration.invited', status: 'active' });
  });

  it('when a start or a list carries a parameter it does not take, then 422 and nothing starts; documented ones still work', async () => {
    const lastName = `Liste${randomBytes(3).toString('hex')}`;
    const start = await api.request('POST', '/api/v1/processes/invitation?validateOnly=1', {
      body: invitation(lastName),
    });
    expect(start.status).toBe(422);
    expect(start.body.errors).toEqual([expect.objectContaining({ path: 'query.validateOnly' })]);
    expect(await invitationsNamed(lastName)).toBe(0);
    const list = await api.request('GET', '/api/v1/processes?type=invitation&sort=desc');
    expect(list.status).toBe(422);
    expect(list.body.errors).toEqual([expect.objectContaining({ path: 'query.sort' })]);
  });
});
