import { z } from 'zod';
import { haevgIdField, lanrField } from './account-credentials.schema.js';
import { phoneNumber } from './contact.schema.js';
import { practiceIdField as practiceId } from './fields.js';
import type { EventMeta, EventsOf } from './process-definition.js';
import { secret } from './secrets.js';

/**
 * Input and event payloads of a physician's registration for the mTAN procedure of the
 * Arztportal (Registrierung zum mTAN-Verfahren): the mobile number the mTANs of document
 * downloads go to, confirmed by a code sent there by SMS. Shared with the activities.
 */

/** Who registers: the physician as the Arztportal knows them, in one practice. */
const physicianIdentity = {
  practiceId,
  /** With the LANR it identifies the physician, as for „Neu im Arztportal“. */
  haevgId: haevgIdField,
  lanr: lanrField,
};

export const mtanRegistrationInputSchema = z.object({
  ...physicianIdentity,
  /** The number to confirm: a German mobile number, kept as E.164. */
  mobile: phoneNumber,
});
export type MtanRegistrationInput = z.output<typeof mtanRegistrationInputSchema>;

const codeSubmittedSchema = z.object({
  /** The 6 digits from the SMS. */
  code: secret(
    z
      .string()
      .trim()
      .regex(/^\d{6}$/, { error: 'Der Bestätigungscode besteht aus 6 Ziffern.' }),
  ),
});

/** Every event the outside world may send, with its payload schema (without `type`). */
export const mtanRegistrationEventSchemas = {
  CODE_SUBMITTED: codeSubmittedSchema.meta({
    description: 'The code from the SMS: the right one confirms the number (5 tries a day).',
  }),
  CODE_RESENT: z.object({}).meta({
    description: 'A new code by SMS; the old one is dead at once (3 times a day).',
  }),
  /** A new registration: another number (or the same again); the old one stays until then. */
  MOBILE_CHANGED: z.object({ mobile: phoneNumber }).meta({
    description:
      'A new registration of the number: a code goes to it; mTANs keep going to the number ' +
      'confirmed before until this one is confirmed.',
  }),
} as const;

type ExternalEvent = EventsOf<typeof mtanRegistrationEventSchemas>;

/** Events the activities return; not in `events`, so the API refuses them. */
export type MtanCodeIssued = { type: 'MTAN_CODE_ISSUED'; codeHash: string };
export type MtanCodeVerified = { type: 'MTAN_CODE_ACCEPTED' } | { type: 'MTAN_CODE_REJECTED' };

export type MtanRegistrationEvent = (ExternalEvent | MtanCodeIssued | MtanCodeVerified) & EventMeta;

export interface MtanRegistrationContext {
  readonly practiceId: string;
  readonly haevgId: string;
  readonly lanr: string;
  /** The confirmed number the mTANs go to; stays while a new one is being confirmed. */
  readonly mtanNumber: { readonly mobile: string; readonly confirmedAt: string | null } | null;
  /** The number being confirmed (null once confirmed). */
  readonly pendingMobile: string | null;
  /** Keyed hash of the current code; null when none is valid. */
  readonly codeHash: string | null;
  /** Wrong codes, resends and codes sent on `day` (a German calendar day). */
  readonly failedAttempts: number;
  readonly resends: number;
  readonly day: string | null;
  readonly codesToday: number;
}

// Params of the named actions = inputs of the activities of the same name.
export interface SendMtanRegistrationCodeParams {
  readonly mobile: string;
  readonly maxAttempts: number;
}
export interface VerifyMtanRegistrationCodeParams {
  readonly code: string;
  readonly codeHash: string | null;
}
export interface StoreMtanNumberParams {
  readonly practiceId: string;
  readonly haevgId: string;
  readonly lanr: string;
  readonly mobile: string;
}
