import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processTypes } from '../../machines/registry.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';

let api: ApiStack;
const OWN = 'BSNR-100000001';
const FOREIGN = 'BSNR-200000002';
let keys: Record<'admin' | 'operator' | 'own' | 'foreign', string>;
let processId: string;

const invitation = (practiceId = OWN) => ({
  input: {
    salutation: 'Frau',
    firstName: 'Ada',
    lastName: 'Roth',
    email: `ada.${randomBytes(4).toString('hex')}@praxis.example`,
    practiceId,
  },
});

beforeAll(async () => {
  api = await startApiStack();
  keys = {
    admin: api.adminKey,
    operator: await api.createKey('operator'),
    own: await api.createKey('client', [OWN]),
    foreign: await api.createKey('client', [FOREIGN]),
  };
  const created = await api.request('POST', '/api/v1/processes/invitation', {
    body: invitation(),
    key: keys.own,
  });
  expect(created.status).toBe(201);
  processId = created.body.id;
});

afterAll(async () => {
  await api?.stop();
});

type Who = keyof typeof keys;
const statusFor = async (who: Who, method: string, path: string, body?: unknown) =>
  (await api.request(method, path, { key: keys[who], ...(body ? { body } : {}) })).status;

describe('roles and practices', () => {
  it('when each role starts an invitation, then admins and the practice itself may, operators and other practices may not', async () => {
    const start = (who: Who, practiceId = OWN) =>
      statusFor(who, 'POST', '/api/v1/processes/invitation', invitation(practiceId));
    expect(await start('admin')).toBe(201);
    expect(await start('own')).toBe(201);
    expect(await start('operator')).toBe(403);
    expect(await start('foreign')).toBe(403);
    expect(await start('foreign', FOREIGN)).toBe(201);
    const anonymous = await api.request('POST', '/api/v1/processes/invitation', {
      body: invitation(),
      key: null,
    });
    expect(anonymous.status).toBe(401);
  });

  it('when each role reads the process, its history and the list, then another practice sees nothing, exactly as for an id that does not exist', async () => {
    for (const who of ['admin', 'operator', 'own'] as const) {
      expect(await statusFor(who, 'GET', `/api/v1/processes/${processId}`)).toBe(200);
      expect(await statusFor(who, 'GET', `/api/v1/processes/${processId}/history`)).toBe(200);
    }
    const foreignView = await api.request('GET', `/api/v1/processes/${processId}`, {
      key: keys.foreign,
    });
    const missing = await api.request('GET', '/api/v1/processes/invitation-0000000000', {
      key: keys.foreign,
    });
    expect(foreignView.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(Object.keys(foreignView.body).sort()).toEqual(Object.keys(missing.body).sort());
    expect(await statusFor('foreign', 'GET', `/api/v1/processes/${processId}/history`)).toBe(404);

    const listed = async (who: Who, query = '') =>
      (await api.request('GET', `/api/v1/processes?limit=500${query}`, { key: keys[who] })).body
        .items as { id: string; practiceId: string }[];
    expect((await listed('admin')).map((item) => item.id)).toContain(processId);
    expect((await listed('operator')).map((item) => item.id)).toContain(processId);
    expect((await listed('own')).map((item) => item.id)).toContain(processId);
    const foreignItems = await listed('foreign');
    expect(foreignItems.length).toBeGreaterThan(0);
    expect(foreignItems.every((item) => item.practiceId === FOREIGN)).toBe(true);
    expect(await listed('foreign', `&practiceId=${OWN}`)).toEqual([]);
  });

  it('when each role sends events, then the practice sends its own, the back office its own, and another practice gets 404', async () => {
    const events = `/api/v1/processes/${processId}/events`;
    expect(await statusFor('own', 'POST', events, { type: 'INVITATION_RESENT' })).toBe(200);
    expect(await statusFor('operator', 'POST', events, { type: 'INVITATION_RESENT' })).toBe(200);
    expect(await statusFor('admin', 'POST', events, { type: 'INVITATION_RESENT' })).toBe(200);
    expect(await statusFor('foreign', 'POST', events, { type: 'INVITATION_RESENT' })).toBe(404);
    // An approval is the back office's: the practice's own key may not approve.
    const approval = await api.request('POST', events, {
      key: keys.own,
      body: { type: 'REGISTRATION_APPROVED' },
    });
    expect(approval.status).toBe(403);
    expect(approval.headers.get('content-type')).toContain('application/problem+json');
    // An operator may not act as the invited person.
    expect(
      await statusFor('operator', 'POST', events, {
        type: 'REGISTRATION_STARTED',
        token: 'x'.repeat(43),
      }),
    ).toBe(403);
  });

  it('when each role retries or cancels, then clients may not, another practice learns nothing, and an operator may', async () => {
    const path = `/api/v1/processes/${processId}`;
    const reason = { reason: 'Test' };
    // Retrying a failed action is the back office's too; without an incident there is none.
    expect(await statusFor('own', 'POST', `${path}/retry`, {})).toBe(403);
    expect(await statusFor('foreign', 'POST', `${path}/retry`, {})).toBe(403);
    expect(await statusFor('operator', 'POST', `${path}/retry`, {})).toBe(409);
    expect(await statusFor('own', 'DELETE', path, reason)).toBe(403);
    expect(await statusFor('foreign', 'DELETE', path, reason)).toBe(403);
    expect(await statusFor('operator', 'DELETE', path, reason)).toBe(200);
    const history = await api.request('GET', `${path}/history`, { key: keys.own });
    expect(history.body.entries.at(-1)).toMatchObject({ event: 'CANCELLED' });
  });

  it('when a revoked or made-up key is used, then 401 for every route', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/machines'],
      ['GET', '/api/v1/processes'],
      ['GET', `/api/v1/processes/${processId}`],
      ['GET', `/api/v1/processes/${processId}/history`],
      ['POST', `/api/v1/processes/${processId}/events`],
      ['DELETE', `/api/v1/processes/${processId}`],
      ['POST', `/api/v1/processes/${processId}/retry`],
    ] as const) {
      const response = await api.request(method, path, {
        key: `pf_c_${randomBytes(32).toString('base64url')}`,
        ...(method === 'GET' ? {} : { body: {} }),
      });
      expect(response.status, `${method} ${path}`).toBe(401);
    }
  });
});

/** Every process type's start route for every role: none is left out. */
const NOT_IN_MATRIX: readonly string[] = [];

/** Types that start only elsewhere: every key that may start anything is refused with 422. */
const STARTED_ELSEWHERE = ['documentDelivery', 'card'];

const address = (name: string) => ({
  name,
  street: 'Marktplatz 3',
  postcode: '53111',
  city: 'Bonn',
});

/** A valid `input` of each type for a practice (each start a process of its own). */
const startInputs: Record<string, (practiceId: string) => Record<string, unknown>> = {
  invitation: (practiceId) => invitation(practiceId).input,
  ehbaApplication: (practiceId) => ({
    cardType: 'eHBA',
    firstName: 'Ada',
    lastName: 'Roth',
    birthDate: '1980-04-12',
    email: `ada.${randomBytes(4).toString('hex')}@praxis.example`,
    chamber: 'Ärztekammer Nordrhein',
    address: address('Dr. med. Ada Roth'),
    practiceId,
  }),
  contactVerification: (practiceId) => ({
    practiceId,
    practiceName: 'Praxis Dr. Roth',
    channel: 'email',
    address: `praxis.${randomBytes(4).toString('hex')}@praxis.example`,
  }),
  nightlyDigest: (practiceId) => ({ practiceId }),
  accountCredentials: (practiceId) => ({
    practiceId,
    holderName: 'Dr. med. Ada Roth',
    address: address('Dr. med. Ada Roth'),
  }),
  mtanRegistration: (practiceId) => ({
    practiceId,
    haevgId: `H-${randomBytes(3).toString('hex')}`,
    lanr: String(100_000_000 + randomBytes(3).readUIntBE(0, 3)),
    mobile: '0151 12345678',
  }),
  // Starts with its upload (POST /api/v1/documents), never here.
  documentDelivery: (practiceId) => ({ practiceId }),
  // Starts with the chamber's approval of its application, never here; a chosen card number
  // and a shipment to the caller's address are exactly what must not start one.
  card: (practiceId) => ({
    cardNumber: 'K-2026-000001-1',
    cardType: 'eHBA',
    holder: {
      firstName: 'Ada',
      lastName: 'Roth',
      email: 'ada@praxis.example',
      address: address('Dr. med. Ada Roth'),
    },
    practiceId,
  }),
};

type Starter = Who | 'anonymous';
const STARTERS: readonly Starter[] = ['admin', 'operator', 'own', 'foreign', 'anonymous'];

/** What each role gets from `POST /api/v1/processes/{type}` with a valid input of practice OWN. */
const expectedStart = (type: string): Record<Starter, number> =>
  STARTED_ELSEWHERE.includes(type)
    ? { admin: 422, operator: 403, own: 422, foreign: 422, anonymous: 401 }
    : { admin: 201, operator: 403, own: 201, foreign: 403, anonymous: 401 };

describe('the start route of every process type, for every role', () => {
  it('when the matrix is drawn up, then it has a row for every process type but the ones named', () => {
    expect(Object.keys(startInputs).sort()).toEqual(
      processTypes()
        .filter((type) => !NOT_IN_MATRIX.includes(type))
        .sort(),
    );
  });

  it.each(Object.keys(startInputs))(
    'when each role starts a %s, then admins and the practice itself may, the back office, other practices and strangers may not',
    async (type) => {
      const got: Partial<Record<Starter, number>> = {};
      for (const who of STARTERS) {
        // The admin starts for a practice of its own, so per-practice processes do not clash.
        const practiceId = who === 'admin' ? `BSNR-${randomBytes(4).toString('hex')}` : OWN;
        const answer = await api.request('POST', `/api/v1/processes/${type}`, {
          key: who === 'anonymous' ? null : keys[who],
          body: { practiceId, input: startInputs[type]!(practiceId) },
        });
        got[who] = answer.status;
      }
      expect(got).toEqual(expectedStart(type));
    },
  );

  it('when each role uploads a document (the start of a documentDelivery), then only the back office and admins may', async () => {
    const upload = async (who: Starter) => {
      const form = new FormData();
      form.set(
        'metadata',
        JSON.stringify({
          practiceId: OWN,
          kind: 'sonstiges',
          title: 'Mitteilung',
          physician: {
            name: 'Dr. med. Ada Roth',
            email: 'ada@praxis.example',
            haevgId: 'H-104711',
            lanr: '123456701',
          },
        }),
      );
      form.set('file', new Blob(['Hallo'], { type: 'text/plain' }), 'mitteilung.txt');
      const response = await fetch(`${api.baseUrl}/api/v1/documents`, {
        method: 'POST',
        headers: who === 'anonymous' ? {} : { authorization: `Bearer ${keys[who]}` },
        body: form,
      });
      return response.status;
    };
    const got: Partial<Record<Starter, number>> = {};
    for (const who of STARTERS) got[who] = await upload(who);
    expect(got).toEqual({ admin: 201, operator: 201, own: 403, foreign: 403, anonymous: 401 });
  });
});
