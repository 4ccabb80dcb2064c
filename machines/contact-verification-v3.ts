import { assign } from 'xstate';
import { CONFIRMATION_HINT } from './contact-verification.js';
import {
  changeChannel,
  countCode,
  countFailedAttempt,
  MAX_CODE_ATTEMPTS,
  MAX_CODES_PER_DAY,
  MAX_RESENDS,
  rejectWrongCode,
  startOver,
  STILL_LOCKED,
  today,
  TOO_MANY_CODES,
  TOO_MANY_RESENDS,
  verificationSetup,
} from './contact-verification-v2.js';
import {
  contactVerificationEventSchemas,
  contactVerificationInputSchema,
  type ContactVerificationContext,
  type ContactVerificationInput,
} from './contact-verification.schema.js';
import type { ProcessDefinition } from './process-definition.js';

/**
 * Version 3 of the channel confirmation: the limits of version 2, counted right. The first code
 * counts for the day of the first event, whatever that event is. A resend refused because the
 * day's five codes are used up says so (version 2 named three resends whichever limit refused
 * it). Versions 1 and 2 stay for the processes that started with them.
 */

/**
 * The first code goes out at the start, before any event carries a time, and counts for the day
 * of the first event: an event that counts nothing itself still fixes that day (in version 2
 * only a counting event did, so a first code sent late in the evening counted again the next
 * day, which then had only four codes).
 */
const settleDay = verificationSetup.assign(({ context, event }) => today(context, event));

/** After the resend guard refused: the day's codes, or else the resends, are used up. */
const refuseResend = [
  { guard: 'mayIssueCode' as const, actions: TOO_MANY_RESENDS },
  { actions: TOO_MANY_CODES },
];

const contactVerificationMachineV3 = verificationSetup.createMachine({
  id: 'contactVerification',
  description:
    'Benachrichtigungskanal bestätigen: a code goes to the email address or fax number the ' +
    'practice chose; entering it confirms the channel the nightly overview goes to. Choices ' +
    'where PROCESSES.md is silent: one process per practice (business key = practice id), ' +
    'never final; a resent code is valid 24 h from the resend; a changed channel while a ' +
    'code is pending replaces the candidate (typos get fixed); after expiry CODE_RESENT ' +
    'confirms the same candidate again; the channel in use stays until the new one is ' +
    `confirmed. Per process and German day at most ${MAX_CODES_PER_DAY} codes, ` +
    `${MAX_RESENDS} resends and ${MAX_CODE_ATTEMPTS} wrong codes, whatever the path; a lock ` +
    'lasts until the next day. Version 3: the first code counts for the day of the first ' +
    'event; a refusal names the limit that refused it.',
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
      after: {
        codeExpiry: { target: 'expired', actions: [settleDay, assign({ codeHash: null })] },
      },
      on: {
        CONFIRMATION_CODE_ISSUED: {
          actions: [settleDay, assign({ codeHash: ({ event }) => event.codeHash })],
        },
        CODE_SUBMITTED: {
          actions: {
            type: 'verifyConfirmationCode',
            params: ({ context, event }) => ({ code: event.code, codeHash: context.codeHash }),
          },
        },
        CONFIRMATION_CODE_ACCEPTED: {
          target: 'verified',
          actions: [
            settleDay,
            assign(({ context, event }) => ({
              inUse: context.candidate && {
                ...context.candidate,
                verifiedAt: event.receivedAt ?? null,
              },
              candidate: null,
              codeHash: null,
            })),
          ],
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
          ...refuseResend,
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
          ...refuseResend,
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

export const contactVerificationProcessV3: ProcessDefinition = {
  type: 'contactVerification',
  version: 3,
  title: 'Benachrichtigungskanal bestätigen',
  machine: contactVerificationMachineV3,
  input: contactVerificationInputSchema,
  events: contactVerificationEventSchemas,
  businessKeyField: 'practiceId',
  practiceId: (input: ContactVerificationInput) => input.practiceId,
  redact: ['codeHash'],
};
