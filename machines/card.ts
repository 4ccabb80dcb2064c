import { assign, emit, setup } from 'xstate';
import { addMonths, msUntil } from './calendar.js';
import {
  cardEventSchemas,
  cardInputSchema,
  type CardContext,
  type CardEvent,
  type CardInput,
  type SendCardEmailParams,
  type SendTransportPinLetterParams,
} from './card.schema.js';
import { cardNumberOf } from './ehba-application.schema.js';
import {
  DAY,
  START_PROCESS,
  type ProcessDefinition,
  type RejectionEmit,
  type StartProcessParams,
} from './process-definition.js';

/**
 * Only an approved application starts a card (and an exchange card its successor): nobody
 * chooses a card number, and no card exists without the chamber's approval.
 */
export const CARD_START =
  "the chamber's approval of its application (ehbaApplication: CHAMBER_APPROVED)";

/** The certificates on a card are valid this long from production. */
const CERTIFICATE_VALIDITY_MONTHS = 5 * 12;
/** How long after shipping a forgotten activation password gets a free exchange card. */
const EXCHANGE_PERIOD_MONTHS = 6;
/** The renewal reminder goes this long before the certificates end. */
const RENEWAL_LEAD = 90 * DAY;

/** The moment the current state was entered: the event's time, or when the card was activated. */
const enteredAt = (context: CardContext, event: CardEvent): string | null =>
  event.receivedAt ?? context.activatedAt;

type CardMailOf<T> = T extends { template: infer _ }
  ? Omit<T, 'cardNumber' | 'cardType' | 'holder'>
  : never;

const cardEmail =
  (build: (context: CardContext) => CardMailOf<SendCardEmailParams>) =>
  ({ context }: { context: CardContext }): SendCardEmailParams =>
    ({
      cardNumber: context.cardNumber,
      cardType: context.cardType,
      holder: context.holder,
      ...build(context),
    }) as SendCardEmailParams;

const cardSetup = setup({
  types: {
    context: {} as CardContext,
    events: {} as CardEvent,
    input: {} as CardInput,
    emitted: {} as RejectionEmit,
    meta: {} as { label: string },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    sendCardEmail: (_, _params: SendCardEmailParams) => {},
    sendTransportPinLetter: (_, _params: SendTransportPinLetterParams) => {},
    [START_PROCESS]: (_, _params: StartProcessParams) => {},
  },
  guards: {
    isShipped: ({ context }) => context.shippedAt !== null,
    // Open without an interpreter time: the interpreter lists allowed events by type alone.
    isWithinExchangePeriod: ({ context, event }) =>
      event.receivedAt === undefined ||
      context.exchangeUntil === null ||
      event.receivedAt < context.exchangeUntil,
    hasNoFollowUp: ({ context }) => context.followUpApplication === null,
  },
  // Both timers of an active card count down to dates fixed at shipping, not from a
  // configurable duration: they are computed, and an override by name does not apply.
  delays: {
    renewalReminder: ({ context, event }) =>
      msUntil(
        context.validUntil && new Date(Date.parse(context.validUntil) - RENEWAL_LEAD).toISOString(),
        enteredAt(context, event),
      ),
    certificateExpiry: ({ context, event }) =>
      msUntil(context.validUntil, enteredAt(context, event)),
  },
});

/** Shipping fixes the certificates' end and the exchange period. */
const shipment = (trackingId: string, shippedAt: string | undefined | null) => ({
  trackingId,
  shippedAt: shippedAt ?? null,
  validUntil: shippedAt ? addMonths(shippedAt, CERTIFICATE_VALIDITY_MONTHS) : null,
  exchangeUntil: shippedAt ? addMonths(shippedAt, EXCHANGE_PERIOD_MONTHS) : null,
});

const sendTransportPinLetter = cardSetup.enqueueActions(({ context, enqueue }) => {
  enqueue({
    type: 'sendTransportPinLetter',
    params: {
      cardNumber: context.cardNumber,
      cardType: context.cardType,
      holder: context.holder,
      letter: context.transportPinLetters,
    },
  });
});

const countTransportPinLetter = cardSetup.assign({
  transportPinLetters: ({ context }) => context.transportPinLetters + 1,
});

const cardMachine = cardSetup.createMachine({
  id: 'card',
  description:
    'Kartenlebenszyklus eHBA / SMC-B: production → shipping with a separate Transport-PIN ' +
    'letter → activation → renewal reminder 90 days before the certificates end (5 years ' +
    'from shipping) → expiry; blocking is possible from every state that is not final and ' +
    'cannot be undone. Choices where PROCESSES.md is silent: production ends with shipping, ' +
    'so the 5 years and the 6-month exchange period count from CARD_SHIPPED; the card ' +
    'number is the application number with the card sequence (K-2026-…-1; an exchange card ' +
    'gets the next one); the Transport-PIN is derived from a secret and the card, so a letter ' +
    'sent again states the same PIN and nothing of it is stored; an exchange card starts ' +
    'its own process already shipped, with the tracking id of its CARD_SHIPPED, and this ' +
    'card ends as replaced; FOLLOW_UP_REQUESTED (the renewal email links to the portal page ' +
    'sending it) starts one follow-up application prefilled with the holder data.',
  initial: 'inProduction',
  context: ({ input }) => ({
    cardNumber: input.cardNumber,
    cardType: input.cardType,
    applicationNumber: input.applicationNumber,
    holder: { ...input.holder, title: input.holder.title ?? null },
    practiceId: input.practiceId ?? null,
    replaces: input.replaces ?? null,
    ...(input.shipment
      ? shipment(input.shipment.trackingId, input.shipment.shippedAt)
      : { trackingId: null, shippedAt: null, validUntil: null, exchangeUntil: null }),
    activatedAt: null,
    transportPinLetters: 0,
    blockReason: null,
    replacedBy: null,
    followUpApplication: null,
  }),
  on: {
    CARD_BLOCKED: {
      target: '.blocked',
      actions: assign({ blockReason: ({ event }) => event.reason }),
    },
  },
  states: {
    inProduction: {
      meta: { label: 'In Produktion' },
      always: { guard: 'isShipped', target: 'shipped' },
      on: {
        CARD_SHIPPED: {
          target: 'shipped',
          actions: assign(({ event }) => shipment(event.trackingId, event.receivedAt)),
        },
      },
    },
    shipped: {
      meta: { label: 'Versendet' },
      description: 'Tracking by email; the Transport-PIN letter separately, by post.',
      entry: [
        {
          type: 'sendCardEmail',
          params: cardEmail((context) => ({
            template: 'cardShipped',
            trackingId: context.trackingId ?? '',
          })),
        },
        countTransportPinLetter,
        sendTransportPinLetter,
      ],
      on: {
        TRANSPORT_PIN_RESEND_REQUESTED: {
          description: 'Only before activation: afterwards the letter cannot be reissued.',
          actions: [countTransportPinLetter, sendTransportPinLetter],
        },
        CARD_ACTIVATED: {
          target: 'active',
          actions: assign({ activatedAt: ({ event }) => event.receivedAt ?? null }),
        },
      },
    },
    active: {
      meta: { label: 'Freigeschaltet' },
      entry: {
        type: 'sendCardEmail',
        params: cardEmail((context) => ({
          template: 'cardActivated',
          validUntil: context.validUntil ?? '',
        })),
      },
      after: {
        renewalReminder: {
          actions: {
            type: 'sendCardEmail',
            params: cardEmail((context) => ({
              template: 'renewalReminder',
              validUntil: context.validUntil ?? '',
            })),
          },
        },
        certificateExpiry: { target: 'expired' },
      },
      on: {
        ACTIVATION_PASSWORD_FORGOTTEN: [
          { guard: 'isWithinExchangePeriod', target: 'exchangeRequested' },
          {
            actions: emit(({ context }) => ({
              type: 'rejected',
              status: 409,
              detail:
                `Die kostenlose Austauschkarte ist nur bis ${EXCHANGE_PERIOD_MONTHS} Monate nach ` +
                `dem Versand möglich (bis ${(context.exchangeUntil ?? '').slice(0, 10)}). ` +
                'Bitte beantragen Sie eine Ersatzkarte mit einem neuen Antrag.',
            })),
          },
        ],
        FOLLOW_UP_REQUESTED: [
          {
            guard: 'hasNoFollowUp',
            actions: {
              type: START_PROCESS,
              params: ({ context }) => ({
                type: 'ehbaApplication',
                input: {
                  cardType: context.cardType,
                  ...(context.holder.title ? { title: context.holder.title } : {}),
                  firstName: context.holder.firstName,
                  lastName: context.holder.lastName,
                  birthDate: context.holder.birthDate,
                  email: context.holder.email,
                  chamber: context.holder.chamber,
                  address: context.holder.address,
                  ...(context.practiceId ? { practiceId: context.practiceId } : {}),
                  followUpOf: context.cardNumber,
                },
                reply: 'FOLLOW_UP_STARTED',
              }),
            },
          },
          {
            actions: emit(({ context }) => ({
              type: 'rejected',
              status: 409,
              detail: `Der Folgeantrag ${context.followUpApplication?.businessKey ?? ''} läuft bereits.`,
            })),
          },
        ],
        FOLLOW_UP_STARTED: {
          actions: assign({
            followUpApplication: ({ event }) => ({
              processId: event.processId,
              businessKey: event.businessKey,
            }),
          }),
        },
      },
    },
    exchangeRequested: {
      meta: { label: 'Austausch beantragt' },
      description: 'A free exchange card is produced; its shipping ends this card.',
      entry: {
        type: 'sendCardEmail',
        params: cardEmail(() => ({ template: 'exchangeRequested' })),
      },
      on: {
        CARD_SHIPPED: {
          target: 'replaced',
          actions: [
            assign({
              replacedBy: ({ context }) =>
                cardNumberOf(context.applicationNumber, sequenceOf(context.cardNumber) + 1),
            }),
            {
              type: START_PROCESS,
              params: ({ context, event }) => ({
                type: 'card',
                input: {
                  cardNumber: context.replacedBy,
                  cardType: context.cardType,
                  applicationNumber: context.applicationNumber,
                  holder: context.holder,
                  ...(context.practiceId ? { practiceId: context.practiceId } : {}),
                  replaces: context.cardNumber,
                  shipment: {
                    trackingId: event.trackingId,
                    shippedAt: event.receivedAt ?? new Date(0).toISOString(),
                  },
                },
              }),
            },
          ],
        },
      },
    },
    replaced: { type: 'final', meta: { label: 'Ersetzt' } },
    blocked: {
      type: 'final',
      meta: { label: 'Gesperrt' },
      entry: {
        type: 'sendCardEmail',
        params: cardEmail((context) => ({
          template: 'cardBlocked',
          reason: context.blockReason ?? '',
        })),
      },
    },
    expired: {
      type: 'final',
      meta: { label: 'Abgelaufen' },
      entry: {
        type: 'sendCardEmail',
        params: cardEmail((context) => ({
          template: 'cardExpired',
          validUntil: context.validUntil ?? '',
        })),
      },
    },
  },
});

/** `K-2026-7K3M9QXT-2` → 2. */
function sequenceOf(cardNumber: string): number {
  return Number(cardNumber.slice(cardNumber.lastIndexOf('-') + 1));
}

export const cardProcess: ProcessDefinition = {
  type: 'card',
  version: 1,
  title: 'Kartenlebenszyklus eHBA / SMC-B',
  machine: cardMachine,
  input: cardInputSchema,
  events: cardEventSchemas,
  // The card issuer ships; the holder (through the portal) or the back office does the rest.
  eventSenders: {
    CARD_SHIPPED: 'operator',
    CARD_ACTIVATED: 'both',
    TRANSPORT_PIN_RESEND_REQUESTED: 'both',
    ACTIVATION_PASSWORD_FORGOTTEN: 'both',
    FOLLOW_UP_REQUESTED: 'both',
    CARD_BLOCKED: 'both',
  },
  businessKeyField: 'cardNumber',
  startRoute: CARD_START,
  practiceId: (input: CardInput) => input.practiceId,
};
