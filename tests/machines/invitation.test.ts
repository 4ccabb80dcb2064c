import {
  adjacencyMapToArray,
  getAdjacencyMap,
  getShortestPaths,
  getStateNodes,
} from '@xstate/graph';
import { initialTransition, transition, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import { describe, expect, it } from 'vitest';
import { HOUR } from '../../machines/process-definition.js';
import {
  invitationDelays,
  invitationMachine,
  invitationProcess,
  MAX_ACTIVATION_ATTEMPTS,
} from '../../machines/invitation.js';
import {
  invitationInputSchema,
  type InvitationEvent,
  type InvitationInput,
} from '../../machines/invitation.schema.js';

type Snapshot = SnapshotFrom<typeof invitationMachine>;
type TimerEvent = { type: `xstate.after.${string}` };

const EXPIRY_ID = 'xstate.after.invitationExpiry.invitation.registration';
const REMINDER_ID = 'xstate.after.invitationReminder.invitation.registration.invited';
const expiryFires: TimerEvent = { type: EXPIRY_ID };
const reminderFires: TimerEvent = { type: REMINDER_ID };

const TOKEN = 'A'.repeat(43);
const NOW = '2026-03-02T09:30:00.000Z';
const at = { receivedAt: NOW, actor: 'key-1' };

const rawInput = {
  salutation: 'Frau',
  firstName: '  Erika ',
  lastName: 'Mustermann',
  email: ' Erika.Mustermann@Praxis.example ',
  practiceId: 'BSNR-123456789',
  inviter: { name: 'Dr. Admin', email: 'admin@praxis.example' },
};
const input = invitationInputSchema.parse(rawInput);
const invitee = {
  salutation: 'Frau',
  firstName: 'Erika',
  lastName: 'Mustermann',
  email: 'Erika.Mustermann@Praxis.example',
} as const;
const inviter = { name: 'Dr. Admin', email: 'admin@praxis.example' };

/** The actions XState hands the interpreter, without the bookkeeping fields. */
const effects = (actions: readonly { type: string; params?: unknown }[]) =>
  actions.map(({ type, params }) => ({ type, params }));

const start = (startInput: InvitationInput = input) =>
  initialTransition(invitationMachine, startInput);

function send(snapshot: Snapshot, event: InvitationEvent | TimerEvent) {
  const [next, actions] = transition(invitationMachine, snapshot, event as InvitationEvent);
  return { next, actions: effects(actions) };
}

/** Walks from the start through the given events; returns the last snapshot. */
function walk(events: readonly (InvitationEvent | TimerEvent)[], startInput = input): Snapshot {
  return events.reduce((snapshot, event) => send(snapshot, event).next, start(startInput)[0]);
}

const toInvited = [{ type: 'REGISTRATION_LINK_ISSUED', tokenHash: 'token-hash-1' }] as const;
const toPersonalData = [
  ...toInvited,
  { type: 'REGISTRATION_STARTED', token: TOKEN, ...at },
  { type: 'REGISTRATION_TOKEN_ACCEPTED' },
] as const;
const toDeviceRegistration = [
  ...toPersonalData,
  { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-05-17', phone: '0221 123456', ...at },
  { type: 'ACTIVATION_CODE_ISSUED', codeHash: 'code-hash-1' },
] as const;
const toRequested = [
  ...toDeviceRegistration,
  {
    type: 'DEVICE_ACTIVATED',
    activationCode: '2748 0323',
    pin: '483920',
    pinConfirmation: '483920',
  },
  { type: 'ACTIVATION_CODE_ACCEPTED', pinHash: '$argon2id$pin-hash' },
] as const;
const toCompleted = [...toRequested, { type: 'REGISTRATION_APPROVED', ...at }] as const;

const rejectedEmit = (detail: string | RegExp, path?: string) => ({
  type: 'xstate.emit',
  params: {
    event: expect.objectContaining({
      type: 'rejected',
      status: 422,
      detail: typeof detail === 'string' ? detail : expect.stringMatching(detail),
      ...(path ? { path } : {}),
    }),
  },
});
const cancel = (sendId: string) => ({ type: 'xstate.cancel', params: { sendId } });
const raise = (id: string, delay: number) => ({
  type: 'xstate.raise',
  params: { event: { type: id }, id, delay },
});

/** One event of every external type, with a valid payload. */
const externalEvents: readonly InvitationEvent[] = [
  { type: 'REGISTRATION_STARTED', token: TOKEN },
  { type: 'INVITATION_RESENT' },
  { type: 'INVITATION_REVOKED' },
  { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-05-17' },
  {
    type: 'DEVICE_ACTIVATED',
    activationCode: '27480323',
    pin: '483920',
    pinConfirmation: '483920',
  },
  { type: 'REGISTRATION_APPROVED' },
  { type: 'REGISTRATION_REJECTED', reason: 'Keine Mitarbeiterin der Praxis' },
  { type: 'CONSENT_GIVEN', textVersion: '2026-01' },
  { type: 'CONSENT_WITHDRAWN' },
];

function expectOnlyAllowed(snapshot: Snapshot, allowed: readonly string[]) {
  const takes = externalEvents.filter((event) => snapshot.can(event)).map((event) => event.type);
  expect(takes.sort()).toEqual([...allowed].sort());
  for (const event of externalEvents.filter((e) => !allowed.includes(e.type))) {
    const { next, actions } = send(snapshot, event);
    expect(next.value).toEqual(snapshot.value);
    expect(next.context).toEqual(snapshot.context);
    expect(actions).toEqual([]);
  }
}

describe('invitation machine: registration.invited', () => {
  it('when an invitation starts, then it is Eingeladen, issues the link and arms reminder (696 h) and expiry (720 h)', () => {
    const [snapshot, actions] = start();
    expect(snapshot.value).toEqual({ registration: 'invited' });
    expect(snapshot.getMeta()['invitation.registration.invited']).toEqual({ label: 'Eingeladen' });
    expect(snapshot.context).toEqual({
      invitee,
      practiceId: 'BSNR-123456789',
      inviter,
      tokenHash: null,
      personalData: null,
      codeHash: null,
      failedActivationAttempts: 0,
      pinHash: null,
      revocationReason: null,
      rejectionReason: null,
      consents: [],
      postfachAccess: false,
    });
    expect(effects(actions)).toEqual([
      raise(EXPIRY_ID, 720 * HOUR),
      {
        type: 'issueRegistrationLink',
        params: { invitee, practiceId: 'BSNR-123456789', inviterName: 'Dr. Admin' },
      },
      raise(REMINDER_ID, 696 * HOUR),
    ]);
  });

  it('when the deployment overrides the delays, then the timers use its values', () => {
    const machine = invitationMachine.provide({
      delays: { invitationExpiry: 10 * 60_000, invitationReminder: 5 * 60_000 },
    });
    const [, actions] = initialTransition(machine, input);
    expect(effects(actions).filter((a) => a.type === 'xstate.raise')).toEqual([
      raise(EXPIRY_ID, 10 * 60_000),
      raise(REMINDER_ID, 5 * 60_000),
    ]);
    expect(invitationDelays).toEqual({
      invitationExpiry: 720 * HOUR,
      invitationReminder: 696 * HOUR,
    });
  });

  it('when the link activity reports its hash, then the hash is kept and nothing else happens', () => {
    const { next, actions } = send(start()[0], {
      type: 'REGISTRATION_LINK_ISSUED',
      tokenHash: 'h1',
    });
    expect(next.value).toEqual({ registration: 'invited' });
    expect(next.context.tokenHash).toBe('h1');
    expect(actions).toEqual([]);
  });

  it('when the person opens the link, then the token is handed to verifyRegistrationToken with the stored hash', () => {
    const snapshot = walk(toInvited);
    const { next, actions } = send(snapshot, { type: 'REGISTRATION_STARTED', token: TOKEN, ...at });
    expect(next.value).toEqual({ registration: 'invited' });
    expect(next.context).toEqual(snapshot.context);
    expect(actions).toEqual([
      { type: 'verifyRegistrationToken', params: { token: TOKEN, tokenHash: 'token-hash-1' } },
    ]);
  });

  it('when the token is accepted, then Persönliche Daten follows, the link is spent and the reminder cancelled', () => {
    const { next, actions } = send(walk(toInvited), { type: 'REGISTRATION_TOKEN_ACCEPTED' });
    expect(next.value).toEqual({ registration: 'personalData' });
    expect(next.getMeta()['invitation.registration.personalData']).toEqual({
      label: 'Persönliche Daten',
    });
    expect(next.context.tokenHash).toBeNull();
    expect(actions).toEqual([cancel(REMINDER_ID)]); // the 720 h window keeps running
  });

  it('when the token is refused, then the state stays and the caller gets a 422 on the token', () => {
    const snapshot = walk(toInvited);
    const { next, actions } = send(snapshot, { type: 'REGISTRATION_TOKEN_REJECTED' });
    expect(next.value).toEqual(snapshot.value);
    expect(next.context).toEqual(snapshot.context);
    expect(actions).toEqual([rejectedEmit(/Registrierungslink ist ungültig/, 'token')]);
  });

  it('when the invitation is resent, then the old hash is gone, a new link is issued and both timers start over', () => {
    const { next, actions } = send(walk(toInvited), { type: 'INVITATION_RESENT', ...at });
    expect(next.value).toEqual({ registration: 'invited' });
    expect(next.context.tokenHash).toBeNull();
    expect(actions).toEqual([
      cancel(REMINDER_ID),
      cancel(EXPIRY_ID),
      raise(EXPIRY_ID, 720 * HOUR),
      {
        type: 'issueRegistrationLink',
        params: { invitee, practiceId: 'BSNR-123456789', inviterName: 'Dr. Admin' },
      },
      raise(REMINDER_ID, 696 * HOUR),
    ]);
  });

  it('when the reminder timer fires, then the reminder email goes out and the state stays', () => {
    const snapshot = walk(toInvited);
    const { next, actions } = send(snapshot, reminderFires);
    expect(next.value).toEqual({ registration: 'invited' });
    expect(next.context).toEqual(snapshot.context);
    expect(actions).toEqual([
      {
        type: 'sendEmail',
        params: { template: 'invitationReminder', to: invitee, inviterName: 'Dr. Admin' },
      },
    ]);
  });

  it('when the invitation expires, then it is Abgelaufen (final) and the inviter is told', () => {
    const { next, actions } = send(walk(toInvited), expiryFires);
    expect(next.value).toBe('expired');
    expect(next.status).toBe('done');
    expect(next.getMeta()['invitation.expired']).toEqual({ label: 'Abgelaufen' });
    expect(actions).toEqual([
      cancel(REMINDER_ID),
      cancel(EXPIRY_ID),
      { type: 'sendEmail', params: { template: 'invitationExpired', to: inviter, invitee } },
    ]);
  });

  it('when an invitation without inviter expires, then no email goes out', () => {
    const { inviter: _omitted, ...withoutInviter } = rawInput;
    const snapshot = walk(toInvited, invitationInputSchema.parse(withoutInviter));
    expect(snapshot.context.inviter).toBeNull();
    const { next, actions } = send(snapshot, expiryFires);
    expect(next.value).toBe('expired');
    expect(actions.filter((a) => a.type === 'sendEmail')).toEqual([]);
  });

  it('when the invitation is revoked, then it is Widerrufen (final), with the reason and without email', () => {
    const { next, actions } = send(walk(toInvited), {
      type: 'INVITATION_REVOKED',
      reason: 'falsche Person',
      ...at,
    });
    expect(next.value).toBe('revoked');
    expect(next.status).toBe('done');
    expect(next.getMeta()['invitation.revoked']).toEqual({ label: 'Widerrufen' });
    expect(next.context.revocationReason).toBe('falsche Person');
    expect(actions).toEqual([cancel(REMINDER_ID), cancel(EXPIRY_ID)]);
  });

  it('takes exactly the registration-link events from outside', () => {
    expectOnlyAllowed(walk(toInvited), [
      'REGISTRATION_STARTED',
      'INVITATION_RESENT',
      'INVITATION_REVOKED',
    ]);
  });
});

describe('invitation machine: registration.personalData', () => {
  it('when plausible personal data arrive, then Geräteregistrierung follows and an activation code is issued', () => {
    const { next, actions } = send(walk(toPersonalData), {
      type: 'PERSONAL_DATA_SUBMITTED',
      birthDate: '1980-05-17',
      phone: '0221 123456',
      ...at,
    });
    expect(next.value).toEqual({ registration: 'deviceRegistration' });
    expect(next.getMeta()['invitation.registration.deviceRegistration']).toEqual({
      label: 'Geräteregistrierung',
    });
    expect(next.context.personalData).toEqual({ birthDate: '1980-05-17', phone: '0221 123456' });
    expect(actions).toEqual([
      { type: 'issueActivationCode', params: { invitee, maxAttempts: MAX_ACTIVATION_ATTEMPTS } },
    ]);
  });

  it('when no phone is given, then the phone is recorded as null', () => {
    const { next } = send(walk(toPersonalData), {
      type: 'PERSONAL_DATA_SUBMITTED',
      birthDate: '1980-05-17',
      ...at,
    });
    expect(next.context.personalData).toEqual({ birthDate: '1980-05-17', phone: null });
  });

  it.each([
    ['in the future', '2026-03-03'],
    ['one day short of 16 years', '2010-03-03'],
    ['120 years or more ago', '1906-03-02'],
  ])(
    'when the birth date lies %s, then the state stays and the caller gets a 422 on birthDate',
    (_, birthDate) => {
      const snapshot = walk(toPersonalData);
      const { next, actions } = send(snapshot, {
        type: 'PERSONAL_DATA_SUBMITTED',
        birthDate,
        ...at,
      });
      expect(next.value).toEqual({ registration: 'personalData' });
      expect(next.context).toEqual(snapshot.context);
      expect(actions).toEqual([
        rejectedEmit('Das Geburtsdatum ist nicht plausibel (Alter 16 bis 120 Jahre).', 'birthDate'),
      ]);
    },
  );

  it.each([
    ['turns 16 today', '2010-03-02'],
    ['is just under 120', '1906-03-03'],
  ])('when the person %s, then the birth date is accepted', (_, birthDate) => {
    const { next } = send(walk(toPersonalData), {
      type: 'PERSONAL_DATA_SUBMITTED',
      birthDate,
      ...at,
    });
    expect(next.value).toEqual({ registration: 'deviceRegistration' });
  });

  it('when the registration window ends here, then it is Abgelaufen', () => {
    const { next, actions } = send(walk(toPersonalData), expiryFires);
    expect(next.value).toBe('expired');
    expect(actions).toEqual([
      cancel(EXPIRY_ID),
      { type: 'sendEmail', params: { template: 'invitationExpired', to: inviter, invitee } },
    ]);
  });

  it('takes personal data and revocation from outside, no more the link events', () => {
    expectOnlyAllowed(walk(toPersonalData), ['PERSONAL_DATA_SUBMITTED', 'INVITATION_REVOKED']);
    expect(walk(toPersonalData).can({ type: 'REGISTRATION_TOKEN_ACCEPTED' })).toBe(false);
  });
});

describe('invitation machine: registration.deviceRegistration', () => {
  const deviceActivated = {
    type: 'DEVICE_ACTIVATED',
    activationCode: '2748 0323',
    pin: '483920',
    pinConfirmation: '483920',
    ...at,
  } as const;

  it('when the code activity reports its hash, then the hash is kept', () => {
    const { next, actions } = send(walk(toDeviceRegistration.slice(0, -1)), {
      type: 'ACTIVATION_CODE_ISSUED',
      codeHash: 'c1',
    });
    expect(next.context.codeHash).toBe('c1');
    expect(actions).toEqual([]);
  });

  it('when the device is activated, then code and PIN go to verifyActivationCode with the stored hash', () => {
    const snapshot = walk(toDeviceRegistration);
    const { next, actions } = send(snapshot, deviceActivated);
    expect(next.value).toEqual(snapshot.value);
    expect(next.context).toEqual(snapshot.context);
    expect(actions).toEqual([
      {
        type: 'verifyActivationCode',
        params: { activationCode: '2748 0323', codeHash: 'code-hash-1', pin: '483920' },
      },
    ]);
  });

  it('when the code is accepted, then Beantragt follows with the PIN hash, the code spent and the window closed', () => {
    const { next, actions } = send(walk(toDeviceRegistration), {
      type: 'ACTIVATION_CODE_ACCEPTED',
      pinHash: '$argon2id$x',
    });
    expect(next.value).toBe('requested');
    expect(next.getMeta()['invitation.requested']).toEqual({ label: 'Beantragt' });
    expect(next.context).toMatchObject({ pinHash: '$argon2id$x', codeHash: null });
    expect(actions).toEqual([
      cancel(EXPIRY_ID),
      { type: 'sendEmail', params: { template: 'registrationRequested', to: invitee } },
    ]);
  });

  it('when the code is wrong four times, then each try is counted and the caller told how many remain', () => {
    let snapshot = walk(toDeviceRegistration);
    for (const left of [4, 3, 2, 1]) {
      const { next, actions } = send(snapshot, { type: 'ACTIVATION_CODE_REJECTED' });
      expect(next.value).toEqual({ registration: 'deviceRegistration' });
      expect(next.context.failedActivationAttempts).toBe(MAX_ACTIVATION_ATTEMPTS - left);
      const tries = left === 1 ? 'Versuch' : 'Versuche';
      expect(actions).toEqual([
        rejectedEmit(`Der Aktivierungscode ist falsch. Noch ${left} ${tries}.`, 'activationCode'),
      ]);
      snapshot = next;
    }
  });

  it('when the code is wrong the fifth time, then it is Gesperrt (final) and the inviter is told', () => {
    const fourWrong = Array.from(
      { length: 4 },
      () => ({ type: 'ACTIVATION_CODE_REJECTED' }) as const,
    );
    const { next, actions } = send(walk([...toDeviceRegistration, ...fourWrong]), {
      type: 'ACTIVATION_CODE_REJECTED',
    });
    expect(next.value).toBe('locked');
    expect(next.status).toBe('done');
    expect(next.getMeta()['invitation.locked']).toEqual({ label: 'Gesperrt' });
    expect(next.context).toMatchObject({ failedActivationAttempts: 5, codeHash: null });
    expect(actions).toEqual([
      cancel(EXPIRY_ID),
      rejectedEmit(/Nach 5 Fehlversuchen ist die Registrierung gesperrt/, 'activationCode'),
      { type: 'sendEmail', params: { template: 'registrationLocked', to: inviter, invitee } },
    ]);
  });

  it('takes device activation and revocation from outside', () => {
    expectOnlyAllowed(walk(toDeviceRegistration), ['DEVICE_ACTIVATED', 'INVITATION_REVOKED']);
  });
});

describe('invitation machine: registration (the window around the three steps)', () => {
  const steps = [
    ['invited', walk(toInvited)],
    ['personalData', walk(toPersonalData)],
    ['deviceRegistration', walk(toDeviceRegistration)],
  ] as const;

  it.each(steps)('when revoked in %s, then it is Widerrufen with the reason', (_, snapshot) => {
    const { next, actions } = send(snapshot, {
      type: 'INVITATION_REVOKED',
      reason: 'doppelt',
      ...at,
    });
    expect(next.value).toBe('revoked');
    expect(next.context.revocationReason).toBe('doppelt');
    expect(actions.filter((a) => a.type !== 'xstate.cancel')).toEqual([]);
    expect(actions).toContainEqual(cancel(EXPIRY_ID));
  });

  it.each(steps)('when the 720 h run out in %s, then it is Abgelaufen', (_, snapshot) => {
    const { next, actions } = send(snapshot, expiryFires);
    expect(next.value).toBe('expired');
    expect(actions.at(-1)).toEqual({
      type: 'sendEmail',
      params: { template: 'invitationExpired', to: inviter, invitee },
    });
  });
});

describe('invitation machine: requested', () => {
  it('when the registration is approved, then Erfolgreich abgeschlossen follows, not final, with the login email', () => {
    const { next, actions } = send(walk(toRequested), { type: 'REGISTRATION_APPROVED', ...at });
    expect(next.value).toBe('completed');
    expect(next.status).toBe('active');
    expect(next.getMeta()['invitation.completed']).toEqual({ label: 'Erfolgreich abgeschlossen' });
    expect(next.context.postfachAccess).toBe(false);
    expect(actions).toEqual([
      { type: 'sendEmail', params: { template: 'registrationCompleted', to: invitee } },
    ]);
  });

  it('when the registration is rejected, then it is Abgelehnt (final) and the person gets the reason', () => {
    const reason = 'Keine Mitarbeiterin der Praxis';
    const { next, actions } = send(walk(toRequested), {
      type: 'REGISTRATION_REJECTED',
      reason,
      ...at,
    });
    expect(next.value).toBe('rejected');
    expect(next.status).toBe('done');
    expect(next.getMeta()['invitation.rejected']).toEqual({ label: 'Abgelehnt' });
    expect(next.context.rejectionReason).toBe(reason);
    expect(actions).toEqual([
      { type: 'sendEmail', params: { template: 'registrationRejected', to: invitee, reason } },
    ]);
  });

  it('takes only the decision from outside: the registration window is over', () => {
    expectOnlyAllowed(walk(toRequested), ['REGISTRATION_APPROVED', 'REGISTRATION_REJECTED']);
    expect(send(walk(toRequested), expiryFires).next.value).toBe('requested');
  });
});

describe('invitation machine: completed and consent', () => {
  const given = (textVersion: string, receivedAt: string) =>
    ({ type: 'CONSENT_GIVEN', textVersion, receivedAt, actor: 'key-1' }) as const;
  const withdrawn = (receivedAt: string) =>
    ({ type: 'CONSENT_WITHDRAWN', receivedAt, actor: 'key-1' }) as const;

  it('when consent is given, then it is recorded with subject, time, text version and mechanism, and opens the Postfach', () => {
    const { next, actions } = send(walk(toCompleted), given('2026-01', NOW));
    expect(next.value).toBe('completed');
    expect(next.context.consents).toEqual([
      {
        subject: 'erika.mustermann@praxis.example',
        status: 'given',
        givenAt: NOW,
        withdrawnAt: null,
        textVersion: '2026-01',
        mechanism: 'portal-opt-in',
      },
    ]);
    expect(next.context.postfachAccess).toBe(true);
    expect(actions).toEqual([]);
  });

  it('when consent is withdrawn, then the record keeps the withdrawal and the Postfach closes', () => {
    const snapshot = walk([...toCompleted, given('2026-01', NOW)]);
    const { next } = send(snapshot, withdrawn('2026-04-01T08:00:00.000Z'));
    expect(next.context.consents).toEqual([
      expect.objectContaining({
        status: 'withdrawn',
        givenAt: NOW,
        withdrawnAt: '2026-04-01T08:00:00.000Z',
      }),
    ]);
    expect(next.context.postfachAccess).toBe(false);
  });

  it('when consent is given again after a withdrawal, then a new record opens the Postfach again', () => {
    const snapshot = walk([
      ...toCompleted,
      given('2026-01', NOW),
      withdrawn('2026-04-01T08:00:00.000Z'),
    ]);
    const { next } = send(snapshot, given('2026-01', '2026-05-01T08:00:00.000Z'));
    expect(next.context.consents.map((c) => c.status)).toEqual(['withdrawn', 'given']);
    expect(next.context.postfachAccess).toBe(true);
  });

  it('when a new consent text version is agreed to, then it is added and the earlier record stays as proof', () => {
    const snapshot = walk([...toCompleted, given('2026-01', NOW)]);
    const { next } = send(snapshot, given('2027-01', '2027-01-10T08:00:00.000Z'));
    expect(next.context.consents.map((c) => c.textVersion)).toEqual(['2026-01', '2027-01']);
    expect(next.context.postfachAccess).toBe(true);
  });

  it('refuses a withdrawal without consent in force, and the same text version twice', () => {
    const completed = walk(toCompleted);
    expectOnlyAllowed(completed, ['CONSENT_GIVEN']);
    const consented = walk([...toCompleted, given('2026-01', NOW)]);
    expect(consented.can(given('2026-01', NOW))).toBe(false);
    expect(consented.can(given('2027-01', NOW))).toBe(true);
    expectOnlyAllowed(consented, ['CONSENT_WITHDRAWN']); // the sample event repeats 2026-01
  });
});

describe('invitation machine: final states', () => {
  const finals: Record<string, Snapshot> = {
    expired: walk([...toInvited, expiryFires]),
    revoked: walk([...toInvited, { type: 'INVITATION_REVOKED' }]),
    rejected: walk([...toRequested, { type: 'REGISTRATION_REJECTED', reason: 'nein' }]),
    locked: walk([
      ...toDeviceRegistration,
      ...Array.from({ length: 5 }, () => ({ type: 'ACTIVATION_CODE_REJECTED' }) as const),
    ]),
  };

  it.each(Object.entries(finals))('%s is final and takes no event at all', (state, snapshot) => {
    expect(snapshot.value).toBe(state);
    expect(snapshot.status).toBe('done');
    expectOnlyAllowed(snapshot, []);
    expect(snapshot.can(expiryFires as unknown as InvitationEvent)).toBe(false);
  });
});

describe('invitation machine: allowed events by type alone', () => {
  // The interpreter lists a state's allowed events with `can({ type })`, before any payload.
  const consented = () =>
    walk([...toCompleted, { type: 'CONSENT_GIVEN', textVersion: '2026-01', ...at }]);
  it.each([
    [
      'invited',
      () => walk(toInvited),
      ['INVITATION_RESENT', 'INVITATION_REVOKED', 'REGISTRATION_STARTED'],
    ],
    ['personalData', () => walk(toPersonalData), ['INVITATION_REVOKED', 'PERSONAL_DATA_SUBMITTED']],
    [
      'deviceRegistration',
      () => walk(toDeviceRegistration),
      ['DEVICE_ACTIVATED', 'INVITATION_REVOKED'],
    ],
    ['requested', () => walk(toRequested), ['REGISTRATION_APPROVED', 'REGISTRATION_REJECTED']],
    ['completed without consent', () => walk(toCompleted), ['CONSENT_GIVEN']],
    ['completed with consent', consented, ['CONSENT_GIVEN', 'CONSENT_WITHDRAWN']],
  ] as const)('in %s: %j', (_, reach, expected) => {
    const snapshot = reach();
    const types = Object.keys(invitationProcess.events);
    const allowed = types.filter((type) => snapshot.can({ type } as InvitationEvent));
    expect(allowed.sort()).toEqual([...expected].sort());
  });
});

describe('invitation process definition', () => {
  it('describes the machine for the registry and the API', () => {
    expect(invitationProcess).toMatchObject({
      type: 'invitation',
      version: 1,
      title: 'Einladung eines Benutzers',
      machine: invitationMachine,
      input: invitationInputSchema,
    });
    expect(Object.keys(invitationProcess.events).sort()).toEqual(
      externalEvents.map((event) => event.type).sort(),
    );
  });

  it('keeps the events of its own activities away from the API', () => {
    for (const internal of [
      'REGISTRATION_LINK_ISSUED',
      'REGISTRATION_TOKEN_ACCEPTED',
      'ACTIVATION_CODE_ACCEPTED',
    ]) {
      expect(invitationProcess.events).not.toHaveProperty(internal);
    }
  });

  it('keys the business by practice and lower-cased email, and scopes it to the practice', () => {
    const businessKeyParts = invitationProcess.businessKeyParts as (i: InvitationInput) => string[];
    const practiceId = invitationProcess.practiceId as (i: InvitationInput) => string;
    expect(businessKeyParts(input)).toEqual(['BSNR-123456789', 'erika.mustermann@praxis.example']);
    expect(practiceId(input)).toBe('BSNR-123456789');
  });

  it('hides every secret-holding context key from the view and nothing else', () => {
    const secretName = /hash|token|code|pin|tan|secret/i;
    const keys = Object.keys(walk(toCompleted).context);
    expect(keys.filter((key) => secretName.test(key)).sort()).toEqual([
      'codeHash',
      'pinHash',
      'tokenHash',
    ]);
    expect([...(invitationProcess.redact ?? [])].sort()).toEqual([
      'codeHash',
      'pinHash',
      'tokenHash',
    ]);
  });

  it('labels every state in German except the registration parent', () => {
    const labels = Object.fromEntries(
      getStateNodes(invitationMachine.root).map((node) => [node.path.join('.'), node.meta?.label]),
    );
    expect(labels).toEqual({
      registration: undefined,
      'registration.invited': 'Eingeladen',
      'registration.personalData': 'Persönliche Daten',
      'registration.deviceRegistration': 'Geräteregistrierung',
      requested: 'Beantragt',
      completed: 'Erfolgreich abgeschlossen',
      expired: 'Abgelaufen',
      revoked: 'Widerrufen',
      rejected: 'Abgelehnt',
      locked: 'Gesperrt',
    });
  });
});

describe('invitation machine: path coverage', () => {
  // Every event the machine can receive: outside events, activity results and timers.
  const graphEvents = [
    { type: 'REGISTRATION_LINK_ISSUED', tokenHash: 'token-hash' },
    { type: 'REGISTRATION_STARTED', token: TOKEN, ...at },
    { type: 'REGISTRATION_TOKEN_ACCEPTED' },
    { type: 'REGISTRATION_TOKEN_REJECTED' },
    { type: 'INVITATION_RESENT', ...at },
    { type: 'INVITATION_REVOKED', ...at },
    { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-05-17', ...at },
    { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '2020-05-17', ...at },
    { type: 'ACTIVATION_CODE_ISSUED', codeHash: 'code-hash' },
    {
      type: 'DEVICE_ACTIVATED',
      activationCode: '27480323',
      pin: '483920',
      pinConfirmation: '483920',
      ...at,
    },
    { type: 'ACTIVATION_CODE_ACCEPTED', pinHash: 'pin-hash' },
    { type: 'ACTIVATION_CODE_REJECTED' },
    { type: 'REGISTRATION_APPROVED', ...at },
    { type: 'REGISTRATION_REJECTED', reason: 'nein', ...at },
    { type: 'CONSENT_GIVEN', textVersion: '2026-01', ...at },
    { type: 'CONSENT_GIVEN', textVersion: '2027-01', ...at },
    { type: 'CONSENT_WITHDRAWN', ...at },
    expiryFires,
    reminderFires,
  ] as unknown as InvitationEvent[];

  // What decides the future: the state, the attempts, the consent in force, the hashes on record.
  const serializeState = (snapshot: Snapshot) => {
    const { context } = snapshot;
    const consent = context.consents.at(-1);
    return JSON.stringify([
      snapshot.value,
      context.failedActivationAttempts,
      consent?.status === 'given' ? consent.textVersion : null,
      context.tokenHash !== null,
      context.codeHash !== null,
    ]);
  };
  const options = {
    input,
    events: graphEvents,
    serializeState: (s: Snapshot) => serializeState(s),
  };

  const nodePath = (snapshot: Snapshot) =>
    snapshot._nodes
      .filter((node) => node.type === 'atomic' || node.type === 'final')
      .map((node) => node.id);

  it('reaches every state', () => {
    const paths = getShortestPaths(invitationMachine, options);
    const reached = new Set(paths.flatMap((path) => nodePath(path.state)));
    const all = getStateNodes(invitationMachine.root)
      .filter((node) => node.type === 'atomic' || node.type === 'final')
      .map((node) => node.id);
    expect([...reached].sort()).toEqual(all.sort());
  });

  it('takes every transition, every guarded branch included', () => {
    // getAdjacencyMap's generics do not infer a machine with typed emits; the states are ours.
    const adjacency = getAdjacencyMap(invitationMachine as AnyStateMachine, {
      ...options,
      serializeState: (s) => serializeState(s as Snapshot),
    });
    const taken = new Set<string>();
    for (const { state, event } of adjacencyMapToArray(adjacency)) {
      for (const t of invitationMachine.getTransitionData(
        state as Snapshot,
        event as InvitationEvent,
      )) {
        taken.add(
          `${t.source.id} ${t.eventType} #${t.source.transitions.get(t.eventType)?.indexOf(t)}`,
        );
      }
    }
    const all = getStateNodes(invitationMachine.root).flatMap((node) =>
      [...node.transitions].flatMap(([eventType, branches]) =>
        branches.map((_, i) => `${node.id} ${eventType} #${i}`),
      ),
    );
    expect(all).toHaveLength(19);
    expect([...taken].sort()).toEqual(all.sort());
  });
});
