import { z } from 'zod';
import { singleLine } from './fields.js';
import { postalAddress, emailAddress } from './contact.schema.js';
import { birthDate, CARD_TYPES, type Applicant, type CardType } from './ehba-application.schema.js';
import type { EventMeta, EventsOf, ProcessStarted } from './process-definition.js';

/**
 * Input and event payloads of a card's life (eHBA / SMC-B), and the types the machine shares
 * with its activities.
 */

/** `K-2026-7K3M9QXT-1`: the application's number, then which card of it (an exchange card is -2). */
const CARD_NUMBER_PATTERN = /^K-\d{4}-[3467ACDEFGHJKMNPQRTUVWXY9]{8}-\d{1,3}$/;

const cardNumber = z
  .string()
  .regex(CARD_NUMBER_PATTERN, { error: 'Keine gültige Kartennummer (K-JJJJ-XXXXXXXX-n).' });

const trackingId = singleLine(64);

export const cardInputSchema = z.object({
  cardNumber,
  cardType: z.enum(CARD_TYPES),
  applicationNumber: singleLine(40),
  holder: z.object({
    title: singleLine(40).nullable().default(null),
    firstName: singleLine(100),
    lastName: singleLine(100),
    birthDate,
    email: emailAddress,
    chamber: singleLine(200),
    address: postalAddress,
  }),
  practiceId: singleLine(64).optional(),
  /** An exchange card: the number of the card it replaces. */
  replaces: cardNumber.optional(),
  /** An exchange card starts its life already shipped. */
  shipment: z.object({ trackingId, shippedAt: z.iso.datetime() }).optional(),
});
export type CardInput = z.output<typeof cardInputSchema>;

/** Every event the outside world may send, with its payload schema (without `type`). */
export const cardEventSchemas = {
  CARD_SHIPPED: z.object({ trackingId }),
  TRANSPORT_PIN_RESEND_REQUESTED: z.object({}),
  CARD_ACTIVATED: z.object({}),
  ACTIVATION_PASSWORD_FORGOTTEN: z.object({}),
  FOLLOW_UP_REQUESTED: z.object({}),
  CARD_BLOCKED: z.object({ reason: z.string().trim().min(1).max(500) }),
} as const;

type ExternalEvent = EventsOf<typeof cardEventSchemas>;

/** What `startProcess` feeds back once the follow-up application runs. */
type FollowUpStarted = { type: 'FOLLOW_UP_STARTED' } & ProcessStarted;

export type CardEvent = (ExternalEvent | FollowUpStarted) & EventMeta;

export interface CardContext {
  readonly cardNumber: string;
  readonly cardType: CardType;
  readonly applicationNumber: string;
  readonly holder: Applicant;
  readonly practiceId: string | null;
  readonly replaces: string | null;
  readonly trackingId: string | null;
  readonly shippedAt: string | null;
  /** End of the certificates: 5 years from production (shipping). */
  readonly validUntil: string | null;
  /** Until then a forgotten activation password gets a free exchange card. */
  readonly exchangeUntil: string | null;
  readonly activatedAt: string | null;
  readonly transportPinLetters: number;
  readonly blockReason: string | null;
  /** The exchange card that replaced this one. */
  readonly replacedBy: string | null;
  /** The follow-up application started from the renewal reminder. */
  readonly followUpApplication: ProcessStarted | null;
}

interface CardMail {
  readonly cardNumber: string;
  readonly cardType: CardType;
  readonly holder: Applicant;
}

// Params of the named actions = inputs of the activities of the same name.
export type SendCardEmailParams = CardMail &
  (
    | { readonly template: 'cardShipped'; readonly trackingId: string }
    | { readonly template: 'cardActivated'; readonly validUntil: string }
    | { readonly template: 'renewalReminder'; readonly validUntil: string }
    | {
        readonly template: 'exchangeRequested';
        /** Version 2 says why; version 1 had only the forgotten Kennwort. */
        readonly reason?: 'activationPasswordForgotten' | 'transportPinLetterLost';
      }
    | { readonly template: 'cardBlocked'; readonly reason: string }
    | {
        readonly template: 'cardExpired';
        readonly validUntil: string;
        /** Version 2: a card never activated expires too. */
        readonly activated?: boolean;
      }
  );

export type SendTransportPinLetterParams = CardMail & {
  /** 1 for the first letter, 2… for each one sent again. */
  readonly letter: number;
};
