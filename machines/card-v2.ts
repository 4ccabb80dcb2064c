import { assign, setup } from 'xstate';
import { addMonths, msUntil } from './calendar.js';
import {
  cardV2EventSchemas,
  cardV2InputSchema,
  type CardV2Context,
  type CardV2Event,
  type CardV2Input,
  type DestroyTransportPinLetterParams,
  type ExchangeReason,
  type ForwardTransportPinLetterParams,
} from './card-v2.schema.js';
import type { SendCardEmailParams } from './card.schema.js';
import { CARD_START } from './card.js';
import { cardNumberOf } from './ehba-application.schema.js';
import {
  DAY,
  START_PROCESS,
  type ProcessDefinition,
  type RejectionEmit,
  type StartProcessParams,
} from './process-definition.js';

/** The certificates on a card are valid this long from production, activated or not. */
const CERTIFICATE_VALIDITY_MONTHS = 5 * 12;
/** The renewal reminder goes this long before the certificates end. */
const RENEWAL_LEAD = 90 * DAY;

/** Refusals of an active card, in the words of the card issuer (seed 003). */
const AFTER_ACTIVATION = {
  TRANSPORT_PIN_RESEND_REQUESTED:
    'Ein erneuter Versand des Transport-PIN-Briefs ist nach der Freischaltung nicht mehr ' +
    'möglich: Austausch- oder Ersatzkarte beantragen (TRANSPORT_PIN_LETTER_LOST).',
  ACTIVATION_PASSWORD_FORGOTTEN:
    'Die Karte ist bereits freigeschaltet: Das Kennwort für die Freischaltung wird nicht mehr ' +
    'gebraucht. Für die PINs der Karte gilt der Transport-PIN-Brief; ist er verloren, ' +
    'Austausch- oder Ersatzkarte beantragen (TRANSPORT_PIN_LETTER_LOST).',
} as const;

/** The moment the current state was entered: the event's time, or the shipping/activation. */
const enteredAt = (context: CardV2Context, event: CardV2Event): string | null =>
  event.receivedAt ?? context.activatedAt ?? context.shippedAt;

const mailOf = (context: CardV2Context) => ({
  cardNumber: context.cardNumber,
  cardType: context.cardType,
  holder: context.holder,
});

type CardMailOf<T> = T extends { template: infer _ }
  ? Omit<T, 'cardNumber' | 'cardType' | 'holder'>
  : never;

const cardEmail =
  (build: (context: CardV2Context) => CardMailOf<SendCardEmailParams>) =>
  ({ context }: { context: CardV2Context }): SendCardEmailParams =>
    ({ ...mailOf(context), ...build(context) }) as SendCardEmailParams;

const cardSetup = setup({
  types: {
    context: {} as CardV2Context,
    events: {} as CardV2Event,
    input: {} as CardV2Input,
    emitted: {} as RejectionEmit,
    meta: {} as { label: string; refusals?: Readonly<Record<string, string>> },
  },
  // The interpreter runs none of these: it calls the activity of the same name with the params.
  actions: {
    sendCardEmail: (_, _params: SendCardEmailParams) => {},
    forwardTransportPinLetter: (_, _params: ForwardTransportPinLetterParams) => {},
    destroyTransportPinLetter: (_, _params: DestroyTransportPinLetterParams) => {},
    [START_PROCESS]: (_, _params: StartProcessParams) => {},
  },
  guards: {
    isShipped: ({ context }) => context.shippedAt !== null,
    // Open without a payload: the interpreter lists allowed events by type alone.
    handsOverLetter: ({ event }) =>
      event.type !== 'CARD_SHIPPED' || event.transportPinLetterId !== undefined,
    setsNewKennwort: ({ event }) =>
      event.type !== 'ACTIVATION_PASSWORD_FORGOTTEN' || event.activationPasswordHash !== undefined,
    hasNoFollowUp: ({ context }) => context.followUpApplication === null,
    // Every card shipped under version 2 has one; a card moved from version 1 when shipped
    // was sent its letter under version 1, and nothing is sealed to send again.
    hasSealedLetter: ({ context }) => context.transportPinLetterId !== null,
  },
  // The timers count down to dates fixed at shipping, not from a configurable duration.
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

/** Shipping fixes the certificates' end; the letter comes sealed from production. */
const shipment = (
  trackingId: string | null,
  shippedAt: string | null,
  letterId: string | null,
) => ({
  trackingId,
  shippedAt,
  validUntil: shippedAt ? addMonths(shippedAt, CERTIFICATE_VALIDITY_MONTHS) : null,
  transportPinLetterId: letterId,
});

const sendLetter = cardSetup.enqueueActions(({ context, enqueue }) => {
  if (!context.transportPinLetterId) return;
  enqueue.assign({ lettersSent: context.lettersSent + 1 });
  enqueue({
    type: 'forwardTransportPinLetter',
    params: {
      ...mailOf(context),
      letterId: context.transportPinLetterId,
      letter: context.lettersSent + 1,
    },
  });
});

/** Once no resend is possible, the sealed letter goes: its key and content are deleted. */
const destroyLetter = cardSetup.enqueueActions(({ context, enqueue }) => {
  if (!context.transportPinLetterId) return;
  enqueue({
    type: 'destroyTransportPinLetter',
    params: { letterId: context.transportPinLetterId },
  });
  enqueue.assign({ transportPinLetterId: null });
});

const requestExchange = (reason: ExchangeReason) =>
  cardSetup.assign(({ context, event }) => ({
    exchange: {
      reason,
      requestedAt: event.receivedAt ?? null,
      activationPasswordHash:
        event.type === 'ACTIVATION_PASSWORD_FORGOTTEN'
          ? (event.activationPasswordHash ?? null)
          : context.activationPasswordHash,
    },
  }));

/** A refused event: nothing changes, the caller gets a 422 naming the field. */
const refuse = (path: string, detail: string) =>
  cardSetup.emit({ type: 'rejected', status: 422, path, detail });

const NO_LETTER = refuse(
  'transportPinLetter',
  'Bitte den Inhalt des Transport-PIN-Briefs aus der Kartenproduktion angeben (transportPinLetter).',
);

const holderDataChanged = {
  HOLDER_DATA_CHANGED: {
    description: 'Stammdaten pflegen (Kundenportal): the new email or postal address.',
    actions: cardSetup.assign({
      holder: ({ context, event }) =>
        event.type === 'HOLDER_DATA_CHANGED'
          ? {
              ...context.holder,
              ...(event.email ? { email: event.email } : {}),
              ...(event.address ? { address: event.address } : {}),
            }
          : context.holder,
    }),
  },
} as const;

const certificateExpiry = { certificateExpiry: { target: 'expired' } } as const;

const cardMachine = cardSetup.createMachine({
  id: 'card',
  description:
    'Kartenlebenszyklus eHBA / SMC-B, version 2 (seed 003): two secrets never confused. The ' +
    'Kennwort für die Freischaltung comes from the application as an argon2 hash; it cannot ' +
    'be changed or reproduced, so forgetting it before the Freischaltung means an exchange ' +
    'card (with a new Kennwort the holder sets), and after it there is nothing to forget. The ' +
    'Transport-PIN letter is made by production: CARD_SHIPPED hands over its content, which ' +
    'the API seals; it is resent (Einschreiben/Einwurf) only before the Freischaltung and ' +
    'destroyed the moment no resend is possible any more (Freischaltung, exchange, blocking, ' +
    'expiry). The holder sets the PINs with the Transport-PIN in the practice software or the ' +
    'DGN PINtool. Choices where the texts are silent: the Freischaltung itself happens at the ' +
    "issuer's activation service, which checks the Kennwort and reports CARD_ACTIVATED; the " +
    'certificates are published in the Statusdienst with it; the 5 years count from shipping ' +
    'and end the card whether or not it was activated; an exchange card gets the next card ' +
    'number and its own process, already shipped; no fee and no deadline for an exchange: the ' +
    "issuer's operator decides.",
  initial: 'inProduction',
  context: ({ input }) => ({
    cardNumber: input.cardNumber,
    cardType: input.cardType,
    applicationNumber: input.applicationNumber,
    holder: input.holder,
    practiceId: input.practiceId ?? null,
    replaces: input.replaces ?? null,
    activationPasswordHash: input.activationPasswordHash,
    ...(input.shipment
      ? shipment(
          input.shipment.trackingId,
          input.shipment.shippedAt,
          input.shipment.transportPinLetterId,
        )
      : shipment(null, null, null)),
    lettersSent: 0,
    activatedAt: null,
    certificatesPublishedAt: null,
    exchange: null,
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
        CARD_SHIPPED: [
          {
            guard: 'handsOverLetter',
            target: 'shipped',
            actions: assign(({ event }) =>
              shipment(
                event.trackingId,
                event.receivedAt ?? null,
                event.transportPinLetterId ?? null,
              ),
            ),
          },
          { actions: NO_LETTER },
        ],
      },
    },
    shipped: {
      meta: { label: 'Versendet' },
      description:
        'Tracking by email; the Transport-PIN letter separately, by post. Until the ' +
        'Freischaltung the letter can be sent again; the 5-year end applies here too.',
      entry: [
        {
          type: 'sendCardEmail',
          params: cardEmail((context) => ({
            template: 'cardShipped',
            trackingId: context.trackingId ?? '',
          })),
        },
        sendLetter,
      ],
      exit: destroyLetter,
      after: certificateExpiry,
      on: {
        TRANSPORT_PIN_RESEND_REQUESTED: [
          {
            description: 'The same letter again, as Einschreiben/Einwurf.',
            guard: 'hasSealedLetter',
            actions: sendLetter,
          },
          {
            actions: cardSetup.emit({
              type: 'rejected',
              status: 409,
              detail:
                'Für diese Karte liegt kein versiegelter Transport-PIN-Brief vor: Sie wurde vor ' +
                'der Umstellung auf Version 2 versandt. Ist der Brief verloren, nach der ' +
                'Freischaltung eine Austausch- oder Ersatzkarte beantragen ' +
                '(TRANSPORT_PIN_LETTER_LOST).',
            }),
          },
        ],
        ACTIVATION_PASSWORD_FORGOTTEN: [
          {
            description: 'Without the Kennwort the card can never be freigeschaltet.',
            guard: 'setsNewKennwort',
            target: 'exchangeRequested',
            actions: requestExchange('activationPasswordForgotten'),
          },
          {
            actions: refuse(
              'activationPassword',
              'Bitte ein neues Kennwort für die Freischaltung der Austausch-/Ersatzkarte ' +
                'festlegen (activationPassword).',
            ),
          },
        ],
        CARD_ACTIVATED: {
          description: 'Freischaltung with the Kennwort: certificates in the Statusdienst.',
          target: 'active',
          actions: assign({
            activatedAt: ({ event }) => event.receivedAt ?? null,
            certificatesPublishedAt: ({ event }) => event.receivedAt ?? null,
          }),
        },
        ...holderDataChanged,
      },
    },
    active: {
      meta: { label: 'Freigeschaltet', refusals: AFTER_ACTIVATION },
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
        ...certificateExpiry,
      },
      on: {
        TRANSPORT_PIN_LETTER_LOST: {
          description: 'No letter can be reproduced after the Freischaltung.',
          target: 'exchangeRequested',
          actions: requestExchange('transportPinLetterLost'),
        },
        ...holderDataChanged,
        FOLLOW_UP_REQUESTED: {
          guard: 'hasNoFollowUp',
          actions: {
            type: START_PROCESS,
            params: ({ context }) => ({
              type: 'ehbaApplication',
              input: {
                cardType: context.cardType,
                salutation: context.holder.salutation ?? null,
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
      meta: { label: 'Austausch-/Ersatzkarte beantragt' },
      description: 'A new card is produced; its shipping ends this card.',
      entry: {
        type: 'sendCardEmail',
        params: cardEmail((context) => ({
          template: 'exchangeRequested',
          reason: context.exchange?.reason ?? 'activationPasswordForgotten',
        })),
      },
      on: {
        CARD_SHIPPED: [
          {
            guard: 'handsOverLetter',
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
                    activationPasswordHash: context.exchange?.activationPasswordHash ?? null,
                    shipment: {
                      trackingId: event.trackingId,
                      shippedAt: event.receivedAt ?? new Date(0).toISOString(),
                      transportPinLetterId: event.transportPinLetterId,
                    },
                  },
                }),
              },
            ],
          },
          { actions: NO_LETTER },
        ],
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
          activated: context.activatedAt !== null,
        })),
      },
    },
  },
});

/** `K-2026-7K3M9QXT-2` → 2. */
function sequenceOf(cardNumber: string): number {
  return Number(cardNumber.slice(cardNumber.lastIndexOf('-') + 1));
}

export const cardProcessV2: ProcessDefinition = {
  type: 'card',
  version: 2,
  title: 'Kartenlebenszyklus eHBA / SMC-B',
  machine: cardMachine,
  input: cardV2InputSchema,
  events: cardV2EventSchemas,
  // Production ships; the holder (through the portal) or the back office does the rest.
  eventSenders: {
    CARD_SHIPPED: 'operator',
    CARD_ACTIVATED: 'both',
    TRANSPORT_PIN_RESEND_REQUESTED: 'both',
    ACTIVATION_PASSWORD_FORGOTTEN: 'both',
    TRANSPORT_PIN_LETTER_LOST: 'both',
    HOLDER_DATA_CHANGED: 'both',
    FOLLOW_UP_REQUESTED: 'both',
    CARD_BLOCKED: 'both',
  },
  businessKeyField: 'cardNumber',
  startRoute: CARD_START,
  practiceId: (input: CardV2Input) => input.practiceId,
  // The hashes and the letter id hide by their names too (also inside `exchange`).
  redact: ['activationPasswordHash', 'transportPinLetterId'],
};
