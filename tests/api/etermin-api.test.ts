import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { waitForMessage } from '../support/mailcatcher.js';

/**
 * The appointment service through the real API, worker and mail catcher: a practice confirms
 * its email channel with the code that really arrives, reports bookings and cancellations,
 * and sees what its nightly overview holds and when it goes.
 */
let api: ApiStack;
let client: string;
let stranger: string;
const practiceId = `BSNR-${randomBytes(4).toString('hex')}`;
const email = `praxis.${practiceId.toLowerCase()}@praxis.example`;

beforeAll(async () => {
  api = await startApiStack();
  client = await api.createKey('client', [practiceId]);
  stranger = await api.createKey('client', ['BSNR-somebody-else']);
});

afterAll(async () => {
  await api?.stop();
});

const appointment = {
  kind: 'booked',
  appointmentId: `TSS-${randomBytes(3).toString('hex')}`,
  at: '2026-12-01T09:30:00+01:00',
  patientInitials: 'E. M.',
  specialty: 'Hals-Nasen-Ohrenheilkunde',
};

const germanClock = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  hour: '2-digit',
  minute: '2-digit',
});

describe('eTerminservice through the API', () => {
  it('when a practice reports bookings before it confirmed a channel, then its overview keeps them with a warning', async () => {
    const answer = await api.request('POST', `/api/v1/practices/${practiceId}/appointments`, {
      key: client,
      body: appointment,
    });
    expect(answer.status).toBe(202);
    expect(answer.headers.get('location')).toBe(`/api/v1/practices/${practiceId}/digest`);
    let digest = await api.request('GET', `/api/v1/practices/${practiceId}/digest`, {
      key: client,
    });
    for (let i = 0; i < 50 && digest.body.items?.length !== 1; i++) {
      await new Promise((r) => setTimeout(r, 100));
      digest = await api.request('GET', `/api/v1/practices/${practiceId}/digest`, { key: client });
    }
    expect(digest.status).toBe(200);
    expect(digest.body).toMatchObject({
      practiceId,
      stateLabel: 'Sammelt für die Nacht',
      channel: null,
      warning: expect.stringMatching(/Kein bestätigter Benachrichtigungskanal/),
    });
    // The night's overview goes at 01:30 plus this practice's minute, German time.
    const at = Date.parse(digest.body.nextDigestAt as string);
    expect(at - Date.now()).toBeGreaterThan(0);
    expect(at - Date.now()).toBeLessThanOrEqual(25 * 3_600_000);
    expect(germanClock.format(at)).toMatch(/^01:(3\d|4\d)$/);
  });

  it('when the same appointment is reported again, then it is in the overview once', async () => {
    for (let i = 0; i < 2; i++) {
      const again = await api.request('POST', `/api/v1/practices/${practiceId}/appointments`, {
        key: client,
        body: appointment,
      });
      expect(again.status).toBe(202);
    }
    const cancelled = await api.request('POST', `/api/v1/practices/${practiceId}/appointments`, {
      key: client,
      body: { ...appointment, kind: 'cancelled' },
    });
    expect(cancelled.status).toBe(202);
    let digest = await api.request('GET', `/api/v1/practices/${practiceId}/digest`, {
      key: client,
    });
    for (let i = 0; i < 50 && digest.body.items?.length !== 2; i++) {
      await new Promise((r) => setTimeout(r, 100));
      digest = await api.request('GET', `/api/v1/practices/${practiceId}/digest`, { key: client });
    }
    const keys = (digest.body.items as { key: string }[]).map((item) => item.key);
    expect(keys).toEqual([
      `${appointment.appointmentId}:booked`,
      `${appointment.appointmentId}:cancelled`,
    ]);
  });

  it('when the practice confirms its email with the code it received, then the overview goes there and the warning is gone', async () => {
    const started = await api.request('POST', '/api/v1/processes/contactVerification', {
      key: client,
      body: {
        input: {
          practiceId,
          practiceName: 'Praxis Dr. Beispiel',
          channel: 'email',
          address: email,
        },
      },
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    expect(started.body).toMatchObject({
      id: `contactVerification-${practiceId}`,
      stateLabel: 'Bestätigung ausstehend',
    });
    // What the Webportal eTerminservice tells the practice after saving (seed 001).
    expect(started.body.stateHint).toContain(
      'Der Versand der Bestätigungsnachricht kann einige Minuten dauern.',
    );
    expect(started.body.stateHint).toContain('prüfen Sie bitte auch Ihren Spam-Ordner');
    const mail = await waitForMessage({ to: email, subject: /Bestätigung/, timeoutMs: 20_000 });
    expect(mail.text).toContain('eTerminservice der Kassenärztlichen Vereinigungen');
    const code = /\b([3467ACDEFGHJKMNPQRTUVWXY9]{4} [3467ACDEFGHJKMNPQRTUVWXY9]{4})\b/.exec(
      mail.text,
    )?.[1];
    expect(code).toBeDefined();
    expect(JSON.stringify(started.body)).not.toContain(code!);

    const id = `contactVerification-${practiceId}`;
    const wrong = await api.request('POST', `/api/v1/processes/${id}/events`, {
      key: client,
      body: { type: 'CODE_SUBMITTED', code: 'AAAA AAAA' },
    });
    expect(wrong.status).toBe(422);
    expect(wrong.body.detail).toMatch(/Noch 4 Versuche/);
    const right = await api.request('POST', `/api/v1/processes/${id}/events`, {
      key: client,
      body: { type: 'CODE_SUBMITTED', code: code!.toLowerCase() },
    });
    expect(right.body).toMatchObject({ stateLabel: 'Bestätigt' });

    const digest = await api.request('GET', `/api/v1/practices/${practiceId}/digest`, {
      key: client,
    });
    expect(digest.body).toMatchObject({
      channel: { channel: 'email', address: email },
      warning: null,
    });
  });

  it('when a report is wrong or for another practice, then it is refused and nothing is recorded', async () => {
    const bad = await api.request('POST', `/api/v1/practices/${practiceId}/appointments`, {
      key: client,
      body: { ...appointment, appointmentId: 'TSS-x', at: '2026-12-01 09:30' },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'at' })]);
    const names = await api.request('POST', `/api/v1/practices/${practiceId}/appointments`, {
      key: client,
      body: { ...appointment, appointmentId: 'TSS-y', patientInitials: 'Erika Mustermann' },
    });
    expect(names.status).toBe(422);
    const foreign = await api.request('POST', `/api/v1/practices/${practiceId}/appointments`, {
      key: stranger,
      body: appointment,
    });
    expect(foreign.status).toBe(404);
    const peek = await api.request('GET', `/api/v1/practices/${practiceId}/digest`, {
      key: stranger,
    });
    expect(peek.status).toBe(404);
    const digest = await api.request('GET', `/api/v1/practices/${practiceId}/digest`, {
      key: client,
    });
    expect(digest.body.items).toHaveLength(2);
  });
});
