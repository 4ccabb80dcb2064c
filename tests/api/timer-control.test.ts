import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { untilAtRest } from '../support/at-rest.js';
import { waitForMessage } from '../support/mailcatcher.js';

let api: ApiStack;
let keys: { operator: string; client: string };
const PRACTICE = 'BSNR-864213579';

beforeAll(async () => {
  api = await startApiStack();
  keys = {
    operator: await api.createKey('operator'),
    client: await api.createKey('client', [PRACTICE]),
  };
});

afterAll(async () => {
  await api?.stop();
});

interface Timer {
  name: string;
  dueAt: string;
}

/** A fresh invitation at rest in `registration.invited`, its reminder and expiry running. */
async function invitation(): Promise<{ id: string; path: string; email: string }> {
  const email = `tim.${randomBytes(4).toString('hex')}@praxis.example`;
  const created = await api.request('POST', '/api/v1/processes/invitation', {
    body: {
      input: {
        salutation: 'Herr',
        firstName: 'Tim',
        lastName: 'Frist',
        email,
        practiceId: PRACTICE,
      },
    },
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await untilAtRest(api.client, [id]);
  await waitForMessage({ to: email, subject: /^Einladung/ });
  return { id, path: `/api/v1/processes/${encodeURIComponent(id)}`, email };
}

const dueOf = (timers: Timer[], name: string): string | undefined =>
  timers.find((timer) => timer.name === name)?.dueAt;

async function historyOf(
  path: string,
): Promise<{ event: string; actor: string; detail?: Record<string, unknown> }[]> {
  const history = await api.request('GET', `${path}/history`);
  expect(history.status).toBe(200);
  return history.body.entries;
}

describe('timer control', () => {
  it('when an operator fires the reminder now, then the reminder email goes out at once, in the operator’s name, and the expiry keeps its time', async () => {
    const { path, email } = await invitation();
    const before = await api.request('GET', path);
    const expiry = dueOf(before.body.timers, 'invitationExpiry');

    const fired = await api.request('POST', `${path}/timers/invitationReminder/fire`, {
      body: { reason: 'Die Praxis bittet um eine Erinnerung heute.' },
      key: keys.operator,
    });

    expect(fired.status).toBe(200);
    expect(fired.body.state).toBe('registration.invited');
    expect(dueOf(fired.body.timers, 'invitationReminder')).toBeUndefined();
    expect(dueOf(fired.body.timers, 'invitationExpiry')).toBe(expiry);
    const reminder = await waitForMessage({ to: email, subject: /^Erinnerung/ });
    expect(reminder.subject).toContain('läuft bald ab');
    const last = (await historyOf(path)).at(-1)!;
    expect(last.actor).not.toBe('timer');
    expect(last.detail).toEqual({
      timer: 'invitationReminder',
      reason: 'Die Praxis bittet um eine Erinnerung heute.',
      firedEarly: true,
    });

    // Fired is fired: a second try finds no such timer running.
    const again = await api.request('POST', `${path}/timers/invitationReminder/fire`, {
      body: { reason: 'Noch einmal.' },
      key: keys.operator,
    });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe(
      'No timer invitationReminder is running; running: invitationExpiry',
    );
  });

  it('when an operator moves the expiry to a few seconds from now, then the invitation expires then, and the audit names the move', async () => {
    const { path } = await invitation();
    const dueAt = new Date(Date.now() + 3_000).toISOString();

    const moved = await api.request('POST', `${path}/timers/invitationExpiry/move`, {
      body: { dueAt, reason: 'Einladung war an die falsche Adresse gerichtet.' },
      key: keys.operator,
    });

    expect(moved.status).toBe(200);
    expect(dueOf(moved.body.timers, 'invitationExpiry')).toBe(dueAt);
    expect(moved.body.state).toBe('registration.invited');
    const move = (await historyOf(path)).at(-1)!;
    expect(move).toMatchObject({
      event: 'TIMER_MOVED',
      detail: {
        timer: 'invitationExpiry',
        dueAt,
        reason: 'Einladung war an die falsche Adresse gerichtet.',
      },
    });
    await expect
      .poll(async () => (await api.request('GET', path)).body.state, { timeout: 15_000 })
      .toBe('expired');
  });

  it('when the request is not an operator’s, lacks a reason, names no running timer or a bad time, then 403, 422 or 409 and nothing changes', async () => {
    const { path } = await invitation();
    const before = await api.request('GET', path);

    const byClient = await api.request('POST', `${path}/timers/invitationReminder/fire`, {
      body: { reason: 'Bitte sofort.' },
      key: keys.client,
    });
    expect(byClient.status).toBe(403);
    const noReason = await api.request('POST', `${path}/timers/invitationReminder/fire`, {
      body: {},
      key: keys.operator,
    });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors).toEqual([expect.objectContaining({ path: 'reason' })]);
    const badTime = await api.request('POST', `${path}/timers/invitationExpiry/move`, {
      body: { dueAt: 'morgen früh', reason: 'Verlängert.' },
      key: keys.operator,
    });
    expect(badTime.status).toBe(422);
    expect(badTime.body.errors).toEqual([expect.objectContaining({ path: 'dueAt' })]);
    const unknown = await api.request('POST', `${path}/timers/codeExpiry/fire`, {
      body: { reason: 'Probe.' },
      key: keys.operator,
    });
    expect(unknown.status).toBe(409);
    expect(unknown.body.allowedEvents).toEqual(before.body.allowedEvents);

    const after = await api.request('GET', path);
    expect(after.body).toMatchObject({ step: before.body.step, timers: before.body.timers });
  });
});
