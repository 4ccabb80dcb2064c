import { z } from 'zod';
import { practiceIdField as practiceId, singleLine } from './fields.js';
import { emailAddress, faxNumber } from './contact.schema.js';
import type { EventMeta, EventsOf } from './process-definition.js';
import { secret } from './secrets.js';

/**
 * Input and event payloads of the confirmation of a practice's notification channel (email or
 * fax), and the types the machine shares with its activities.
 */

/** 8 characters without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), shown as `K7PM 3QXA`. */
export const CONFIRMATION_CODE_ALPHABET = '3467ACDEFGHJKMNPQRTUVWXY9';
export const CONFIRMATION_CODE_LENGTH = 8;

const practiceName = singleLine(200);

/** Where the nightly overview goes: an email address or a fax number (E.164). */
const contactChannel = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('email'), address: emailAddress }),
  z.object({ channel: z.literal('fax'), address: faxNumber }),
]);
export type ContactChannel = z.output<typeof contactChannel>;

export const contactVerificationInputSchema = z
  .object({ practiceId, practiceName })
  .and(contactChannel);
export type ContactVerificationInput = z.output<typeof contactVerificationInputSchema>;

const codeSubmittedSchema = z.object({
  /** As printed (`K7PM 3QXA`), with or without the space, in any case. */
  code: secret(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9]{4} ?[A-Za-z0-9]{4}$/, {
        error: 'Der Bestätigungscode besteht aus 8 Zeichen.',
      }),
  ),
});

/** Every event the outside world may send, with its payload schema (without `type`). */
export const contactVerificationEventSchemas = {
  CODE_SUBMITTED: codeSubmittedSchema,
  CODE_RESENT: z.object({}),
  CHANNEL_CHANGED: contactChannel,
} as const;

type ExternalEvent = EventsOf<typeof contactVerificationEventSchemas>;

/** Events the activities return; not in `events`, so the API refuses them. */
export type ConfirmationCodeIssued = { type: 'CONFIRMATION_CODE_ISSUED'; codeHash: string };
export type ConfirmationCodeVerified =
  { type: 'CONFIRMATION_CODE_ACCEPTED' } | { type: 'CONFIRMATION_CODE_REJECTED' };

export type ContactVerificationEvent = (
  ExternalEvent | ConfirmationCodeIssued | ConfirmationCodeVerified
) &
  EventMeta;

export interface ContactVerificationContext {
  readonly practiceId: string;
  readonly practiceName: string;
  /** The confirmed channel the overview goes to; stays while a new one is being confirmed. */
  readonly inUse: (ContactChannel & { readonly verifiedAt: string | null }) | null;
  /** The channel being confirmed (null once confirmed). */
  readonly candidate: ContactChannel | null;
  /** Keyed hash of the current code; null when none is valid. */
  readonly codeHash: string | null;
  readonly failedAttempts: number;
  /** Codes sent again for the current candidate (at most 3). */
  readonly resends: number;
}

// Params of the named actions = inputs of the activities of the same name.
export interface IssueConfirmationCodeParams {
  readonly practiceId: string;
  readonly practiceName: string;
  readonly to: ContactChannel;
  readonly maxAttempts: number;
}
export interface VerifyConfirmationCodeParams {
  readonly code: string;
  readonly codeHash: string | null;
}
