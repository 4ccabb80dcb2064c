import { assign, emit, setup } from 'xstate';
import {
  contactVerificationEventSchemas,
  contactVerificationInputSchema,
  type ContactVerificationContext,
  type ContactVerificationEvent,
  type ContactVerificationInput,
  type IssueConfirmationCodeParams,
  type VerifyConfirmationCodeParams,
} from './contact-verification.schema.js';
import { HOUR, type ProcessDefinition, type RejectionEmit } from './process-definition.js';

/** What the Webportal eTerminservice says after saving a channel (seed 001). */
export const CONFIRMATION_HINT =
  'Ein Bestätigungscode wird an die ausgewählte Adresse versendet. Der Versand der ' +
  'Bestätigungsnachricht kann einige Minuten dauern. Falls keine E-Mail-Bestätigung ' +
  'bei Ihnen ankommt, prüfen Sie bitte auch Ihren Spam-Ordner.';

const MAX_CODE_ATTEMPTS = 5;
const MAX_RESENDS = 3;

/** Default durations; a deployment overrides them with `PRAXISFLOW_DELAY_*`. */
export const contactVerificationDelays = { codeExpiry: 24 * HOUR } as const;

const verificationSetup = setup({
  types: {
    context: {} as ContactVerificationContext,
    events: {} as ContactVerificationEvent,
    input: {} as ContactVerificationInput,
    emitted: {} as RejectionEmit,
    meta: {} as { label: string; hint?: string },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    issueConfirmationCode: (_, _params: IssueConfirmationCodeParams) => {},
    verifyConfirmationCode: (_, _params: VerifyConfirmationCodeParams) => {},
  },
  guards: {
    isLastAttempt: ({ context }) => context.failedAttempts + 1 >= MAX_CODE_ATTEMPTS,
    mayResend: ({ context }) => context.resends < MAX_RESENDS,
  },
  delays: contactVerificationDelays,
});

const countFailedAttempt = verificationSetup.assign({
  failedAttempts: ({ context }) => context.failedAttempts + 1,
});

const rejectWrongCode = verificationSetup.emit(({ context }) => {
  const left = MAX_CODE_ATTEMPTS - context.failedAttempts;
  return {
    type: 'rejected',
    status: 422,
    detail:
      left > 0
        ? `Der Bestätigungscode ist falsch. Noch ${left} ${left === 1 ? 'Versuch' : 'Versuche'}.`
        : `Der Bestätigungscode ist falsch. Nach ${MAX_CODE_ATTEMPTS} Fehlversuchen ist die Bestätigung gesperrt; bitte einen neuen Code anfordern.`,
    path: 'code',
  } as const;
});

/** A new candidate (or the same one again): counters start over, no code is valid yet. */
const startOver = verificationSetup.assign(({ context, event }) => ({
  candidate:
    event.type === 'CHANNEL_CHANGED'
      ? { channel: event.channel, address: event.address }
      : (context.candidate ?? context.inUse),
  codeHash: null,
  failedAttempts: 0,
  resends: 0,
}));

const contactVerificationMachine = verificationSetup.createMachine({
  id: 'contactVerification',
  description:
    'Benachrichtigungskanal bestätigen: a code goes to the email address or fax number the ' +
    'practice chose; entering it confirms the channel the nightly overview goes to. Choices ' +
    'where PROCESSES.md is silent: one process per practice (business key = practice id), ' +
    'never final; a resent code is valid 24 h from the resend; a changed channel while a ' +
    'code is pending replaces the candidate (typos get fixed) and starts over; after a lock ' +
    'or expiry, CODE_RESENT confirms the same candidate again with fresh counters; the ' +
    'channel in use stays until the new one is confirmed.',
  initial: 'pending',
  context: ({ input }) => ({
    practiceId: input.practiceId,
    practiceName: input.practiceName,
    inUse: null,
    candidate: {
      channel: input.channel,
      address: input.address,
    } as ContactVerificationContext['candidate'],
    codeHash: null,
    failedAttempts: 0,
    resends: 0,
  }),
  states: {
    pending: {
      meta: {
        label: 'Bestätigung ausstehend',
        // What the Webportal eTerminservice says after saving (seed 001).
        hint: CONFIRMATION_HINT,
      },
      description: 'A code is on its way to the candidate channel, valid 24 h, 5 tries.',
      entry: {
        type: 'issueConfirmationCode',
        params: ({ context }) => ({
          practiceId: context.practiceId,
          practiceName: context.practiceName,
          to: context.candidate ?? { channel: 'email', address: '' },
          maxAttempts: MAX_CODE_ATTEMPTS,
        }),
      },
      after: { codeExpiry: { target: 'expired', actions: assign({ codeHash: null }) } },
      on: {
        CONFIRMATION_CODE_ISSUED: {
          actions: assign({ codeHash: ({ event }) => event.codeHash }),
        },
        CODE_SUBMITTED: {
          actions: {
            type: 'verifyConfirmationCode',
            params: ({ context, event }) => ({ code: event.code, codeHash: context.codeHash }),
          },
        },
        CONFIRMATION_CODE_ACCEPTED: {
          target: 'verified',
          actions: assign(({ context, event }) => ({
            inUse: context.candidate && {
              ...context.candidate,
              verifiedAt: event.receivedAt ?? null,
            },
            candidate: null,
            codeHash: null,
            failedAttempts: 0,
            resends: 0,
          })),
        },
        CONFIRMATION_CODE_REJECTED: [
          {
            guard: 'isLastAttempt',
            target: 'locked',
            actions: [countFailedAttempt, assign({ codeHash: null }), rejectWrongCode],
          },
          { actions: [countFailedAttempt, rejectWrongCode] },
        ],
        CODE_RESENT: [
          {
            guard: 'mayResend',
            description: 'A new code; the old one is dead at once; 24 h from now.',
            target: 'pending',
            reenter: true,
            actions: assign({
              codeHash: null,
              resends: ({ context }) => context.resends + 1,
            }),
          },
          {
            actions: emit({
              type: 'rejected',
              status: 409,
              detail: `Der Code wurde bereits ${MAX_RESENDS}-mal neu gesendet. Bitte warten Sie, bis er abläuft, und fordern Sie dann einen neuen an.`,
            }),
          },
        ],
        CHANNEL_CHANGED: { target: 'pending', reenter: true, actions: startOver },
      },
    },
    verified: {
      meta: { label: 'Bestätigt' },
      description: 'The overview goes to this channel.',
      on: { CHANNEL_CHANGED: { target: 'pending', actions: startOver } },
    },
    expired: {
      meta: { label: 'Abgelaufen' },
      on: {
        CHANNEL_CHANGED: { target: 'pending', actions: startOver },
        CODE_RESENT: { target: 'pending', actions: startOver },
      },
    },
    locked: {
      meta: { label: 'Gesperrt' },
      on: {
        CHANNEL_CHANGED: { target: 'pending', actions: startOver },
        CODE_RESENT: { target: 'pending', actions: startOver },
      },
    },
  },
});

export const contactVerificationProcess: ProcessDefinition = {
  type: 'contactVerification',
  version: 1,
  title: 'Benachrichtigungskanal bestätigen',
  machine: contactVerificationMachine,
  input: contactVerificationInputSchema,
  events: contactVerificationEventSchemas,
  businessKeyField: 'practiceId',
  practiceId: (input: ContactVerificationInput) => input.practiceId,
  redact: ['codeHash'],
};
