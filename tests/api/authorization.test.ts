import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
