import { z } from 'zod';
import { practiceIdField as practiceId, singleLine } from './fields.js';
import type { ContactChannel } from './contact-verification.schema.js';
import type { EventMeta } from './process-definition.js';

/**
 * Input and event payloads of a practice's nightly overview of appointments booked and
 * cancelled through the appointment service (eTerminservice), and the types the machine
 * shares with its activities.
 */

export const DEFAULT_DIGEST_TIME = '01:30';

/** The one wording of the warning while a practice has no confirmed channel (view and API alike). */
export const NO_CHANNEL_WARNING =
  'Kein bestätigter Benachrichtigungskanal: Die gesammelten Buchungen und Absagen werden ' +
  'aufbewahrt und in der Nacht nach der Bestätigung gesendet.';

export const nightlyDigestInputSchema = z.object({
  practiceId,
  /** German wall-clock time of the overview (`01:30`); a deployment sets it for all. */
  digestTime: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'Eine Uhrzeit wie 01:30.' })
    .default(DEFAULT_DIGEST_TIME),
  /**
   * The overview goes at a stable minute in [0, jitterMinutes) after the digest time, spreading
   * the night's sending over the practices (0: all at the digest time).
   */
  jitterMinutes: z.number().int().min(0).max(120).optional(),
});
export type NightlyDigestInput = z.output<typeof nightlyDigestInputSchema>;

/** One booking or cancellation, as the appointment service reports it. */
export const appointmentRecordedSchema = z.object({
  kind: z.enum(['booked', 'cancelled']),
  appointmentId: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, {
      error: 'Die Termin-ID besteht aus Buchstaben, Ziffern und . _ : -',
    }),
  /** When the appointment is (ISO date-time with zone). */
  at: z.iso.datetime({ offset: true, error: 'Zeitpunkt des Termins als ISO-Datum mit Zeitzone.' }),
  /** Initials only (`E. M.`): the overview carries no patient names. */
  patientInitials: z
    .string()
    .trim()
    .regex(/^(\p{Lu}\.? ?){1,4}$/u, { error: 'Nur Initialen, z. B. „E. M.“.' })
    .optional(),
  specialty: singleLine(100).optional(),
  /** Vermittlungscode / Dringlichkeit as the service prints it (`HNO-4711-AB`). */
  urgencyCode: singleLine(40).optional(),
});
type AppointmentRecorded = z.output<typeof appointmentRecordedSchema>;

/** Every event the outside world may send, with its payload schema (without `type`). */
export const nightlyDigestEventSchemas = {
  APPOINTMENT_RECORDED: appointmentRecordedSchema,
} as const;

export interface DigestItem extends AppointmentRecorded {
  /** `appointmentId:kind`: the same report twice counts once. */
  readonly key: string;
  readonly receivedAt: string;
}

/** Events the activity returns; not in `events`, so the API refuses them. */
export type DigestSent = {
  type: 'DIGEST_SENT';
  channel: ContactChannel['channel'];
  keys: string[];
};
export type DigestHeld = { type: 'DIGEST_HELD'; reason: string };

export type NightlyDigestEvent = (
  ({ type: 'APPOINTMENT_RECORDED' } & AppointmentRecorded) | DigestSent | DigestHeld
) &
  EventMeta;

export interface NightlyDigestContext {
  readonly practiceId: string;
  readonly digestTime: string;
  /** Absent in overviews started before it could be set: the default window. */
  readonly jitterMinutes?: number;
  /** Collected and not yet sent, in the order they came. */
  readonly items: readonly DigestItem[];
  /** Keys seen in the last days, with when: a repeated report is dropped. */
  readonly seen: Readonly<Record<string, string>>;
  /** Why the last overview was held back (no confirmed channel); null when it went. */
  readonly warning: string | null;
  readonly lastSent: {
    readonly at: string | null;
    readonly channel: string;
    readonly count: number;
  } | null;
}

// Params of the named action `sendDigest` = input of the activity of that name.
export interface SendDigestParams {
  readonly practiceId: string;
  /** Sorted by appointment time, then cancellations before bookings. */
  readonly items: readonly DigestItem[];
}
