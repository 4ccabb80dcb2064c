import { getStateNodes } from '@xstate/graph';
import { initialTransition, transition, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import { describe, expect, it } from 'vitest';
import { invitationProcess, MAX_ACTIVATION_ATTEMPTS } from '../../machines/invitation.js';
import { invitationProcessV2 } from '../../machines/invitation-v2.js';
import { invitationInputSchema, type InvitationEvent } from '../../machines/invitation.schema.js';
import { latestDefinition } from '../../machines/registry.js';

/**
 * Version 2 of the invitation (seed 002): the link leads back to the current step until the
 * registration ends, the status emails carry it, the activation code is shown, not emailed.
 */
const machine = invitationProcessV2.machine as AnyStateMachine;
type Snapshot = SnapshotFrom<AnyStateMachine>;
type TimerEvent = { type: `xstate.after.${string}` };

const TOKEN = 'A'.repeat(43);
const at = { receivedAt: '2026-03-02T09:30:00.000Z', actor: 'key-1' };
const LINK_REF = 'invitation-4711:run:0:0';

const input = invitationInputSchema.parse({
  salutation: 'Frau',
  firstName: 'Erika',
  lastName: 'Mustermann',
  email: 'erika@praxis.example',
  practiceId: 'BSNR-123456789',
  inviter: { name: 'Dr. Admin', email: 'admin@praxis.example' },
});
const invitee = {
  salutation: 'Frau',
  firstName: 'Erika',
  lastName: 'Mustermann',
  email: 'erika@praxis.example',
};

const effects = (actions: readonly { type: string; params?: unknown }[]) =>
  actions.map(({ type, params }) => ({ type, params }));

function send(snapshot: Snapshot, event: InvitationEvent | TimerEvent) {
  const [next, actions] = transition(machine, snapshot, event as never);
  return { next, actions: effects(actions) };
}
const walk = (events: readonly (InvitationEvent | TimerEvent)[]): Snapshot =>
  events.reduce(
    (snapshot, event) => send(snapshot, event).next,
    initialTransition(machine, input)[0],
  );

const linkIssued = {
  type: 'REGISTRATION_LINK_ISSUED',
  tokenHash: 'token-hash-1',
  linkRef: LINK_REF,
} as const;
const opened = { type: 'REGISTRATION_STARTED', token: TOKEN, ...at } as const;
const accepted = { type: 'REGISTRATION_TOKEN_ACCEPTED' } as const;
const toPersonalData = [linkIssued, opened, accepted] as const;
const toDevice = [
  ...toPersonalData,
  { type: 'PERSONAL_DATA_SUBMITTED', birthDate: '1980-05-17', ...at },
  { type: 'ACTIVATION_CODE_ISSUED', codeHash: 'code-hash-1' },
] as const;
const toRequested = [
  ...toDevice,
  {
    type: 'DEVICE_ACTIVATED',
    activationCode: '27480323',
    pin: '483920',
    pinConfirmation: '483920',
    ...at,
  },
  { type: 'ACTIVATION_CODE_ACCEPTED', pinHash: '$argon2id$…' },
] as const;
const verify = {
  type: 'verifyRegistrationToken',
  params: { token: TOKEN, tokenHash: 'token-hash-1' },
};

describe('invitation version 2', () => {
  it('is what new invitations start; version 1 stays registered for running ones', () => {
    expect(latestDefinition('invitation')).toBe(invitationProcessV2);
    expect(invitationProcessV2).toMatchObject({ type: 'invitation', version: 2 });
    expect(invitationProcess.version).toBe(1);
    expect(invitationProcessV2.events).toBe(invitationProcess.events);
    expect(invitationProcessV2.redact).toEqual(expect.arrayContaining(['tokenHash', 'linkRef']));
  });

  it('keeps the labels of version 1', () => {
    const labels = (m: AnyStateMachine) =>
      getStateNodes(m.root).map((node) => [node.path.join('.'), node.meta?.label]);
    expect(labels(machine)).toEqual(labels(invitationProcess.machine as AnyStateMachine));
  });

  it('when the link is opened at the personal data, then the token is checked and the step stays', () => {
    const { next, actions } = send(walk(toPersonalData), opened);
    expect(actions).toEqual([verify]);
    const after = send(next, accepted);
    expect(after.next.value).toEqual({ registration: 'personalData' });
    expect(after.actions).toEqual([]);
    // The hash stays: the link keeps working.
    expect(after.next.context.tokenHash).toBe('token-hash-1');
  });

  it('when the link carries a wrong or replaced token, then 422 names the token and nothing moves', () => {
    const { next, actions } = send(walk(toPersonalData), { type: 'REGISTRATION_TOKEN_REJECTED' });
    expect(next.value).toEqual({ registration: 'personalData' });
    expect(actions).toEqual([
      {
        type: 'xstate.emit',
        params: expect.objectContaining({
          event: expect.objectContaining({ status: 422, path: 'token' }),
        }),
      },
    ]);
  });

  it('when the personal data are in, then the status email with the link goes out and the code is shown, not emailed', () => {
    const { next, actions } = send(walk(toPersonalData), {
      type: 'PERSONAL_DATA_SUBMITTED',
      birthDate: '1980-05-17',
      ...at,
    });
    expect(next.value).toEqual({ registration: 'deviceRegistration' });
    expect(actions).toEqual([
      {
        type: 'sendEmail',
        params: { template: 'activationStatus', to: invitee, linkRef: LINK_REF },
      },
      {
        type: 'issueActivationCode',
        params: { invitee, maxAttempts: MAX_ACTIVATION_ATTEMPTS, show: true },
      },
    ]);
  });

  it('when the link is opened at the Geräteregistrierung, then a fresh code is shown', () => {
    const { next, actions } = send(walk(toDevice), accepted);
    expect(next.value).toEqual({ registration: 'deviceRegistration' });
    expect(actions).toEqual([
      {
        type: 'issueActivationCode',
        params: { invitee, maxAttempts: MAX_ACTIVATION_ATTEMPTS, show: true },
      },
    ]);
    expect(next.context.failedActivationAttempts).toBe(0);
  });

  it('when the device is registered, then „Ihre Registrierung“ carries the link, and the link still answers', () => {
    const requested = walk(toRequested);
    expect(requested.value).toBe('requested');
    expect(
      send(walk(toDevice), {
        type: 'ACTIVATION_CODE_ACCEPTED',
        pinHash: 'x',
      }).actions.filter((action) => !action.type.startsWith('xstate.')),
    ).toEqual([
      {
        type: 'sendEmail',
        params: { template: 'registrationRequested', to: invitee, linkRef: LINK_REF },
      },
    ]);
    expect(send(requested, opened).actions).toEqual([verify]);
    expect(send(requested, accepted).next.value).toBe('requested');
  });

  it('when the registration ends, then the link is dead: the hash is gone and the event not taken', () => {
    const completed = send(walk(toRequested), { type: 'REGISTRATION_APPROVED', ...at }).next;
    expect(completed.value).toBe('completed');
    expect(completed.context).toMatchObject({ tokenHash: null, linkRef: null });
    expect(completed.can(opened as never)).toBe(false);
  });

  it('when 696 h pass at any step of the registration, then the reminder carries the link', () => {
    const reminder = {
      type: 'xstate.after.invitationReminder.invitation.registration',
    } as const;
    for (const events of [[linkIssued], toPersonalData, toDevice]) {
      const { actions } = send(walk(events), reminder);
      expect(actions).toEqual([
        {
          type: 'sendEmail',
          params: {
            template: 'invitationReminder',
            to: invitee,
            inviterName: 'Dr. Admin',
            linkRef: LINK_REF,
          },
        },
      ]);
    }
  });

  it('when the invitation is resent at a later step, then it starts over with a new link', () => {
    const { next, actions } = send(walk(toDevice), { type: 'INVITATION_RESENT', ...at });
    expect(next.value).toEqual({ registration: 'invited' });
    expect(next.context).toMatchObject({ tokenHash: null, linkRef: null, codeHash: null });
    expect(actions.map((action) => action.type)).toEqual(
      expect.arrayContaining(['issueRegistrationLink']),
    );
  });
});
