import { z } from 'zod';
import { multiLine, singleLine } from './fields.js';
import { postalAddress, emailAddress } from './contact.schema.js';
import {
  argon2Hash,
  birthDate,
  CARD_TYPES,
  activationPassword,
  type Applicant,
  type CardType,
} from './ehba-application.schema.js';
import { SALUTATIONS } from './invitation.schema.js';
import type { EventMeta, EventsOf, ProcessStarted } from './process-definition.js';

/**
 * Input and event payloads of a version-2 card (eHBA / SMC-B): the Kennwort für die
 * Freischaltung only as an argon2 hash, the Transport-PIN letter only as the id of its sealed
 * copy (the API seals what production hands over), and the types shared with the activities.
 */

const CARD_NUMBER_PATTERN = /^K-\d{4}-[3467ACDEFGHJKMNPQRTUVWXY9]{8}-\d{1,3}$/;

const cardNumber = z
  .string()
  .regex(CARD_NUMBER_PATTERN, { error: 'Keine gültige Kartennummer (K-JJJJ-XXXXXXXX-n).' });

const trackingId = singleLine(64);

/** `TP-…`: the sealed Transport-PIN letter, as the API stored it. */
const TRANSPORT_PIN_LETTER_ID = /^TP-[A-Za-z0-9_-]{22}$/;

const transportPinLetterId = z
  .string()
  .regex(TRANSPORT_PIN_LETTER_ID, { error: 'Keine gültige Brief-ID.' })
  .meta({
    description:
      'Set by praxisflow when it seals `transportPinLetter`; the API refuses one from a caller.',
    readOnly: true,
  });

/**
 * What card production prints in the Transport-PIN letter: a Transport-PIN per PIN of the card
 * (eHBA: PIN.CH and PIN.QES; SMC-B: PIN.SMC) and the PUK. Only the API sees it in the clear;
 * it seals it and hands the process `transportPinLetterId`.
 */
export const transportPinLetter = z
  .object({
    pins: z
      .array(
        z.object({
          name: z.string().regex(/^PIN\.[A-Z]{2,4}$/, { error: 'Name der PIN, z. B. PIN.CH.' }),
          transportPin: z
            .string()
            .regex(/^\d{5,8}$/, { error: 'Eine Transport-PIN hat 5 bis 8 Ziffern.' }),
        }),
      )
      .min(1)
      .max(4),
    puk: z
      .string()
      .regex(/^\d{8}$/, { error: 'Die PUK hat 8 Ziffern.' })
      .optional(),
  })
  .describe(
    'Der Inhalt des Transport-PIN-Briefs, wie die Kartenproduktion ihn übergibt. praxisflow ' +
      'bewahrt ihn nur verschlüsselt auf, solange ein erneuter Versand möglich ist, und löscht ' +
      'ihn bei der Freischaltung.',
  );
export type TransportPinLetterContent = z.output<typeof transportPinLetter>;

const holderSchema = z.object({
  salutation: z.enum(SALUTATIONS).nullable().default(null),
  title: singleLine(40).nullable().default(null),
  firstName: singleLine(100),
  lastName: singleLine(100),
  birthDate,
  email: emailAddress,
  chamber: singleLine(200),
  address: postalAddress,
});

export const cardV2InputSchema = z.object({
  cardNumber,
  cardType: z.enum(CARD_TYPES),
  applicationNumber: singleLine(40),
  holder: holderSchema,
  practiceId: singleLine(64).optional(),
  /** An exchange card: the number of the card it replaces. */
  replaces: cardNumber.optional(),
  /**
   * The Kennwort für die Freischaltung the card is produced with (argon2); null for an
   * application from before the Kennwort was taken: the issuer's operator decides then.
   */
  activationPasswordHash: argon2Hash.nullable().default(null),
  /** An exchange card starts its life already shipped, with its own sealed letter. */
  shipment: z.object({ trackingId, shippedAt: z.iso.datetime(), transportPinLetterId }).optional(),
});
export type CardV2Input = z.output<typeof cardV2InputSchema>;

/**
 * Production hands over the card's letter. The API seals `transportPinLetter` and sends the
 * process only `transportPinLetterId`: a letter in the clear never enters a workflow. The
 * machine refuses a shipment without a letter (422 naming `transportPinLetter`).
 */
const shippedSchema = z.object({
  trackingId,
  transportPinLetter: transportPinLetter.optional(),
  transportPinLetterId: transportPinLetterId.optional(),
});

/**
 * The holder sets the Kennwort of the exchange card; the API hands over its argon2 hash. The
 * machine refuses the event without one (422 naming `activationPassword`).
 */
const passwordForgottenSchema = z.object({
  activationPassword: activationPassword.optional(),
  activationPasswordHash: argon2Hash.optional(),
});

/** Every event the outside world may send, with its payload schema (without `type`). */
export const cardV2EventSchemas = {
  CARD_SHIPPED: shippedSchema,
  TRANSPORT_PIN_RESEND_REQUESTED: z.object({}),
  CARD_ACTIVATED: z.object({}),
  ACTIVATION_PASSWORD_FORGOTTEN: passwordForgottenSchema,
  TRANSPORT_PIN_LETTER_LOST: z.object({}),
  HOLDER_DATA_CHANGED: z
    .object({ email: emailAddress.optional(), address: postalAddress.optional() })
    .refine((changes) => changes.email !== undefined || changes.address !== undefined, {
      error: 'Bitte die neue E-Mail-Adresse oder Anschrift angeben.',
    }),
  FOLLOW_UP_REQUESTED: z.object({}),
  CARD_BLOCKED: z.object({ reason: multiLine(500) }),
} as const;

type ExternalEvent = EventsOf<typeof cardV2EventSchemas>;

/** What `startProcess` feeds back once the follow-up application runs. */
type FollowUpStarted = { type: 'FOLLOW_UP_STARTED' } & ProcessStarted;

export type CardV2Event = (ExternalEvent | FollowUpStarted) & EventMeta;

/** Why an exchange or replacement card was applied for. */
export type ExchangeReason = 'activationPasswordForgotten' | 'transportPinLetterLost';

export interface CardV2Context {
  readonly cardNumber: string;
  readonly cardType: CardType;
  readonly applicationNumber: string;
  readonly holder: Applicant;
  readonly practiceId: string | null;
  readonly replaces: string | null;
  readonly activationPasswordHash: string | null;
  readonly trackingId: string | null;
  readonly shippedAt: string | null;
  /** End of the certificates: 5 years from production (shipping), activated or not. */
  readonly validUntil: string | null;
  /** The sealed Transport-PIN letter while a resend is possible; null once destroyed. */
  readonly transportPinLetterId: string | null;
  /** Letters sent (the first and every resend). */
  readonly lettersSent: number;
  readonly activatedAt: string | null;
  /** Freischaltung published the certificates in the Statusdienst. */
  readonly certificatesPublishedAt: string | null;
  readonly exchange: {
    readonly reason: ExchangeReason;
    readonly requestedAt: string | null;
    /** The Kennwort the exchange card is produced with (a forgotten one is replaced). */
    readonly activationPasswordHash: string | null;
  } | null;
  readonly blockReason: string | null;
  readonly replacedBy: string | null;
  readonly followUpApplication: ProcessStarted | null;
}

interface CardMail {
  readonly cardNumber: string;
  readonly cardType: CardType;
  readonly holder: Applicant;
}

/** Sends production's letter (again): by post, a resend as Einschreiben/Einwurf. */
export type ForwardTransportPinLetterParams = CardMail & {
  readonly letterId: string;
  /** 1 for the first letter, 2… for each one sent again. */
  readonly letter: number;
};

export interface DestroyTransportPinLetterParams {
  readonly letterId: string;
}
