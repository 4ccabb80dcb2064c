import { assign, setup } from 'xstate';
import { berlinDay } from './berlin-time.js';
import { CONFIRMATION_HINT, contactVerificationDelays } from './contact-verification.js';
import {
  contactVerificationEventSchemas,
  contactVerificationInputSchema,
  type ContactVerificationContext,
  type ContactVerificationEvent,
  type ContactVerificationInput,
  type IssueConfirmationCodeParams,
  type VerifyConfirmationCodeParams,
} from './contact-verification.schema.js';
import type { ProcessDefinition, RejectionEmit } from './process-definition.js';

/**
 * Version 2 of the channel confirmation: its limits hold per process and German calendar day,
 * whatever the path. A changed channel (the same address or another) and a resend no longer
 * start the counters over, and a lock after 5 wrong codes lasts until the next day. Version 1
 * stays for the processes that started with it.
 */

export const MAX_CODE_ATTEMPTS = 5;
export const MAX_RESENDS = 3;
export const MAX_CODES_PER_DAY = 5;

interface ContactVerificationV2Context extends ContactVerificationContext {
  /** German day the counters count for; null until the first event with a time. */
  readonly day: string | null;
  /** Codes sent that day, the first one included. */
  readonly codesToday: number;
}

interface Today {
  readonly day: string | null;
  readonly codesToday: number;
  readonly failedAttempts: number;
  readonly resends: number;
}

/**
 * The counters as they stand on the day an event arrived: a new German day starts them over.
 * The first code goes out at the start, before any event carries a time: it counts for the day
 * of the first event.
 */
export function today(
  context: ContactVerificationV2Context,
  event: { receivedAt?: string },
): Today {
  const day = event.receivedAt ? berlinDay(event.receivedAt) : context.day;
  if (context.day === null || day === context.day) {
    return {
      day,
      codesToday: context.codesToday,
      failedAttempts: context.failedAttempts,
      resends: context.resends,
    };
  }
  return { day, codesToday: 0, failedAttempts: 0, resends: 0 };
}

export const verificationSetup = setup({
  types: {
    context: {} as ContactVerificationV2Context,
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
    isLastAttempt: ({ context, event }) =>
      today(context, event).failedAttempts + 1 >= MAX_CODE_ATTEMPTS,
    mayIssueCode: ({ context, event }) => today(context, event).codesToday < MAX_CODES_PER_DAY,
    mayResend: ({ context, event }) => {
      const { codesToday, resends } = today(context, event);
      return resends < MAX_RESENDS && codesToday < MAX_CODES_PER_DAY;
    },
    mayUnlock: ({ context, event }) => {
      const { codesToday, failedAttempts } = today(context, event);
      return failedAttempts < MAX_CODE_ATTEMPTS && codesToday < MAX_CODES_PER_DAY;
    },
  },
  delays: contactVerificationDelays,
});

export const countFailedAttempt = verificationSetup.assign(({ context, event }) => {
  const counters = today(context, event);
  return { ...counters, failedAttempts: counters.failedAttempts + 1 };
});

export const rejectWrongCode = verificationSetup.emit(({ context }) => {
  const left = MAX_CODE_ATTEMPTS - context.failedAttempts;
  return {
    type: 'rejected',
    status: 422,
    detail:
      left > 0
        ? `Der Bestätigungscode ist falsch. Noch ${left} ${left === 1 ? 'Versuch' : 'Versuche'}.`
        : `Der Bestätigungscode ist falsch. Nach ${MAX_CODE_ATTEMPTS} Fehlversuchen ist die Bestätigung bis morgen gesperrt.`,
    path: 'code',
  } as const;
});

/** A new candidate (or the same one again): no code is valid yet; the day's counters stay. */
export const startOver = verificationSetup.assign(({ context, event }) => ({
  ...today(context, event),
  candidate:
    event.type === 'CHANNEL_CHANGED'
      ? { channel: event.channel, address: event.address }
      : (context.candidate ?? context.inUse),
  codeHash: null,
}));

/** Every code sent counts for the day, whichever event asked for it. */
export const countCode = verificationSetup.assign(({ context, event }) => {
  const counters = today(context, event);
  return { ...counters, codesToday: counters.codesToday + 1 };
});

const refuse = (detail: string) =>
  verificationSetup.emit({ type: 'rejected', status: 409, detail } as const);

export const TOO_MANY_CODES = refuse(
  `Heute wurden bereits ${MAX_CODES_PER_DAY} Bestätigungscodes gesendet. Bitte fordern Sie morgen einen neuen an.`,
);
export const TOO_MANY_RESENDS = refuse(
  `Der Code wurde heute bereits ${MAX_RESENDS}-mal neu gesendet. Bitte fordern Sie morgen einen neuen an.`,
);
export const STILL_LOCKED = refuse(
  `Nach ${MAX_CODE_ATTEMPTS} Fehlversuchen ist die Bestätigung bis morgen gesperrt.`,
);

/** A new code for a changed channel, within the day's limit. */
export const changeChannel = (extra: { reenter?: true } = {}) => [
  {
    guard: 'mayIssueCode' as const,
    target: '#contactVerification.pending',
    actions: startOver,
    ...extra,
  },
  { actions: TOO_MANY_CODES },
];

const contactVerificationMachine = verificationSetup.createMachine({
  id: 'contactVerification',
  description:
    'Benachrichtigungskanal bestätigen: a code goes to the email address or fax number the ' +
    'practice chose; entering it confirms the channel the nightly overview goes to. Choices ' +
    'where PROCESSES.md is silent: one process per practice (business key = practice id), ' +
    'never final; a resent code is valid 24 h from the resend; a changed channel while a ' +
    'code is pending replaces the candidate (typos get fixed); after expiry CODE_RESENT ' +
    'confirms the same candidate again; the channel in use stays until the new one is ' +
    `confirmed. Version 2: per process and German day at most ${MAX_CODES_PER_DAY} codes, ` +
    `${MAX_RESENDS} resends and ${MAX_CODE_ATTEMPTS} wrong codes, whatever the path; a lock ` +
    'lasts until the next day.',
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
    day: null,
    codesToday: 0,
  }),
  states: {
    pending: {
      meta: { label: 'Bestätigung ausstehend', hint: CONFIRMATION_HINT },
      description: 'A code is on its way to the candidate channel, valid 24 h, 5 tries.',
      entry: [
        countCode,
        {
          type: 'issueConfirmationCode',
          params: ({ context }) => ({
            practiceId: context.practiceId,
            practiceName: context.practiceName,
            to: context.candidate ?? { channel: 'email', address: '' },
            maxAttempts: MAX_CODE_ATTEMPTS,
          }),
        },
      ],
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
            actions: assign(({ context, event }) => {
              const counters = today(context, event);
              return { ...counters, codeHash: null, resends: counters.resends + 1 };
            }),
          },
          { actions: TOO_MANY_RESENDS },
        ],
        CHANNEL_CHANGED: changeChannel({ reenter: true }),
      },
    },
    verified: {
      meta: { label: 'Bestätigt' },
      description: 'The overview goes to this channel.',
      on: { CHANNEL_CHANGED: changeChannel() },
    },
    expired: {
      meta: { label: 'Abgelaufen' },
      on: {
        CHANNEL_CHANGED: changeChannel(),
        CODE_RESENT: [
          {
            guard: 'mayResend',
            target: 'pending',
            actions: [startOver, assign({ resends: ({ context }) => context.resends + 1 })],
          },
          { actions: TOO_MANY_RESENDS },
        ],
      },
    },
    locked: {
      meta: { label: 'Gesperrt' },
      description: `${MAX_CODE_ATTEMPTS} wrong codes: no code goes out before the next German day.`,
      on: {
        CHANNEL_CHANGED: [
          { guard: 'mayUnlock', target: 'pending', actions: startOver },
          { actions: STILL_LOCKED },
        ],
        CODE_RESENT: [
          { guard: 'mayUnlock', target: 'pending', actions: startOver },
          { actions: STILL_LOCKED },
        ],
      },
    },
  },
});

export const contactVerificationProcessV2: ProcessDefinition = {
  type: 'contactVerification',
  version: 2,
  title: 'Benachrichtigungskanal bestätigen',
  machine: contactVerificationMachine,
  input: contactVerificationInputSchema,
  events: contactVerificationEventSchemas,
  businessKeyField: 'practiceId',
  practiceId: (input: ContactVerificationInput) => input.practiceId,
  redact: ['codeHash'],
};
