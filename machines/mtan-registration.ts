import { assign, setup } from 'xstate';
import { berlinDay } from './berlin-time.js';
import {
  mtanRegistrationEventSchemas,
  mtanRegistrationInputSchema,
  type MtanRegistrationContext,
  type MtanRegistrationEvent,
  type MtanRegistrationInput,
  type SendMtanRegistrationCodeParams,
  type StoreMtanNumberParams,
  type VerifyMtanRegistrationCodeParams,
} from './mtan-registration.schema.js';
import type { ProcessDefinition, RejectionEmit } from './process-definition.js';

/**
 * Registrierung zum mTAN-Verfahren: before the first mTAN of a document download can go out,
 * the physician confirms the mobile number it goes to with a 6-digit code sent there by SMS.
 * The limits are those of the channel confirmation (version 2), per process and German day:
 * at most 5 codes, 3 resends and 5 wrong codes, after which the registration is locked until
 * the next day. A code is valid 15 minutes. Confirmed, the number is written where the
 * documents look it up; a later change is a new confirmation, and the number in force stays
 * until the new one is confirmed.
 */

const MAX_CODE_ATTEMPTS = 5;
const MAX_RESENDS = 3;
const MAX_CODES_PER_DAY = 5;

/** A code by SMS is short-lived: it is typed in while the portal page is open. */
export const mtanRegistrationDelays = { mtanCodeExpiry: 15 * 60 * 1000 } as const;

const CODE_HINT =
  'Ein Bestätigungscode wurde per SMS an die angegebene Mobilfunknummer gesendet. Er ist ' +
  '15 Minuten gültig. Erst nach der Bestätigung werden mTANs an diese Nummer gesendet.';

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
function today(context: MtanRegistrationContext, event: { receivedAt?: string }): Today {
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

const registrationSetup = setup({
  types: {
    context: {} as MtanRegistrationContext,
    events: {} as MtanRegistrationEvent,
    input: {} as MtanRegistrationInput,
    emitted: {} as RejectionEmit,
    meta: {} as { label: string; hint?: string },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    sendMtanRegistrationCode: (_, _params: SendMtanRegistrationCodeParams) => {},
    verifyMtanRegistrationCode: (_, _params: VerifyMtanRegistrationCodeParams) => {},
    storeMtanNumber: (_, _params: StoreMtanNumberParams) => {},
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
  delays: mtanRegistrationDelays,
});

const countFailedAttempt = registrationSetup.assign(({ context, event }) => {
  const counters = today(context, event);
  return { ...counters, failedAttempts: counters.failedAttempts + 1 };
});

const rejectWrongCode = registrationSetup.emit(({ context }) => {
  const left = MAX_CODE_ATTEMPTS - context.failedAttempts;
  return {
    type: 'rejected',
    status: 422,
    detail:
      left > 0
        ? `Der Bestätigungscode ist falsch. Noch ${left} ${left === 1 ? 'Versuch' : 'Versuche'}.`
        : `Der Bestätigungscode ist falsch. Nach ${MAX_CODE_ATTEMPTS} Fehlversuchen ist die Registrierung bis morgen gesperrt.`,
    path: 'code',
  } as const;
});

/** A new number to confirm (or the same one again): no code is valid yet; the day's counters stay. */
const startOver = registrationSetup.assign(({ context, event }) => ({
  ...today(context, event),
  pendingMobile:
    event.type === 'MOBILE_CHANGED'
      ? event.mobile
      : (context.pendingMobile ?? context.mtanNumber?.mobile ?? null),
  codeHash: null,
}));

/** Every code sent counts for the day, whichever event asked for it. */
const countCode = registrationSetup.assign(({ context, event }) => {
  const counters = today(context, event);
  return { ...counters, codesToday: counters.codesToday + 1 };
});

const refuse = (detail: string) =>
  registrationSetup.emit({ type: 'rejected', status: 409, detail } as const);

const TOO_MANY_CODES = refuse(
  `Heute wurden bereits ${MAX_CODES_PER_DAY} Bestätigungscodes gesendet. Bitte fordern Sie morgen einen neuen an.`,
);
const TOO_MANY_RESENDS = refuse(
  `Der Code wurde heute bereits ${MAX_RESENDS}-mal neu gesendet. Bitte fordern Sie morgen einen neuen an.`,
);
const STILL_LOCKED = refuse(
  `Nach ${MAX_CODE_ATTEMPTS} Fehlversuchen ist die Registrierung bis morgen gesperrt.`,
);

/** A new code for a changed number, within the day's limit. */
const changeMobile = (extra: { reenter?: true } = {}) => [
  {
    guard: 'mayIssueCode' as const,
    target: '#mtanRegistration.pending',
    actions: startOver,
    ...extra,
  },
  { actions: TOO_MANY_CODES },
];

const mtanRegistrationMachine = registrationSetup.createMachine({
  id: 'mtanRegistration',
  description:
    'Registrierung zum mTAN-Verfahren: a 6-digit code goes by SMS to the mobile number the ' +
    'physician (HÄVG-ID and LANR, in one practice) gave; entering it confirms the number, and ' +
    'from then on the mTANs of their documents go there. Choices where PROCESSES.md is ' +
    'silent: one process per physician and practice (business key = keyed hash of both), ' +
    'never final; a code is valid 15 minutes; a changed number while a code is pending ' +
    'replaces the number to confirm; after expiry CODE_RESENT confirms the same number again; the ' +
    `number in force stays until the new one is confirmed. Per German day at most ` +
    `${MAX_CODES_PER_DAY} codes, ${MAX_RESENDS} resends and ${MAX_CODE_ATTEMPTS} wrong codes; ` +
    'a lock lasts until the next day.',
  initial: 'pending',
  context: ({ input }) => ({
    practiceId: input.practiceId,
    haevgId: input.haevgId,
    lanr: input.lanr,
    mtanNumber: null,
    pendingMobile: input.mobile,
    codeHash: null,
    failedAttempts: 0,
    resends: 0,
    day: null,
    codesToday: 0,
  }),
  states: {
    pending: {
      meta: { label: 'Bestätigung ausstehend', hint: CODE_HINT },
      description: 'A code is on its way to the number to confirm, valid 15 minutes, 5 tries.',
      entry: [
        countCode,
        {
          type: 'sendMtanRegistrationCode',
          params: ({ context }) => ({
            mobile: context.pendingMobile ?? '',
            maxAttempts: MAX_CODE_ATTEMPTS,
          }),
        },
      ],
      after: { mtanCodeExpiry: { target: 'expired', actions: assign({ codeHash: null }) } },
      on: {
        MTAN_CODE_ISSUED: {
          actions: assign({ codeHash: ({ event }) => event.codeHash }),
        },
        CODE_SUBMITTED: {
          actions: {
            type: 'verifyMtanRegistrationCode',
            params: ({ context, event }) => ({ code: event.code, codeHash: context.codeHash }),
          },
        },
        MTAN_CODE_ACCEPTED: {
          target: 'registered',
          actions: assign(({ context, event }) => ({
            mtanNumber: context.pendingMobile
              ? { mobile: context.pendingMobile, confirmedAt: event.receivedAt ?? null }
              : context.mtanNumber,
            pendingMobile: null,
            codeHash: null,
          })),
        },
        MTAN_CODE_REJECTED: [
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
            description: 'A new code; the old one is dead at once; 15 minutes from now.',
            target: 'pending',
            reenter: true,
            actions: assign(({ context, event }) => {
              const counters = today(context, event);
              return { ...counters, codeHash: null, resends: counters.resends + 1 };
            }),
          },
          { actions: TOO_MANY_RESENDS },
        ],
        MOBILE_CHANGED: changeMobile({ reenter: true }),
      },
    },
    registered: {
      meta: { label: 'Mobilfunknummer bestätigt' },
      description: 'The mTANs of the physician’s documents go to this number.',
      entry: {
        type: 'storeMtanNumber',
        params: ({ context }) => ({
          practiceId: context.practiceId,
          haevgId: context.haevgId,
          lanr: context.lanr,
          mobile: context.mtanNumber?.mobile ?? '',
        }),
      },
      on: { MOBILE_CHANGED: changeMobile() },
    },
    expired: {
      meta: { label: 'Code abgelaufen' },
      description: 'The code ran out unused; a number confirmed before stays in force.',
      on: {
        MOBILE_CHANGED: changeMobile(),
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
        MOBILE_CHANGED: [
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

export const mtanRegistrationProcess: ProcessDefinition = {
  type: 'mtanRegistration',
  version: 1,
  title: 'Registrierung zum mTAN-Verfahren',
  machine: mtanRegistrationMachine,
  input: mtanRegistrationInputSchema,
  events: mtanRegistrationEventSchemas,
  businessKeyParts: (input: MtanRegistrationInput) => [input.practiceId, input.haevgId, input.lanr],
  practiceId: (input: MtanRegistrationInput) => input.practiceId,
  redact: ['codeHash'],
};
