import { secretSealer } from '../../storage/sealed-secrets.js';
import { CONTINUE_AS_NEW, START_PROCESS } from '../../machines/process-definition.js';
import { definitionOf, processTypes } from '../../machines/registry.js';
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { initialTransition, transition, type SnapshotFrom } from 'xstate';
import { verifyKeyedHash, verifyPin } from '../../activities/codes.js';
import { createActivities, type ActionMeta, type ActivityDeps } from '../../activities/index.js';
import type { MailMessage } from '../../activities/types.js';
import { memoryOutbox } from '../support/outbox.js';
import { invitationMachine } from '../../machines/invitation.js';
import {
  invitationInputSchema,
  type InvitationEvent,
  type Invitee,
  type SendEmailParams,
} from '../../machines/invitation.schema.js';

const SECRET = 'server-secret-for-tests';
const NOW = Date.parse('2026-03-02T09:30:00Z');

const invitee: Invitee = {
  salutation: 'Frau',
  firstName: 'Erika',
  lastName: 'Mustermann',
  email: 'erika@praxis.example',
};
const inviter = { name: 'Dr. Admin', email: 'admin@praxis.example' };

let step = 0;
const meta = (): ActionMeta => {
  step += 1;
  return {
    workflowId: 'invitation-4711',
    processType: 'invitation',
    step,
    idempotencyKey: `invitation-4711:${step}:0`,
    at: new Date(NOW).toISOString(),
  };
};

function setup(config: Partial<ActivityDeps['config']> = {}) {
  const sent: MailMessage[] = [];
  const outbox = memoryOutbox();
  const activities = createActivities({
    outbox,
    mailer: {
      sendMail: async (message) => {
        sent.push(message);
        return { accepted: [message.to] };
      },
    },
    config: {
      publicBaseUrl: 'https://portal.example',
      mailFrom: 'Gesundheitspartnerservice <no-reply@portal.example>',
      codeSecret: SECRET,
      ...config,
    },
  });
  return { activities, sent, outbox, last: () => sent.at(-1) as MailMessage };
}

const tokenIn = (text: string) =>
  /registrierung\?prozess=[^&\s]+&(?:amp;)?token=([A-Za-z0-9_-]+)/.exec(text)?.[1] ?? '';
const codeIn = (text: string) => /\b(\d{4} \d{4})\b/.exec(text)?.[1] ?? '';

let consoleSpies: MockInstance[] = [];
beforeEach(() => {
  consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
    vi.spyOn(console, method),
  );
});
afterEach(() => {
  // Activities handle secrets: they log nothing at all.
  for (const spy of consoleSpies) expect(spy).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});

describe('createActivities', () => {
  it('has one activity for every action of every machine, by the same name, and no other', () => {
    const { activities } = setup();
    // The interpreter carries out these itself.
    const builtIn = new Set<string>([START_PROCESS, CONTINUE_AS_NEW]);
    // Every version a running process may have: version 1 cards still send their old letter.
    const actions = new Set(
      processTypes().flatMap((type) =>
        [1, 2, 3, 4]
          .map((version) => definitionOf(type, version))
          .flatMap((definition) =>
            definition ? Object.keys(definition.machine.implementations.actions) : [],
          ),
      ),
    );
    expect(Object.keys(activities).sort()).toEqual(
      [...actions].filter((name) => !builtIn.has(name)).sort(),
    );
    expect(Object.keys(activities)).toEqual(
      expect.arrayContaining(Object.keys(invitationMachine.implementations.actions)),
    );
  });
});

describe('issueRegistrationLink', () => {
  it('emails the one-time link to the invitee and returns only the keyed hash of its token', async () => {
    const { activities, sent, last } = setup();
    const actionMeta = meta();
    const result = await activities.issueRegistrationLink(
      { invitee, practiceId: 'BSNR-123456789', inviterName: 'Dr. Admin' },
      actionMeta,
    );

    expect(sent).toHaveLength(1);
    const mail = last();
    const token = tokenIn(mail.text);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result).toEqual({
      type: 'REGISTRATION_LINK_ISSUED',
      tokenHash: expect.any(String),
      linkRef: actionMeta.idempotencyKey,
    });
    expect(result.tokenHash).not.toContain(token);
    expect(verifyKeyedHash(SECRET, 'registration-token', token, result.tokenHash)).toBe(true);

    expect(mail).toMatchObject({
      from: { name: 'Mein AOK Gesundheitspartnerservice', address: 'no-reply@aok.example' },
      to: { name: 'Erika Mustermann', address: 'erika@praxis.example' },
      subject: 'Einladung zu „Mein AOK Gesundheitspartnerservice“',
      messageId: '<invitation-4711=3A1=3A0@praxisflow>',
      headers: { 'Auto-Submitted': 'auto-generated' },
    });
    expect(mail.subject).not.toContain(token);
    expect(mail.text).toContain('Sehr geehrte Frau Mustermann,');
    expect(mail.text).toContain(
      'Sie wurden erfolgreich für „Mein AOK Gesundheitspartnerservice“ als Leistungserbringer ' +
        '(Mitarbeiter) eingeladen. Sie haben 720 Stunden Zeit, den Registrierungsprozess ' +
        'fortzusetzen. Klicken Sie hierzu auf den nachfolgenden Button:',
    );
    expect(mail.text).toContain('Registrierung fortsetzen:\nhttps://portal.example/registrierung');
    expect(mail.text).toContain('AOK 2-Faktor App');
    expect(mail.text).toContain('Eingeladen hat Sie Dr. Admin.');
    // A person's email names no practice id.
    expect(mail.text).not.toContain('BSNR-123456789');
    expect(mail.text).toContain(
      `https://portal.example/registrierung?prozess=invitation-4711&token=${token}`,
    );
    // 720 h after 2 March 2026, 10:30 CET is 1 April, 11:30 CEST
    expect(mail.text).toContain('(längstens bis 01.04.2026, 11:30 Uhr)');
    expect(mail.text).not.toContain('nur einmal');
    expect(mail.html).toContain(
      `href="https://portal.example/registrierung?prozess=invitation-4711&amp;token=${token}"`,
    );
  });

  it('issues a new token every time, so a resent invitation kills the old link', async () => {
    const { activities, sent } = setup();
    const params = { invitee, practiceId: 'BSNR-123456789', inviterName: null };
    const first = await activities.issueRegistrationLink(params, meta());
    const second = await activities.issueRegistrationLink(params, meta());
    const [oldToken, newToken] = sent.map((mail) => tokenIn(mail.text));
    expect(newToken).not.toBe(oldToken);
    expect(second.tokenHash).not.toBe(first.tokenHash);
    expect(
      await activities.verifyRegistrationToken(
        { token: oldToken ?? '', tokenHash: second.tokenHash },
        meta(),
      ),
    ).toEqual({ type: 'REGISTRATION_TOKEN_REJECTED' });
    expect(sent[0]?.text).not.toContain('Eingeladen hat Sie');
  });

  it('states the expiry of the deployment when it overrides the delay', async () => {
    const { activities, last } = setup({ delays: { invitationExpiry: 60 * 60_000 } });
    await activities.issueRegistrationLink(
      { invitee, practiceId: 'P-1', inviterName: null },
      meta(),
    );
    expect(last().text).toContain('Sie haben 1 Stunde Zeit');
    expect(last().text).toContain('längstens bis 02.03.2026, 11:30 Uhr');
  });
});

describe('verifyRegistrationToken', () => {
  it('accepts the token of the stored hash and refuses any other, or a missing hash', async () => {
    const { activities, last } = setup();
    const { tokenHash } = await activities.issueRegistrationLink(
      { invitee, practiceId: 'P-1', inviterName: null },
      meta(),
    );
    const token = tokenIn(last().text);
    const verify = (t: string, h: string | null) =>
      activities.verifyRegistrationToken({ token: t, tokenHash: h }, meta());
    expect(await verify(token, tokenHash)).toEqual({ type: 'REGISTRATION_TOKEN_ACCEPTED' });
    expect(await verify('B'.repeat(43), tokenHash)).toEqual({
      type: 'REGISTRATION_TOKEN_REJECTED',
    });
    expect(await verify(token, null)).toEqual({ type: 'REGISTRATION_TOKEN_REJECTED' });
    expect(await verify(token, 'short')).toEqual({ type: 'REGISTRATION_TOKEN_REJECTED' });
  });
});

describe('issueActivationCode and verifyActivationCode', () => {
  it('emails an 8-digit code as `2748 0323`, keeps it out of the subject, and returns its keyed hash', async () => {
    const { activities, last } = setup();
    const result = await activities.issueActivationCode({ invitee, maxAttempts: 5 }, meta());
    const mail = last();
    const code = codeIn(mail.text);
    expect(code).toMatch(/^\d{4} \d{4}$/);
    expect(mail.subject).toBe('Ihr Aktivierungscode für die Geräteregistrierung');
    expect(mail.subject).not.toMatch(/\d/);
    expect(mail.html).toContain(`<strong>${code}</strong>`);
    expect(mail.text).toContain(
      'Nach 5 falschen Eingaben wird die Registrierung aus Sicherheitsgründen gesperrt.',
    );
    expect(result).toEqual({ type: 'ACTIVATION_CODE_ISSUED', codeHash: expect.any(String) });
    expect(verifyKeyedHash(SECRET, 'activation-code', code.replace(' ', ''), result.codeHash)).toBe(
      true,
    );
  });

  it('shows the code instead of emailing it when the registration page shows it (version 2)', async () => {
    const { activities, sent } = setup();
    const result = await activities.issueActivationCode(
      { invitee, maxAttempts: 5, show: true },
      meta(),
    );
    expect(sent).toHaveLength(0);
    expect(result).toEqual({
      type: 'ACTIVATION_CODE_ISSUED',
      codeHash: expect.any(String),
      // Sealed: the result lies in history; the API opens it for the caller alone.
      reveal: { activationCode: expect.stringMatching(/^sealed:v1:/) },
    });
    const shown = secretSealer(SECRET).open(result.reveal!.activationCode);
    expect(shown).toMatch(/^\d{4} \d{4}$/);
    const code = shown!.replace(' ', '');
    expect(verifyKeyedHash(SECRET, 'activation-code', code, result.codeHash)).toBe(true);
  });

  it('accepts the right code, with or without the space, and returns the argon2 hash of the PIN', async () => {
    const { activities, last } = setup();
    const { codeHash } = await activities.issueActivationCode({ invitee, maxAttempts: 5 }, meta());
    const code = codeIn(last().text);
    for (const activationCode of [code, code.replace(' ', '')]) {
      const result = await activities.verifyActivationCode(
        { activationCode, codeHash, pin: '483920' },
        meta(),
      );
      expect(result).toEqual({
        type: 'ACTIVATION_CODE_ACCEPTED',
        pinHash: expect.stringMatching(/^\$argon2id\$/),
      });
      if (result.type !== 'ACTIVATION_CODE_ACCEPTED') continue;
      expect(result.pinHash).not.toContain('483920');
      expect(await verifyPin(result.pinHash, '483920', SECRET)).toBe(true);
    }
  });

  it('refuses a wrong code or a missing hash, and hashes no PIN then', async () => {
    const { activities, last } = setup();
    const { codeHash } = await activities.issueActivationCode({ invitee, maxAttempts: 5 }, meta());
    const code = codeIn(last().text).replace(' ', '');
    const wrong = String((Number(code) + 1) % 100_000_000).padStart(8, '0');
    expect(
      await activities.verifyActivationCode(
        { activationCode: wrong, codeHash, pin: '483920' },
        meta(),
      ),
    ).toEqual({
      type: 'ACTIVATION_CODE_REJECTED',
    });
    expect(
      await activities.verifyActivationCode(
        { activationCode: code, codeHash: null, pin: '483920' },
        meta(),
      ),
    ).toEqual({ type: 'ACTIVATION_CODE_REJECTED' });
  });
});

describe('sendEmail', () => {
  const cases: readonly (readonly [SendEmailParams, string, string, readonly string[]])[] = [
    [
      { template: 'invitationReminder', to: invitee, inviterName: 'Dr. Admin' },
      'erika@praxis.example',
      'Erinnerung: Ihre Einladung zu „Mein AOK Gesundheitspartnerservice“ läuft bald ab',
      [
        'Sehr geehrte Frau Mustermann,',
        // the reminder fires 24 h before the end
        'läuft am 03.03.2026, 10:30 Uhr ab.',
        'über den Button „Registrierung fortsetzen“ in der Einladungs-E-Mail',
        'Finden Sie die Einladung nicht mehr, bitten Sie Dr. Admin um eine neue.',
      ],
    ],
    [
      {
        template: 'registrationRequested',
        to: { ...invitee, salutation: 'Herr', lastName: 'Weber' },
      },
      'erika@praxis.example',
      'Ihre Registrierung',
      [
        'Sehr geehrter Herr Weber,',
        'Ihre Registrierung für „Mein AOK Gesundheitspartnerservice“ ist beantragt:',
      ],
    ],
    [
      {
        template: 'registrationRequested',
        to: invitee,
        linkRef: 'invitation-4711:1:0',
      },
      'erika@praxis.example',
      'Ihre Registrierung',
      [
        'Registrierung fortsetzen:\nhttps://portal.example/registrierung?prozess=invitation-4711&token=',
      ],
    ],
    [
      { template: 'activationStatus', to: invitee, linkRef: 'invitation-4711:1:0' },
      'erika@praxis.example',
      'Status Ihrer Registrierung: Aktivierung Ihres Zugangs',
      [
        'registrieren Sie Ihr Gerät mit der AOK 2-Faktor App.',
        'Registrierung fortsetzen:\nhttps://portal.example/registrierung?prozess=invitation-4711&token=',
        'Aus Sicherheitsgründen steht der Aktivierungscode nicht in dieser E-Mail.',
      ],
    ],
    [
      { template: 'registrationCompleted', to: { ...invitee, salutation: null } },
      'erika@praxis.example',
      'Registrierung erfolgreich abgeschlossen',
      [
        'Guten Tag Erika Mustermann,',
        'Jetzt einloggen:\nhttps://portal.example/login',
        'willigen in die Verarbeitung Ihrer Daten ein',
      ],
    ],
    [
      { template: 'registrationRejected', to: invitee, reason: 'Keine Mitarbeiterin\nder Praxis' },
      'erika@praxis.example',
      'Registrierung abgelehnt',
      ['wurde leider abgelehnt. Die Begründung lautet:', '    Keine Mitarbeiterin\n    der Praxis'],
    ],
    [
      { template: 'invitationExpired', to: inviter, invitee },
      'admin@praxis.example',
      'Einladung abgelaufen',
      ['Guten Tag Dr. Admin,', 'die Einladung an Frau Erika Mustermann (erika@praxis.example)'],
    ],
    [
      {
        template: 'registrationLocked',
        to: { name: null, email: 'admin@praxis.example' },
        invitee,
      },
      'admin@praxis.example',
      'Registrierung gesperrt',
      ['Sehr geehrte Damen und Herren,', 'weil der Aktivierungscode 5-mal falsch eingegeben wurde'],
    ],
  ];

  it.each(cases)(
    'renders %o in German to the right person',
    async (params, address, subject, phrases) => {
      const { activities, sent } = setup();
      const actionMeta = meta();
      await expect(activities.sendEmail(params, actionMeta)).resolves.toBeUndefined();
      expect(sent).toHaveLength(1);
      const [mail] = sent;
      expect(mail).toMatchObject({
        to: { address },
        subject,
        messageId: `<invitation-4711=3A${actionMeta.step}=3A0@praxisflow>`,
      });
      for (const phrase of phrases) expect(mail?.text).toContain(phrase);
      expect(mail?.html).toContain('<!DOCTYPE html>');
    },
  );

  it('escapes a rejection reason in the HTML part', async () => {
    const { activities, last } = setup();
    await activities.sendEmail(
      {
        template: 'registrationRejected',
        to: invitee,
        reason: '<a href="https://evil.example">hier</a>',
      },
      meta(),
    );
    expect(last().html).toContain('&lt;a href=&quot;https://evil.example&quot;&gt;hier&lt;/a&gt;');
    expect(last().html).not.toContain('<a href="https://evil.example">');
  });

  it('when the activity is retried after its message was accepted, then nothing is sent again', async () => {
    const { activities, sent, outbox } = setup();
    const actionMeta = meta();
    const params: SendEmailParams = { template: 'registrationRequested', to: invitee };
    await activities.sendEmail(params, actionMeta);
    await activities.sendEmail(params, actionMeta);
    expect(sent).toHaveLength(1);
    expect(outbox.entries.get(actionMeta.idempotencyKey)).toMatchObject({
      status: 'sent',
      attempts: 2,
      channel: 'email',
      recipient: invitee.email,
    });
  });

  it('when the send and its mark were cut apart, then the retry sends again with the same Message-ID', async () => {
    const { activities, sent, outbox } = setup();
    const markSent = outbox.markSent.bind(outbox);
    let crashes = 1;
    outbox.markSent = async (key, reference) => {
      if (crashes-- > 0) throw new Error('worker died before the mark');
      return markSent(key, reference);
    };
    const actionMeta = meta();
    const params: SendEmailParams = { template: 'registrationRequested', to: invitee };
    await expect(activities.sendEmail(params, actionMeta)).rejects.toThrow(/before the mark/);
    await activities.sendEmail(params, actionMeta);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.messageId).toBe(sent[0]?.messageId);
    expect(sent[1]?.text).toBe(sent[0]?.text);
  });
});

describe('machine and activities together', () => {
  type Snapshot = SnapshotFrom<typeof invitationMachine>;

  it('when a person follows the emails, then the registration reaches Beantragt with a PIN hash and no secret in the context', async () => {
    const { activities, sent } = setup();
    const rejections: unknown[] = [];
    const activity = activities as unknown as Record<
      string,
      (p: unknown, m: ActionMeta) => Promise<unknown>
    >;

    // What the interpreter does: run each named action as its activity, feed results back first.
    async function run(snapshot: Snapshot, actions: readonly { type: string; params?: unknown }[]) {
      let current = snapshot;
      for (const action of actions) {
        if (action.type === 'xstate.emit')
          rejections.push((action.params as { event: unknown }).event);
        if (action.type.startsWith('xstate.')) continue;
        const result = (await activity[action.type]?.(action.params, meta())) as
          InvitationEvent | undefined;
        if (result) current = await send(current, result);
      }
      return current;
    }
    async function send(snapshot: Snapshot, event: InvitationEvent): Promise<Snapshot> {
      const [next, actions] = transition(invitationMachine, snapshot, {
        ...event,
        receivedAt: '2026-03-02T10:00:00.000Z',
        actor: 'key-1',
      });
      return run(next, actions);
    }

    const input = invitationInputSchema.parse({
      ...invitee,
      practiceId: 'BSNR-123456789',
      inviter,
    });
    const [first, startActions] = initialTransition(invitationMachine, input);
    let snapshot = await run(first, startActions);
    const token = tokenIn(sent.at(-1)?.text ?? '');

    snapshot = await send(snapshot, { type: 'REGISTRATION_STARTED', token: 'B'.repeat(43) });
    expect(snapshot.value).toEqual({ registration: 'invited' });
    expect(rejections).toEqual([expect.objectContaining({ status: 422, path: 'token' })]);

    snapshot = await send(snapshot, { type: 'REGISTRATION_STARTED', token });
    snapshot = await send(snapshot, { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-05-17' });
    expect(snapshot.value).toEqual({ registration: 'deviceRegistration' });

    const code = codeIn(sent.at(-1)?.text ?? '');
    const wrong = String((Number(code.replace(' ', '')) + 1) % 100_000_000).padStart(8, '0');
    snapshot = await send(snapshot, {
      type: 'DEVICE_ACTIVATED',
      activationCode: wrong,
      pin: '483920',
      pinConfirmation: '483920',
    });
    expect(snapshot.context.failedActivationAttempts).toBe(1);
    expect(rejections.at(-1)).toMatchObject({
      status: 422,
      path: 'activationCode',
      detail: 'Der Aktivierungscode ist falsch. Noch 4 Versuche.',
    });
    snapshot = await send(snapshot, {
      type: 'DEVICE_ACTIVATED',
      activationCode: code,
      pin: '483920',
      pinConfirmation: '483920',
    });

    expect(snapshot.value).toBe('requested');
    expect(await verifyPin(snapshot.context.pinHash ?? '', '483920', SECRET)).toBe(true);
    expect(sent.map((mail) => mail.subject)).toEqual([
      'Einladung zu „Mein AOK Gesundheitspartnerservice“',
      // version 1 emails the code
      'Ihr Aktivierungscode für die Geräteregistrierung',
      'Ihre Registrierung',
    ]);
    const context = JSON.stringify(snapshot.context);
    for (const secret of [token, code, code.replace(' ', ''), '483920'])
      expect(context).not.toContain(secret);
  });
});
