import { z } from 'zod';
import type { CardContext } from '../card.schema.js';
import { cardV2InputSchema, type CardV2Context } from '../card-v2.schema.js';
import { argon2Hash, CARD_TYPES } from '../ehba-application.schema.js';
import type { MigrationDefinition } from '../migration-definition.js';

const nullableText = z.string().nullable();
const nullableInstant = z.iso.datetime().nullable();

/** A version-2 card's context, as the version-2 machine keeps it. */
const cardV2Context = z.object({
  cardNumber: cardV2InputSchema.shape.cardNumber,
  cardType: z.enum(CARD_TYPES),
  applicationNumber: z.string().min(1),
  holder: cardV2InputSchema.shape.holder,
  practiceId: nullableText,
  replaces: nullableText,
  activationPasswordHash: argon2Hash.nullable(),
  trackingId: nullableText,
  shippedAt: nullableInstant,
  validUntil: nullableInstant,
  transportPinLetterId: nullableText,
  lettersSent: z.int().min(0),
  activatedAt: nullableInstant,
  certificatesPublishedAt: nullableInstant,
  exchange: z
    .object({
      reason: z.enum(['activationPasswordForgotten', 'transportPinLetterLost']),
      requestedAt: nullableInstant,
      activationPasswordHash: argon2Hash.nullable(),
    })
    .nullable(),
  blockReason: nullableText,
  replacedBy: nullableText,
  followUpApplication: z.object({ processId: z.string(), businessKey: z.string() }).nullable(),
}) satisfies z.ZodType<CardV2Context>;

const NO_SEALED_LETTER =
  'Der Transport-PIN-Brief ging nach Version 1 hinaus (die PIN aus der Karte abgeleitet, ' +
  'nichts davon gespeichert). Version 2 kennt nur versiegelte Briefe der Kartenproduktion: ' +
  'einen erneuten Versand gibt es für diese Karte nicht mehr; ein verlorener Brief heißt ' +
  'Austausch- oder Ersatzkarte.';

/**
 * Card 1 → 2 (seed 003: the Kennwort before the Freischaltung, the sealed Transport-PIN
 * letter): every live state moves to the state of the same name. A version-1 card has no
 * Kennwort hash (the operator decides at an exchange, as for applications from before it) and
 * no sealed letter: its letter was derived and posted under version 1. The 6-month exchange
 * period of version 1 ends with the move (version 2 knows no deadline); the certificates keep
 * their end date, so both timers of an active card keep their instants.
 */
export const cardV1ToV2: MigrationDefinition<CardContext, CardV2Context> = {
  type: 'card',
  from: 1,
  to: 2,
  states: {
    inProduction: 'inProduction',
    shipped: 'shipped',
    active: 'active',
    exchangeRequested: 'exchangeRequested',
  },
  transform: (context, states) => ({
    cardNumber: context.cardNumber,
    cardType: context.cardType,
    applicationNumber: context.applicationNumber,
    holder: {
      ...context.holder,
      salutation: context.holder.salutation ?? null,
      title: context.holder.title ?? null,
    },
    practiceId: context.practiceId,
    replaces: context.replaces,
    activationPasswordHash: null,
    trackingId: context.trackingId,
    shippedAt: context.shippedAt,
    validUntil: context.validUntil,
    transportPinLetterId: null,
    lettersSent: context.transportPinLetters,
    activatedAt: context.activatedAt,
    certificatesPublishedAt: context.activatedAt,
    // Version 1 had one reason for an exchange: the forgotten Kennwort.
    exchange: states.includes('exchangeRequested')
      ? { reason: 'activationPasswordForgotten', requestedAt: null, activationPasswordHash: null }
      : null,
    blockReason: context.blockReason,
    replacedBy: context.replacedBy,
    followUpApplication: context.followUpApplication,
  }),
  context: cardV2Context,
  notes: {
    inProduction:
      'Die Karte ist noch in Produktion: der versiegelte Transport-PIN-Brief kommt mit dem ' +
      'Versand (CARD_SHIPPED), wie bei jeder Karte der Version 2.',
    shipped:
      `${NO_SEALED_LETTER} Ein vergessenes Kennwort (ACTIVATION_PASSWORD_FORGOTTEN) führt zur ` +
      'Austausch-/Ersatzkarte mit einem neuen Kennwort.',
    active:
      'Nach der Freischaltung gibt es kein Kennwort mehr zu vergessen: die kostenlose ' +
      'Austauschkarte der Version 1 (6 Monate) entfällt; ein verlorener Transport-PIN-Brief ' +
      'heißt Austausch- oder Ersatzkarte (TRANSPORT_PIN_LETTER_LOST).',
    exchangeRequested:
      'Die Austauschkarte wird mit ihrem versiegelten Transport-PIN-Brief versandt; ihr ' +
      'Kennwort legt der Betreiber fest (Version 1 kannte keins).',
  },
};
