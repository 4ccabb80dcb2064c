import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowHandle } from '@temporalio/client';
import { secretSealer } from '../../storage/sealed-secrets.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import { latestDefinition } from '../../machines/registry.js';
import { memoryOutbox } from '../support/outbox.js';
import { type ProcessView } from '../../workflows/protocol.js';
import {
  HOUR,
  recordHistory,
  historyEventTypes,
  refusalOf as refusal,
  send,
  settledHistoryEventTypes,
  startProcess,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

interface Sent {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

const sent: Sent[] = [];

const recipient = (to: unknown): string => {
  if (typeof to === 'string') return to;
  if (Array.isArray(to)) return to.map(recipient).join(',');
  return String((to as { address?: string }).address ?? to);
};

const CODE_SECRET = 'test-secret-test-secret-test-secret';

const testEnv = useTimeSkippingWorker(
  createActivities({
    outbox: memoryOutbox(),
    // Records what would leave by SMTP.
    mailer: {
      sendMail: async (message: { to?: unknown; subject?: string; text?: unknown }) => {
        sent.push({
          to: recipient(message.to),
          subject: message.subject ?? '',
          text: String(message.text),
        });
        return { messageId: 'recorded' };
      },
    },
    config: {
      publicBaseUrl: 'https://portal.example',
      mailFrom: 'praxisflow <no-reply@example.org>',
      codeSecret: CODE_SECRET,
    },
  }),
);
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = testEnv();
});

afterAll(async () => {
  for (const scenario of scenarios) await recordHistory(scenario.handle, scenario.name);
});

/** Every started invitation, named after its test, for the replay fixtures. */
const scenarios: { name: string; handle: WorkflowHandle }[] = [];
const scenarioName = (): string =>
  `invitation--${(expect.getState().currentTestName ?? 'unnamed')
    .replace(/^.*?> /, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, 60)
    .replace(/-+$/, '')}`;

let counter = 0;
const invitee = () => {
  counter += 1;
  return {
    salutation: 'Frau' as const,
    firstName: 'Erika',
    lastName: 'Mustermann',
    email: `erika${counter}@praxis.example`,
    practiceId: 'BSNR-123456789',
    inviter: { name: 'Dr. Admin', email: `admin${counter}@praxis.example` },
  };
};

const mailsTo = (email: string): Sent[] => sent.filter((mail) => mail.to.includes(email));
const lastToken = (email: string): string => {
  const mails = mailsTo(email).filter((mail) => /token=/.test(mail.text));
  const token = /token=([A-Za-z0-9_-]+)/.exec(mails.at(-1)?.text ?? '')?.[1];
  if (!token) throw new Error(`no registration link sent to ${email}`);
  return token;
};
/**
 * The activation code the registration page shows: handed back with the answer, once, sealed
 * (the API opens it for its caller; history never holds it in the clear).
 */
const activationCode = (answer: ProcessView): string => {
  const sealed = answer.revealed?.activationCode;
  expect(sealed).toMatch(/^sealed:v1:/);
  const code = sealed && secretSealer(CODE_SECRET).open(sealed);
  if (!code) throw new Error('no activation code in the answer');
  expect(code).toMatch(/^\d{4} \d{4}$/);
  return code;
};

async function startInvitation(options: { continueAsNewAfterSteps?: number } = {}) {
  const input = invitee();
  const handle = await startProcess(env, 'invitation', {
    input,
    // New invitations start the newest machine; version 1 lives on in the replay fixtures.
    version: latestDefinition('invitation')!.version,
    practiceId: input.practiceId,
    ...options,
  });
  // The link is issued by an activity; wait until it is on record.
  for (let i = 0; i < 50 && mailsTo(input.email).length === 0; i += 1)
    await new Promise((r) => setTimeout(r, 50));
  scenarios.push({ name: scenarioName(), handle });
  return { handle, input };
}

async function toDeviceRegistration() {
  const started = await startInvitation();
  await send(started.handle, {
    type: 'REGISTRATION_STARTED',
    token: lastToken(started.input.email),
  });
  const v = await send(started.handle, {
    type: 'PERSONAL_DATA_SUBMITTED',
    birthDate: '1980-05-17',
  });
  expect(v.state).toBe('registration.deviceRegistration');
  return { ...started, code: activationCode(v) };
}

const dueIn = (v: ProcessView, name: string): number | undefined => {
  const timer = v.timers.find((t) => t.name === name);
  return timer ? Date.parse(timer.dueAt) - Date.parse(v.createdAt) : undefined;
};

describe('invitation workflow', () => {
  it('when the person walks the whole registration, then it ends in completed with consent and Postfach access', async () => {
    const { handle, input } = await startInvitation();
    const invited = await view(handle);
    expect(invited).toMatchObject({
      state: 'registration.invited',
      stateLabel: 'Eingeladen',
      status: 'active',
    });
    expect(dueIn(invited, 'invitationExpiry')).toBe(720 * HOUR);
    expect(dueIn(invited, 'invitationReminder')).toBe(696 * HOUR);
    expect(mailsTo(input.email)[0]?.text).toContain('https://portal.example/');

    const personal = await send(handle, {
      type: 'REGISTRATION_STARTED',
      token: lastToken(input.email),
    });
    expect(personal).toMatchObject({
      state: 'registration.personalData',
      stateLabel: 'Persönliche Daten',
    });
    const device = await send(handle, { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-05-17' });
    expect(device.stateLabel).toBe('Geräteregistrierung');
    const code = activationCode(device);
    // Shown once: not in the view, not in any email.
    expect(JSON.stringify(await view(handle))).not.toContain(code);
    expect(JSON.stringify(await view(handle))).not.toContain(code.replace(' ', ''));
    for (const mail of mailsTo(input.email)) expect(mail.text).not.toContain(code);
    const requested = await send(handle, {
      type: 'DEVICE_ACTIVATED',
      activationCode: code,
      pin: '483920',
      pinConfirmation: '483920',
    });
    expect(requested).toMatchObject({ state: 'requested', stateLabel: 'Beantragt' });
    expect(requested.revealed).toBeUndefined();
    expect(mailsTo(input.email).map((mail) => mail.subject)).toEqual([
      'Einladung zu „Mein AOK Gesundheitspartnerservice“',
      'Status Ihrer Registrierung: Aktivierung Ihres Zugangs',
      'Ihre Registrierung',
    ]);
    const completed = await send(handle, { type: 'REGISTRATION_APPROVED' });
    expect(completed).toMatchObject({
      state: 'completed',
      stateLabel: 'Erfolgreich abgeschlossen',
      timers: [],
    });
    expect(completed.context.postfachAccess).toBe(false);
    const consented = await send(handle, { type: 'CONSENT_GIVEN', textVersion: '2026-01' });
    expect(consented.context.postfachAccess).toBe(true);
    const withdrawn = await send(handle, { type: 'CONSENT_WITHDRAWN' });
    expect(withdrawn.context.postfachAccess).toBe(false);

    // No secret, not even hashed, ever shows in the view.
    const shown = JSON.stringify(withdrawn);
    expect(shown).not.toMatch(/tokenHash|codeHash|pinHash|483920/);
    expect(shown).not.toContain(lastToken(input.email));
  });

  it('when 719 h pass, then the invitation is still open; at 720 h it expires and the inviter is told', async () => {
    const { handle, input } = await startInvitation();
    await env.sleep(719 * HOUR);
    expect((await view(handle)).state).toBe('registration.invited');
    await env.sleep(HOUR + 60_000);
    const expired = await view(handle);
    expect(expired).toMatchObject({ state: 'expired', stateLabel: 'Abgelaufen', status: 'done' });
    expect(mailsTo(input.inviter.email)).toHaveLength(1);
  });

  it('when 696 h pass, then the reminder goes out once, and not a minute earlier', async () => {
    const { handle, input } = await startInvitation();
    await env.sleep(696 * HOUR - 60_000);
    expect(mailsTo(input.email)).toHaveLength(1);
    await env.sleep(2 * 60_000);
    const mails = mailsTo(input.email);
    expect(mails).toHaveLength(2);
    expect(mails[1]!.subject).toMatch(/läuft bald ab/);
    // The reminder carries the invitation's own link.
    expect(mails[1]!.text).toContain(`token=${lastToken(input.email)}`);
    expect(mails[0]!.text).toContain(`token=${lastToken(input.email)}`);
    await env.sleep(10 * HOUR);
    expect(mailsTo(input.email)).toHaveLength(2);
    expect((await view(handle)).state).toBe('registration.invited');
  });

  it('when the invitation is resent, then the old link is dead, the new one works and the window starts over', async () => {
    const { handle, input } = await startInvitation();
    const oldToken = lastToken(input.email);
    await env.sleep(500 * HOUR);
    const resent = await send(handle, { type: 'INVITATION_RESENT' });
    // The window restarts at the resend, 500 h (and the milliseconds the test took) later.
    const expiryOf = (v: ProcessView) =>
      Date.parse(v.timers.find((t) => t.name === 'invitationExpiry')!.dueAt);
    const shift = expiryOf(resent) - (Date.parse(resent.createdAt) + 720 * HOUR);
    expect(shift).toBeGreaterThanOrEqual(500 * HOUR);
    expect(shift).toBeLessThan(500 * HOUR + 5_000);
    await new Promise((r) => setTimeout(r, 200));
    const newToken = lastToken(input.email);
    expect(newToken).not.toBe(oldToken);

    const dead = await refusal(send(handle, { type: 'REGISTRATION_STARTED', token: oldToken }));
    expect(dead.type).toBe('Rejected');
    expect(dead.details).toMatchObject({ status: 422, errors: [{ path: 'token' }] });

    await env.sleep(300 * HOUR); // 800 h after the first invitation, 300 h after the second
    expect((await view(handle)).state).toBe('registration.invited');
    const v = await send(handle, { type: 'REGISTRATION_STARTED', token: newToken });
    expect(v.state).toBe('registration.personalData');
  });

  it('when the invitation is revoked, then it ends as Widerrufen and the link no longer works', async () => {
    const { handle, input } = await startInvitation();
    const revoked = await send(handle, { type: 'INVITATION_REVOKED', reason: 'falsche Person' });
    expect(revoked).toMatchObject({
      state: 'revoked',
      stateLabel: 'Widerrufen',
      status: 'done',
      allowedEvents: [],
    });
    // The workflow has ended: an event has nothing to reach any more.
    await expect(
      send(handle, { type: 'REGISTRATION_STARTED', token: lastToken(input.email) }),
    ).rejects.toThrow();
    expect(await handle.result()).toMatchObject({ state: 'revoked', status: 'done' });
  });

  it('when the activation code is wrong 5 times, then the registration locks and the inviter is told', async () => {
    const { handle, input, code: right } = await toDeviceRegistration();
    const wrong = right === '11111111' ? '22222222' : '11111111';
    for (let attempt = 1; attempt <= 4; attempt += 1) {
      const refused = await refusal(
        send(handle, {
          type: 'DEVICE_ACTIVATED',
          activationCode: wrong,
          pin: '483920',
          pinConfirmation: '483920',
        }),
      );
      expect(refused.details).toMatchObject({ status: 422, errors: [{ path: 'activationCode' }] });
      expect(String(refused.details.detail)).toContain(`Noch ${5 - attempt}`);
    }
    await refusal(
      send(handle, {
        type: 'DEVICE_ACTIVATED',
        activationCode: wrong,
        pin: '483920',
        pinConfirmation: '483920',
      }),
    );
    expect(await view(handle)).toMatchObject({
      state: 'locked',
      stateLabel: 'Gesperrt',
      status: 'done',
    });
    expect(mailsTo(input.inviter.email)).toHaveLength(1);
  });

  it('when the PIN breaks a rule, then 422 names the field and nothing reaches the history', async () => {
    const { handle, code } = await toDeviceRegistration();
    const before = await historyEventTypes(handle);
    for (const [pin, pinConfirmation, path] of [
      ['12345', '12345', 'pin'],
      ['123456', '123456', 'pin'],
      ['000000', '000000', 'pin'],
      ['483920', '483921', 'pinConfirmation'],
    ] as const) {
      const refused = await refusal(
        send(handle, { type: 'DEVICE_ACTIVATED', activationCode: code, pin, pinConfirmation }),
      );
      expect(refused.type).toBe('InvalidPayload');
      expect(refused.details.status).toBe(422);
      expect(refused.details.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ path })]),
      );
    }
    expect(await historyEventTypes(handle)).toEqual(before);
    expect((await view(handle)).state).toBe('registration.deviceRegistration');
  });

  it('when an event is not allowed in the state, then 409 lists the allowed ones and nothing reaches the history', async () => {
    const { handle } = await startInvitation();
    const before = await settledHistoryEventTypes(handle);
    const refused = await refusal(send(handle, { type: 'REGISTRATION_APPROVED' }));
    expect(refused.type).toBe('NotAllowed');
    expect(refused.details).toMatchObject({ status: 409 });
    expect(refused.details.allowedEvents).toEqual(
      expect.arrayContaining(['REGISTRATION_STARTED', 'INVITATION_RESENT', 'INVITATION_REVOKED']),
    );
    expect(await historyEventTypes(handle)).toEqual(before);
  });

  it('when the link is opened again at any step, then it leads to the step the person is at, until the registration ends', async () => {
    const { handle, input } = await startInvitation();
    const token = lastToken(input.email);
    const open = () => send(handle, { type: 'REGISTRATION_STARTED', token });

    expect((await open()).state).toBe('registration.personalData');
    expect((await open()).state).toBe('registration.personalData');
    const device = await send(handle, { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-05-17' });
    const first = activationCode(device);

    // The status email carries the same link, and no code.
    const status = mailsTo(input.email).at(-1)!;
    expect(status.subject).toBe('Status Ihrer Registrierung: Aktivierung Ihres Zugangs');
    expect(status.text).toContain(`token=${token}`);
    expect(status.text).toContain('AOK 2-Faktor App');
    expect(status.text).not.toMatch(/\b\d{4} \d{4}\b/);

    // Back at the Geräteregistrierung: a fresh code is shown; the earlier one is dead.
    const again = await open();
    expect(again.state).toBe('registration.deviceRegistration');
    const second = activationCode(again);
    if (second !== first) {
      const refused = await refusal(
        send(handle, {
          type: 'DEVICE_ACTIVATED',
          activationCode: first,
          pin: '483920',
          pinConfirmation: '483920',
        }),
      );
      expect(refused.details).toMatchObject({ status: 422, errors: [{ path: 'activationCode' }] });
    }
    const requested = await send(handle, {
      type: 'DEVICE_ACTIVATED',
      activationCode: second,
      pin: '483920',
      pinConfirmation: '483920',
    });
    expect(requested.state).toBe('requested');
    expect(mailsTo(input.email).at(-1)!.text).toContain(`token=${token}`);
    expect(mailsTo(input.email).at(-1)!.text).not.toContain('Ihre Praxis prüft');
    expect((await open()).stateLabel).toBe('Beantragt');

    await send(handle, { type: 'REGISTRATION_APPROVED' });
    const ended = await refusal(open());
    expect(ended.details).toMatchObject({ status: 409 });
  });

  it('when the invitation continues as new, then its state and both timers keep their due times', async () => {
    const { handle, input } = await startInvitation({ continueAsNewAfterSteps: 2 });
    await env.sleep(100 * HOUR);
    const before = await send(handle, {
      type: 'REGISTRATION_STARTED',
      token: lastToken(input.email),
    });
    expect((await handle.describe()).runId).not.toBe(handle.firstExecutionRunId);
    const after = await view(handle);
    expect(after).toMatchObject({
      state: 'registration.personalData',
      step: before.step,
      createdAt: before.createdAt,
    });
    expect(after.timers).toEqual(before.timers);
    expect(dueIn(after, 'invitationExpiry')).toBe(720 * HOUR);
    await env.sleep(620 * HOUR + 60_000);
    expect((await view(handle)).state).toBe('expired');
  });
});
