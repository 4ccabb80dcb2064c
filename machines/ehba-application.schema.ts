import { z } from 'zod';
import { isoDate, multiLine, NO_CONTROL_CHARACTERS, singleLine } from './fields.js';
import { emailAddress, postalAddress } from './contact.schema.js';
import { SALUTATIONS, type Salutation } from './invitation.schema.js';
import type { EventMeta, EventsOf } from './process-definition.js';

/**
 * Input and event payloads of the eHBA / SMC-B application, and the types the machine shares
 * with its activities. The API, the update validator and the OpenAPI document use the schemas.
 */

export const CARD_TYPES = ['eHBA', 'SMC-B'] as const;
export type CardType = (typeof CARD_TYPES)[number];

/**
 * Antragsnummer: `A-2026-7K3M9QXT`. The year, then 8 characters drawn at random from an
 * alphabet without look-alikes (no 0/O, 1/I/L, 5/S, 8/B, 2/Z): readable on the phone,
 * 25^8 ≈ 1.5 · 10^11 per year, so no number can be guessed from another one.
 */
const APPLICATION_NUMBER_ALPHABET = '3467ACDEFGHJKMNPQRTUVWXY9';
export const APPLICATION_NUMBER_PATTERN = /^A-\d{4}-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/;

export function drawApplicationNumber(random: () => number, now: Date): string {
  let serial = '';
  for (let i = 0; i < 8; i++) {
    serial +=
      APPLICATION_NUMBER_ALPHABET[Math.floor(random() * APPLICATION_NUMBER_ALPHABET.length)] ??
      APPLICATION_NUMBER_ALPHABET[0];
  }
  return `A-${now.getUTCFullYear()}-${serial}`;
}

/** The number of the n-th card issued on an application: `A-2026-7K3M9QXT` → `K-2026-7K3M9QXT-1`. */
export const cardNumberOf = (applicationNumber: string, sequence: number): string =>
  `K-${applicationNumber.slice(2)}-${sequence}`;

export const birthDate = isoDate({
  error: 'Bitte ein gültiges Geburtsdatum im Format JJJJ-MM-TT angeben.',
});

/**
 * The Kennwort für die Freischaltung as the applicant types it, with the rules the form states.
 * Only the API sees it: it hands the process an argon2 hash (`activationPasswordHash`).
 */
const ACTIVATION_PASSWORD_RULES =
  'Das Kennwort für die Freischaltung muss 8 bis 64 Zeichen lang sein, mindestens einen ' +
  'Buchstaben und eine Ziffer enthalten und darf nicht mit einem Leerzeichen beginnen oder enden.';

export const activationPassword = z
  .string({ error: ACTIVATION_PASSWORD_RULES })
  .min(8, { error: ACTIVATION_PASSWORD_RULES })
  .max(64, { error: ACTIVATION_PASSWORD_RULES })
  // Spelt without flags and \p{…}: the OpenAPI document carries these patterns.
  .regex(/^\S(?:[\s\S]*\S)?$/, { error: ACTIVATION_PASSWORD_RULES })
  .regex(/[A-Za-zÄÖÜäöüß]/, { error: ACTIVATION_PASSWORD_RULES })
  .regex(/[0-9]/, { error: ACTIVATION_PASSWORD_RULES })
  .regex(NO_CONTROL_CHARACTERS, { error: ACTIVATION_PASSWORD_RULES })
  .describe(
    `Kennwort für die Freischaltung, selbst gewählt. ${ACTIVATION_PASSWORD_RULES} Es lässt sich ` +
      'nach der Produktion der Karte nicht mehr ändern und nicht wiederherstellen. praxisflow ' +
      'speichert nur einen argon2-Hash davon und zeigt es nie an.',
  );

/** An argon2 hash in PHC form: what the API makes of the Kennwort; a caller never sends it. */
export const argon2Hash = z
  .string()
  .max(256)
  .regex(/^\$argon2(id|i|d)\$[A-Za-z0-9$=,+/.-]+$/, { error: 'Kein argon2-Hash.' })
  .meta({
    description: 'Set by praxisflow from `activationPassword`; the API refuses one from a caller.',
    readOnly: true,
  });

/** The Anrede of letters and emails, as the invitation takes it. */
const salutation = z.enum(SALUTATIONS).nullable();

/** What the applicant fills in and may change while the application is in progress. */
const applicantFields = {
  salutation: salutation.default(null),
  title: singleLine(40).optional(),
  firstName: singleLine(100),
  lastName: singleLine(100),
  birthDate,
  email: emailAddress,
  /** Die zuständige Kammer (`Ärztekammer Nordrhein`), which approves the application. */
  chamber: singleLine(200),
  /** Where the card's Transport-PIN letter goes. */
  address: postalAddress,
};

export const ehbaApplicationInputSchema = z.object({
  cardType: z.enum(CARD_TYPES),
  ...applicantFields,
  activationPassword: activationPassword.optional(),
  activationPasswordHash: argon2Hash.optional(),
  practiceId: singleLine(64).optional(),
  /**
   * Issued by praxisflow when the application starts (the API refuses one from a caller);
   * the machine needs it for the card number.
   */
  applicationNumber: z
    .string()
    .regex(APPLICATION_NUMBER_PATTERN, { error: 'Keine gültige Antragsnummer.' })
    .optional(),
  /** Card number of the card this application follows up (Folgekarte). */
  followUpOf: singleLine(40).optional(),
});
export type EhbaApplicationInput = z.output<typeof ehbaApplicationInputSchema>;

const applicationUpdatedSchema = z
  .object({
    salutation: salutation.optional(),
    title: applicantFields.title,
    firstName: applicantFields.firstName.optional(),
    lastName: applicantFields.lastName.optional(),
    birthDate: birthDate.optional(),
    email: emailAddress.optional(),
    chamber: applicantFields.chamber.optional(),
    address: postalAddress.optional(),
    activationPassword: activationPassword.optional(),
    activationPasswordHash: argon2Hash.optional(),
  })
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), {
    error: 'Mindestens ein Feld muss geändert werden.',
  });

/** Documents the issuer may ask for again. */
const MISSING_DOCUMENTS = [
  'Meldebescheinigung',
  'Lichtbild',
  'Lichtbild: Qualität reicht nicht aus',
  'Unterschrift',
  'Identitätsnachweis',
  'Approbationsurkunde',
  'Kammermitgliedschaft',
  'Sonstiges',
] as const;
export type MissingDocument = (typeof MISSING_DOCUMENTS)[number];

const queryRaisedSchema = z.object({
  missing: z
    .array(z.enum(MISSING_DOCUMENTS))
    .min(1, { error: 'Mindestens ein fehlendes Dokument angeben.' })
    .max(MISSING_DOCUMENTS.length)
    .refine((list) => new Set(list).size === list.length, {
      error: 'Jedes Dokument nur einmal angeben.',
    }),
  note: multiLine(1000).optional(),
});

const REJECTION_REASONS = [
  'signatureMismatch',
  'identityNotConfirmed',
  'notEntitled',
  'incompleteDocuments',
  'other',
] as const;
type RejectionReason = (typeof REJECTION_REASONS)[number];

const applicationRejectedSchema = z
  .object({ reason: z.enum(REJECTION_REASONS), note: multiLine(1000).optional() })
  .refine((rejection) => rejection.reason !== 'other' || rejection.note !== undefined, {
    error: 'Bei „other“ bitte die Begründung als note angeben.',
    path: ['note'],
  });

const chamberRejectedSchema = z.object({ reason: multiLine(1000) });

const optionalNote = z.object({ note: multiLine(1000).optional() });

/** Every event the outside world may send, with its payload schema (without `type`). */
export const ehbaApplicationEventSchemas = {
  APPLICATION_UPDATED: applicationUpdatedSchema,
  APPLICATION_SUBMITTED: z
    .object({})
    .describe(
      '„Jetzt verbindlich beantragen“ auf der letzten Antragsseite: der Antrag ist abgeschlossen ' +
        '(Bearbeitung beendet). Ab Version 2 erst, wenn das Kennwort für die Freischaltung ' +
        'festgelegt ist.',
    ),
  APPLICATION_WITHDRAWN: z.object({ reason: multiLine(500).optional() }),
  DOCUMENTS_RECEIVED: optionalNote,
  QUERY_RAISED: queryRaisedSchema,
  DOCUMENTS_RESUBMITTED: optionalNote,
  CHECK_PASSED: optionalNote,
  APPLICATION_REJECTED: applicationRejectedSchema,
  CHAMBER_APPROVED: optionalNote,
  CHAMBER_REJECTED: chamberRejectedSchema,
} as const;

type ExternalEvent = EventsOf<typeof ehbaApplicationEventSchemas>;

export type EhbaApplicationEvent = ExternalEvent & EventMeta;

export interface Applicant {
  /** Absent on cards that started before the application took an Anrede. */
  readonly salutation?: Salutation | null;
  readonly title: string | null;
  readonly firstName: string;
  readonly lastName: string;
  readonly birthDate: string;
  readonly email: string;
  readonly chamber: string;
  readonly address: z.output<typeof postalAddress>;
}

export interface Rejection {
  /** Who decided: the card issuer after its check, or the chamber. */
  readonly by: 'issuer' | 'chamber';
  readonly reason: RejectionReason | 'chamber';
  readonly note: string | null;
}

export interface EhbaApplicationContext {
  readonly applicationNumber: string;
  readonly cardType: CardType;
  readonly applicant: Applicant;
  readonly practiceId: string | null;
  readonly followUpOf: string | null;
  /** argon2 hash of the Kennwort für die Freischaltung; never shown. */
  readonly activationPasswordHash: string | null;
  /** When the applicant submitted (interpreter time). */
  readonly submittedAt: string | null;
  /** Reminders sent in "Bearbeitung beendet" (at most 2). */
  readonly documentRemindersSent: number;
  /** The open query: what the issuer asked for. */
  readonly query: {
    readonly missing: readonly MissingDocument[];
    readonly note: string | null;
  } | null;
  /** How many queries were raised so far. */
  readonly queries: number;
  readonly rejection: Rejection | null;
  readonly withdrawalReason: string | null;
  /** Set on approval: the card process's business key. */
  readonly cardNumber: string | null;
}

/** What every application email needs to address the applicant and name the application. */
interface ApplicationMail {
  readonly applicationNumber: string;
  readonly cardType: CardType;
  readonly applicant: Applicant;
}

// Params of the named action `sendApplicationEmail` = input of the activity of that name.
export type SendApplicationEmailParams = ApplicationMail &
  (
    | { readonly template: 'applicationSubmitted' }
    | {
        readonly template: 'documentsReminder';
        /** 1 or 2. */
        readonly reminder: number;
        /** The documents deadline (and the PDF's coupon) count from here (ISO). */
        readonly submittedAt: string;
      }
    | {
        readonly template: 'resubmissionRequested' | 'resubmissionReminder';
        readonly missing: readonly MissingDocument[];
        readonly note: string | null;
      }
    | { readonly template: 'applicationApproved'; readonly cardNumber: string }
    | { readonly template: 'applicationRejected'; readonly rejection: Rejection }
    | { readonly template: 'applicationWithdrawn' | 'applicationAbandoned' | 'applicationExpired' }
  );
