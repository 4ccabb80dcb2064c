import { assign } from 'xstate';
import {
  countFailedActivationAttempt,
  emailInviter,
  invitationProcess,
  invitationSetup,
  MAX_ACTIVATION_ATTEMPTS,
  rejectWrongActivationCode,
} from './invitation.js';
import { giveConsent, MAX_AGE_YEARS, MIN_AGE_YEARS, withdrawConsent } from './invitation.schema.js';
import type { ProcessDefinition } from './process-definition.js';

/**
 * Version 2 of the invitation, as the portal's own users know it (seed 002): the link of the
 * invitation ("Registrierung fortsetzen") takes the person back to the step they are at every
 * time, until the registration ends; the status emails carry it too; the activation code is
 * shown on the registration page, never emailed. Version 1 processes keep running as they
 * started (machines/invitation.ts).
 */

// The person opens the link: the portal sends its token; the process checks it against the
// hash of the newest invitation's token.
const verifyLink = invitationSetup.enqueueActions(({ context, event, enqueue }) => {
  if (event.type !== 'REGISTRATION_STARTED') return;
  enqueue({
    type: 'verifyRegistrationToken',
    params: { token: event.token, tokenHash: context.tokenHash },
  });
});

const rejectLink = invitationSetup.emit({
  type: 'rejected',
  status: 422,
  detail: 'Der Registrierungslink ist ungültig oder wurde durch eine neue Einladung ersetzt.',
  path: 'token',
});

const invitationMachineV2 = invitationSetup.createMachine({
  id: 'invitation',
  description:
    'Einladung eines Benutzers (version 2, seed 002): registration link → personal data → ' +
    'device registration with the AOK 2-Faktor App → approval → consent. The link is not ' +
    'one-time: REGISTRATION_STARTED with its token is taken at every step until the ' +
    'registration ends and answers with the step the person is at (in the Geräteregistrierung ' +
    'with a fresh activation code); a resent invitation kills the old link. The activation ' +
    'code is handed back once, in the answer to the event that leads to the ' +
    'Geräteregistrierung (or to a later opening of the link there), and only its hash is ' +
    'kept. The reminder (696 h) and the status emails carry the link. Choices where the ' +
    'sources are silent: as in version 1 (age 16 to 120, expired and locked emails to the ' +
    'inviter, consent records).',
  initial: 'registration',
  context: ({ input: { salutation, firstName, lastName, email, practiceId, inviter } }) => ({
    invitee: { salutation, firstName, lastName, email },
    practiceId,
    inviter: inviter ? { name: inviter.name ?? null, email: inviter.email } : null,
    tokenHash: null,
    linkRef: null,
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
      description:
        'The registration window: invitationExpiry (720 h) from the latest invitation; the ' +
        'link works at every step within it.',
      initial: 'invited',
      after: {
        invitationExpiry: { target: '#invitation.expired' },
        invitationReminder: {
          actions: {
            type: 'sendEmail',
            params: ({ context }) => ({
              template: 'invitationReminder',
              to: context.invitee,
              inviterName: context.inviter?.name ?? null,
              linkRef: context.linkRef ?? null,
            }),
          },
        },
      },
      on: {
        INVITATION_REVOKED: {
          target: '#invitation.revoked',
          actions: assign({
            revocationReason: ({ event }) => event.reason ?? null,
            tokenHash: null,
          }),
        },
        INVITATION_RESENT: {
          description: 'New link, old one dead at once; reminder and expiry start over.',
          target: '#invitation.registration',
          reenter: true,
          actions: assign({ tokenHash: null, linkRef: null, codeHash: null }),
        },
        REGISTRATION_LINK_ISSUED: {
          actions: assign({
            tokenHash: ({ event }) => event.tokenHash,
            linkRef: ({ event }) => event.linkRef ?? null,
          }),
        },
        REGISTRATION_STARTED: { actions: verifyLink },
        // Opened again at a step without anything to redo: the answer shows the step.
        REGISTRATION_TOKEN_ACCEPTED: {},
        REGISTRATION_TOKEN_REJECTED: { actions: rejectLink },
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
          on: { REGISTRATION_TOKEN_ACCEPTED: { target: 'personalData' } },
        },
        personalData: {
          meta: { label: 'Persönliche Daten' },
          on: {
            PERSONAL_DATA_SUBMITTED: [
              {
                guard: 'isPlausibleBirthDate',
                target: 'deviceRegistration',
                actions: [
                  assign({
                    personalData: ({ event }) => ({
                      birthDate: event.birthDate,
                      phone: event.phone ?? null,
                    }),
                  }),
                  {
                    type: 'sendEmail',
                    params: ({ context }) => ({
                      template: 'activationStatus',
                      to: context.invitee,
                      linkRef: context.linkRef ?? '',
                    }),
                  },
                ],
              },
              {
                actions: invitationSetup.emit({
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
          meta: {
            label: 'Geräteregistrierung',
            hint:
              'Geben Sie innerhalb der AOK 2-Faktor App Ihren Benutzernamen bzw. Ihre ' +
              'E-Mail-Adresse und den angezeigten Aktivierungscode ein. Die App fordert Sie ' +
              'anschließend auf, einen 6-stelligen PIN-Code festzulegen.',
          },
          description:
            'The registration page shows an 8-digit activation code for the AOK 2-Faktor App; ' +
            'the person sets a 6-digit PIN. Opening the link again shows a fresh code.',
          entry: {
            type: 'issueActivationCode',
            params: ({ context }) => ({
              invitee: context.invitee,
              maxAttempts: MAX_ACTIVATION_ATTEMPTS,
              show: true,
            }),
          },
          on: {
            REGISTRATION_TOKEN_ACCEPTED: { target: 'deviceRegistration', reenter: true },
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
                  assign({ codeHash: null, tokenHash: null }),
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
      meta: {
        label: 'Beantragt',
        hint: 'Ihre Registrierung ist beantragt. Sobald Ihr Zugang freigeschaltet ist, erhalten Sie eine E-Mail.',
      },
      description:
        'The device is registered; the access waits for its approval by the portal operator.',
      entry: {
        type: 'sendEmail',
        params: ({ context }) => ({
          template: 'registrationRequested',
          to: context.invitee,
          linkRef: context.linkRef ?? null,
        }),
      },
      on: {
        REGISTRATION_STARTED: { actions: verifyLink },
        REGISTRATION_TOKEN_ACCEPTED: {},
        REGISTRATION_TOKEN_REJECTED: { actions: rejectLink },
        REGISTRATION_APPROVED: {
          target: 'completed',
          actions: assign({ tokenHash: null, linkRef: null }),
        },
        REGISTRATION_REJECTED: {
          target: 'rejected',
          actions: assign({
            rejectionReason: ({ event }) => event.reason,
            tokenHash: null,
            linkRef: null,
          }),
        },
      },
    },
    completed: {
      meta: { label: 'Erfolgreich abgeschlossen' },
      description: 'Long-lived: Postfach access needs consent in force (DSGVO Art. 6 (1) a).',
      entry: {
        type: 'sendEmail',
        params: ({ context }) => ({ template: 'registrationCompleted', to: context.invitee }),
      },
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

export const invitationProcessV2: ProcessDefinition = {
  ...invitationProcess,
  version: 2,
  machine: invitationMachineV2,
  redact: [...(invitationProcess.redact ?? []), 'linkRef'],
};
