import { assign, emit, setup } from 'xstate';
import { HOUR, type ProcessDefinition, type RejectionEmit } from './process-definition.js';
import {
  activeConsent,
  giveConsent,
  invitationEventSchemas,
  invitationInputSchema,
  isPlausibleBirthDate,
  MAX_AGE_YEARS,
  MIN_AGE_YEARS,
  withdrawConsent,
  type InvitationContext,
  type InvitationEvent,
  type InvitationInput,
  type IssueActivationCodeParams,
  type IssueRegistrationLinkParams,
  type SendEmailParams,
  type VerifyActivationCodeParams,
  type VerifyRegistrationTokenParams,
} from './invitation.schema.js';

export const MAX_ACTIVATION_ATTEMPTS = 5;

/** Default durations; a deployment overrides them with `machine.provide({ delays })`. */
export const invitationDelays = {
  invitationExpiry: 720 * HOUR,
  invitationReminder: 696 * HOUR,
} as const;

export const invitationSetup = setup({
  types: {
    context: {} as InvitationContext,
    events: {} as InvitationEvent,
    input: {} as InvitationInput,
    emitted: {} as RejectionEmit,
    meta: {} as { label: string; hint?: string },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    issueRegistrationLink: (_, _params: IssueRegistrationLinkParams) => {},
    verifyRegistrationToken: (_, _params: VerifyRegistrationTokenParams) => {},
    issueActivationCode: (_, _params: IssueActivationCodeParams) => {},
    verifyActivationCode: (_, _params: VerifyActivationCodeParams) => {},
    sendEmail: (_, _params: SendEmailParams) => {},
  },
  guards: {
    isLastActivationAttempt: ({ context }) =>
      context.failedActivationAttempts + 1 >= MAX_ACTIVATION_ATTEMPTS,
    // Without an interpreter time the age cannot be judged; the calendar check still holds.
    isPlausibleBirthDate: ({ event }) =>
      event.type === 'PERSONAL_DATA_SUBMITTED' &&
      (event.receivedAt === undefined ||
        isPlausibleBirthDate(event.birthDate, event.receivedAt.slice(0, 10))),
    hasActiveConsent: ({ context }) => activeConsent(context) !== undefined,
    // True without a payload too: the interpreter lists allowed events by type alone.
    isNewConsent: ({ context, event }) => {
      const inForce = activeConsent(context);
      return (
        event.type === 'CONSENT_GIVEN' && (!inForce || inForce.textVersion !== event.textVersion)
      );
    },
  },
  delays: invitationDelays,
});

// Actions shared by several transitions come from the setup, typed for every event; inline
// ones use xstate's `assign`/`emit`, typed by the event of their transition.
export const rejectWrongActivationCode = invitationSetup.emit(({ context }) => {
  const left = MAX_ACTIVATION_ATTEMPTS - context.failedActivationAttempts;
  return {
    type: 'rejected',
    status: 422,
    detail:
      left > 0
        ? `Der Aktivierungscode ist falsch. Noch ${left} ${left === 1 ? 'Versuch' : 'Versuche'}.`
        : `Der Aktivierungscode ist falsch. Nach ${MAX_ACTIVATION_ATTEMPTS} Fehlversuchen ist die Registrierung gesperrt.`,
    path: 'activationCode',
  } as const;
});

export const countFailedActivationAttempt = invitationSetup.assign({
  failedActivationAttempts: ({ context }) => context.failedActivationAttempts + 1,
});

const emailInvitee = (template: 'registrationRequested' | 'registrationCompleted') => ({
  type: 'sendEmail' as const,
  params: ({ context }: { context: InvitationContext }) => ({ template, to: context.invitee }),
});

export const emailInviter = (template: 'invitationExpired' | 'registrationLocked') =>
  invitationSetup.enqueueActions(({ context, enqueue }) => {
    if (!context.inviter) return; // nobody to tell: the input named no inviter
    enqueue({
      type: 'sendEmail',
      params: { template, to: context.inviter, invitee: context.invitee },
    });
  });

export const invitationMachine = invitationSetup.createMachine({
  id: 'invitation',
  description:
    'Einladung eines Benutzers: registration link → personal data → device activation → ' +
    'approval → consent. Choices where PROCESSES.md is silent: the registration link is ' +
    'one-time (its hash is dropped when accepted or when the invitation is resent); the ' +
    'reminder carries no link, since the clear token exists only in the first email; the ' +
    'birth date must give an age of 16 to 120 on the day it is received; the activation ' +
    'code stays valid until the invitation expires and is not re-sent; the expired and ' +
    'locked emails go to the inviter given in the input, and are skipped without one; ' +
    'CONSENT_WITHDRAWN without consent in force, and CONSENT_GIVEN for the text version ' +
    'already in force, are not allowed (409); a new text version adds a new consent record.',
  initial: 'registration',
  context: ({ input: { salutation, firstName, lastName, email, practiceId, inviter } }) => ({
    invitee: { salutation, firstName, lastName, email },
    practiceId,
    inviter: inviter ? { name: inviter.name ?? null, email: inviter.email } : null,
    tokenHash: null,
    personalData: null,
    codeHash: null,
    failedActivationAttempts: 0,
    pinHash: null,
    revocationReason: null,
    rejectionReason: null,
    consents: [],
    postfachAccess: false,
  }),
  states: {
    registration: {
      description: 'The registration window: invitationExpiry (720 h) from the latest invitation.',
      initial: 'invited',
      after: { invitationExpiry: { target: '#invitation.expired' } },
      on: {
        INVITATION_REVOKED: {
          target: '#invitation.revoked',
          actions: assign({ revocationReason: ({ event }) => event.reason ?? null }),
        },
      },
      states: {
        invited: {
          meta: { label: 'Eingeladen' },
          description: 'Waiting for the person to open the registration link.',
          entry: {
            type: 'issueRegistrationLink',
            params: ({ context }) => ({
              invitee: context.invitee,
              practiceId: context.practiceId,
              inviterName: context.inviter?.name ?? null,
            }),
          },
          after: {
            invitationReminder: {
              actions: {
                type: 'sendEmail',
                params: ({ context }) => ({
                  template: 'invitationReminder',
                  to: context.invitee,
                  inviterName: context.inviter?.name ?? null,
                }),
              },
            },
          },
          on: {
            REGISTRATION_LINK_ISSUED: {
              actions: assign({ tokenHash: ({ event }) => event.tokenHash }),
            },
            REGISTRATION_STARTED: {
              actions: {
                type: 'verifyRegistrationToken',
                params: ({ context, event }) => ({
                  token: event.token,
                  tokenHash: context.tokenHash,
                }),
              },
            },
            REGISTRATION_TOKEN_ACCEPTED: {
              target: 'personalData',
              actions: assign({ tokenHash: null }),
            },
            REGISTRATION_TOKEN_REJECTED: {
              actions: emit({
                type: 'rejected',
                status: 422,
                detail:
                  'Der Registrierungslink ist ungültig oder wurde durch eine neue Einladung ersetzt.',
                path: 'token',
              }),
            },
            INVITATION_RESENT: {
              description: 'New link, old one dead at once; reminder and expiry start over.',
              target: '#invitation.registration',
              reenter: true,
              actions: assign({ tokenHash: null }),
            },
          },
        },
        personalData: {
          meta: { label: 'Persönliche Daten' },
          on: {
            PERSONAL_DATA_SUBMITTED: [
              {
                guard: 'isPlausibleBirthDate',
                target: 'deviceRegistration',
                actions: assign({
                  personalData: ({ event }) => ({
                    birthDate: event.birthDate,
                    phone: event.phone ?? null,
                  }),
                }),
              },
              {
                actions: emit({
                  type: 'rejected',
                  status: 422,
                  detail: `Das Geburtsdatum ist nicht plausibel (Alter ${MIN_AGE_YEARS} bis ${MAX_AGE_YEARS} Jahre).`,
                  path: 'birthDate',
                }),
              },
            ],
          },
        },
        deviceRegistration: {
          meta: { label: 'Geräteregistrierung' },
          description: 'An 8-digit activation code is emailed; the person sets a 6-digit PIN.',
          entry: {
            type: 'issueActivationCode',
            params: ({ context }) => ({
              invitee: context.invitee,
              maxAttempts: MAX_ACTIVATION_ATTEMPTS,
            }),
          },
          on: {
            ACTIVATION_CODE_ISSUED: {
              actions: assign({ codeHash: ({ event }) => event.codeHash }),
            },
            DEVICE_ACTIVATED: {
              actions: {
                type: 'verifyActivationCode',
                params: ({ context, event }) => ({
                  activationCode: event.activationCode,
                  codeHash: context.codeHash,
                  pin: event.pin,
                }),
              },
            },
            ACTIVATION_CODE_ACCEPTED: {
              target: '#invitation.requested',
              actions: assign({ pinHash: ({ event }) => event.pinHash, codeHash: null }),
            },
            ACTIVATION_CODE_REJECTED: [
              {
                guard: 'isLastActivationAttempt',
                target: '#invitation.locked',
                actions: [
                  countFailedActivationAttempt,
                  assign({ codeHash: null }),
                  rejectWrongActivationCode,
                ],
              },
              { actions: [countFailedActivationAttempt, rejectWrongActivationCode] },
            ],
          },
        },
      },
    },
    requested: {
      meta: { label: 'Beantragt' },
      description: 'The practice or the operator approves or rejects the registration.',
      entry: emailInvitee('registrationRequested'),
      on: {
        REGISTRATION_APPROVED: { target: 'completed' },
        REGISTRATION_REJECTED: {
          target: 'rejected',
          actions: assign({ rejectionReason: ({ event }) => event.reason }),
        },
      },
    },
    completed: {
      meta: { label: 'Erfolgreich abgeschlossen' },
      description: 'Long-lived: Postfach access needs consent in force (DSGVO Art. 6 (1) a).',
      entry: emailInvitee('registrationCompleted'),
      on: {
        CONSENT_GIVEN: {
          guard: 'isNewConsent',
          actions: assign(({ context, event }) =>
            giveConsent(context, event.textVersion, event.receivedAt ?? null),
          ),
        },
        CONSENT_WITHDRAWN: {
          guard: 'hasActiveConsent',
          actions: assign(({ context, event }) =>
            withdrawConsent(context, event.receivedAt ?? null),
          ),
        },
      },
    },
    expired: {
      type: 'final',
      meta: { label: 'Abgelaufen' },
      entry: emailInviter('invitationExpired'),
    },
    revoked: { type: 'final', meta: { label: 'Widerrufen' } },
    rejected: {
      type: 'final',
      meta: { label: 'Abgelehnt' },
      entry: {
        type: 'sendEmail',
        params: ({ context }) => ({
          template: 'registrationRejected',
          to: context.invitee,
          reason: context.rejectionReason ?? '',
        }),
      },
    },
    locked: {
      type: 'final',
      meta: { label: 'Gesperrt' },
      entry: emailInviter('registrationLocked'),
    },
  },
});

export const invitationProcess: ProcessDefinition = {
  type: 'invitation',
  version: 1,
  title: 'Einladung eines Benutzers',
  machine: invitationMachine,
  input: invitationInputSchema,
  events: invitationEventSchemas,
  // The back office decides on a registration; the inviting practice or the back office may
  // resend or revoke an invitation; the rest is the invited person's, through the portal.
  eventSenders: {
    REGISTRATION_APPROVED: 'operator',
    REGISTRATION_REJECTED: 'operator',
    INVITATION_RESENT: 'both',
    INVITATION_REVOKED: 'both',
  },
  businessKeyParts: (input: InvitationInput) => [input.practiceId, input.email.toLowerCase()],
  practiceId: (input: InvitationInput) => input.practiceId,
  redact: ['tokenHash', 'codeHash', 'pinHash'],
};
