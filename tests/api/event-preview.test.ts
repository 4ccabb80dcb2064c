import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { untilAtRest } from '../support/at-rest.js';

let api: ApiStack;
let keys: { operator: string; own: string; foreign: string };
const OWN = 'BSNR-246813579';

beforeAll(async () => {
  api = await startApiStack();
  keys = {
    operator: await api.createKey('operator'),
    own: await api.createKey('client', [OWN]),
    foreign: await api.createKey('client', ['BSNR-135792468']),
  };
});

afterAll(async () => {
  await api?.stop();
});

/** An invitation of the own practice, at rest in `registration.invited` with its link issued. */
async function invitation(): Promise<{ id: string; path: string }> {
  const created = await api.request('POST', '/api/v1/processes/invitation', {
    body: {
      input: {
        salutation: 'Frau',
        firstName: 'Vera',
        lastName: 'Vorschau',
        email: `vera.${randomBytes(4).toString('hex')}@praxis.example`,
        practiceId: OWN,
      },
    },
    key: keys.own,
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await untilAtRest(api.client, [id]);
  return { id, path: `/api/v1/processes/${encodeURIComponent(id)}` };
}

describe('what an event would do (POST …/events/preview)', () => {
  it('when an operator previews a resend, then the answer names the state, the restarted timers and the link to issue, and the process is untouched', async () => {
    const { id, path } = await invitation();
    const before = await api.request('GET', path);
    const historyBefore = await api.historyLength(id);
    const sentAt = Date.now();

    const preview = await api.request('POST', `${path}/events/preview`, {
      body: { type: 'INVITATION_RESENT' },
      key: keys.operator,
    });

    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      dryRun: true,
      event: 'INVITATION_RESENT',
      from: { state: 'registration.invited', stateLabel: 'Eingeladen' },
      to: { state: 'registration.invited', stateLabel: 'Eingeladen', status: 'active' },
      effects: [{ kind: 'activity', name: 'issueRegistrationLink', channel: 'email' }],
    });
    expect(preview.body.to.allowedEvents).toEqual(before.body.allowedEvents);
    // Reminder and expiry start over from now: each falls due later than the running one.
    const due = (timers: { name: string; dueAt: string }[], name: string): number =>
      Date.parse(timers.find((timer) => timer.name === name)!.dueAt);
    for (const name of ['invitationReminder', 'invitationExpiry']) {
      expect(due(preview.body.to.timers, name)).toBeGreaterThan(due(before.body.timers, name));
      expect(due(preview.body.to.timers, name)).toBeGreaterThanOrEqual(
        sentAt + (due(before.body.timers, name) - Date.parse(before.body.createdAt)),
      );
    }

    // Nothing was written: the same view, not one event more in the history.
    const after = await api.request('GET', path);
    expect(after.body).toMatchObject({
      step: before.body.step,
      state: before.body.state,
      timers: before.body.timers,
      updatedAt: before.body.updatedAt,
    });
    expect(await api.historyLength(id)).toBe(historyBefore);
  });

  it('when a revocation is previewed, then the process would end Widerrufen with no timers and no email', async () => {
    const { path } = await invitation();
    const preview = await api.request('POST', `${path}/events/preview`, {
      body: { type: 'INVITATION_REVOKED', reason: 'Doppelt eingeladen' },
      key: keys.own,
    });
    expect(preview.status).toBe(200);
    expect(preview.body.to).toEqual({
      state: 'revoked',
      stateLabel: 'Widerrufen',
      status: 'done',
      allowedEvents: [],
      timers: [],
    });
    expect(preview.body.effects).toEqual([]);
    expect((await api.request('GET', path)).body.status).toBe('active');
  });

  it('when a preview asks for what a real event would be refused, then it gets the same 403, 404, 409 and 422', async () => {
    const { path } = await invitation();
    const ask = (body: unknown, key: string) =>
      api.request('POST', `${path}/events/preview`, { body, key });

    const backOffice = await ask({ type: 'REGISTRATION_APPROVED' }, keys.own);
    expect(backOffice.status).toBe(403);
    expect(backOffice.body.detail).toBe(
      'REGISTRATION_APPROVED is sent by the back office, not with this API key',
    );
    const stranger = await ask({ type: 'INVITATION_REVOKED' }, keys.foreign);
    expect(stranger.status).toBe(404);

    const early = await ask({ type: 'REGISTRATION_APPROVED' }, keys.operator);
    expect(early.status).toBe(409);
    expect(early.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(early.body.allowedEvents).toEqual(
      expect.arrayContaining(['REGISTRATION_STARTED', 'INVITATION_REVOKED']),
    );
    const badToken = await ask({ type: 'REGISTRATION_STARTED', token: 42 }, keys.own);
    expect(badToken.status).toBe(422);
    expect(badToken.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'token' })]),
    );
    const unknown = await ask({ type: 'NO_SUCH_EVENT' }, keys.own);
    expect(unknown.status).toBe(422);
  });

  it('when the process has ended, then a preview is refused like the event (409, nothing allowed)', async () => {
    const { path } = await invitation();
    const revoked = await api.request('POST', `${path}/events`, {
      body: { type: 'INVITATION_REVOKED' },
      key: keys.operator,
    });
    expect(revoked.status).toBe(200);
    const preview = await api.request('POST', `${path}/events/preview`, {
      body: { type: 'INVITATION_RESENT' },
      key: keys.operator,
    });
    expect(preview.status).toBe(409);
    expect(preview.body.allowedEvents).toEqual([]);
  });
});
