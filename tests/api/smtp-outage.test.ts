import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/lib/net.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { messagesTo, waitForMessage } from '../support/mailcatcher.js';
import { relayOnPort } from '../support/smtp-relay.js';

/**
 * SMTP down for a while: the invitation's message waits (the effect retries with backoff, the
 * outbox shows each failure, events sent meanwhile wait their turn), and once the relay is
 * back, the message goes out once and the process goes on.
 */
let api: ApiStack;
let relayPort = 0;
let relay: { close(): Promise<void> } | undefined;
const EVENT_DEADLINE_MS = 4_000;

beforeAll(async () => {
  relayPort = await freePort();
  api = await startApiStack({
    smtpUrl: `smtp://127.0.0.1:${relayPort}`,
    eventDeadlineMs: EVENT_DEADLINE_MS,
  });
});

afterAll(async () => {
  await api?.stop();
  await relay?.close();
});

describe('an SMTP outage', () => {
  it('when SMTP is down for a while, then the message waits, is visible as failing, and goes out once when SMTP is back', async () => {
    const email = `outage.${randomBytes(4).toString('hex')}@praxis.example`;
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: {
          salutation: 'Herr',
          firstName: 'Olaf',
          lastName: 'Stein',
          email,
          practiceId: 'BSNR-7',
        },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;

    // A few retries (2 s, 4 s, …) fail meanwhile; the outbox says so.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    const { rows: failing } = await api.database.pool.query(
      'select status, attempts, last_error from outbox where process_id = $1',
      [id],
    );
    expect(failing).toHaveLength(1);
    expect(failing[0]).toMatchObject({ status: 'failed' });
    expect(failing[0].attempts).toBeGreaterThanOrEqual(2);
    expect(failing[0].last_error).toMatch(/ECONNREFUSED/);
    expect((await api.request('GET', `/api/v1/processes/${id}`)).body.step).toBe(0);
    expect(await messagesTo(email)).toHaveLength(0);

    relay = await relayOnPort(process.env.MAILCATCHER_SMTP_URL!, relayPort);
    const mail = await waitForMessage({ to: email, timeoutMs: 30_000 });
    expect(mail.subject).toMatch(/Einladung/);
    for (let i = 0; i < 50; i += 1) {
      if ((await api.request('GET', `/api/v1/processes/${id}`)).body.step >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const view = await api.request('GET', `/api/v1/processes/${id}`);
    expect(view.body).toMatchObject({ step: 1, state: 'registration.invited', incident: null });
    const { rows: sent } = await api.database.pool.query(
      'select status from outbox where process_id = $1',
      [id],
    );
    expect(sent).toEqual([{ status: 'sent' }]);
    expect(await messagesTo(email)).toHaveLength(1);
  }, 90_000);

  it('when an event sets off an email while SMTP is down, then it is answered 202 with the view and Location in bounded time, and taken once SMTP is back', async () => {
    relay ??= await relayOnPort(process.env.MAILCATCHER_SMTP_URL!, relayPort);
    const email = `bounded.${randomBytes(4).toString('hex')}@praxis.example`;
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: {
          salutation: 'Frau',
          firstName: 'Ida',
          lastName: 'Vogel',
          email,
          practiceId: 'BSNR-7',
        },
      },
    });
    const id = created.body.id as string;
    await waitForMessage({ to: email, timeoutMs: 30_000 });
    await relay.close();
    relay = undefined;

    const sentAt = Date.now();
    const resent = await api.request('POST', `/api/v1/processes/${id}/events`, {
      body: { type: 'INVITATION_RESENT' },
    });
    const tookMs = Date.now() - sentAt;

    expect(resent.status).toBe(202);
    expect(resent.headers.get('location')).toBe(`/api/v1/processes/${id}`);
    expect(resent.body).toMatchObject({ id, state: 'registration.invited' });
    // The deadline, plus at most the few seconds the view may take: not the effect's minutes.
    expect(tookMs).toBeGreaterThanOrEqual(EVENT_DEADLINE_MS - 100);
    expect(tookMs).toBeLessThan(EVENT_DEADLINE_MS + 4_000);
    expect(await messagesTo(email)).toHaveLength(1);

    relay = await relayOnPort(process.env.MAILCATCHER_SMTP_URL!, relayPort);
    for (let i = 0; i < 150 && (await messagesTo(email)).length < 2; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const { rows } = await api.database.pool.query<{ step: number; event: string }>(
      'select step, event from audit where process_id = $1 order by step',
      [id],
    );
    expect(rows.map((row) => row.event)).toContain('INVITATION_RESENT');
    expect(await messagesTo(email)).toHaveLength(2);
  }, 90_000);
});
