import { z } from 'zod';
import { postalAddress } from './contact.schema.js';
import { practiceIdField as practiceId, singleLine } from './fields.js';
import type { EventMeta, EventsOf } from './process-definition.js';

/**
 * Input and event payloads of a physician's portal access (Arztportal) whose credentials go by
 * post, and the types the machine shares with its activities.
 */

/** `AP-K7PM3QXA`: issued when the access is opened, printed in the letter, no personal data. */
export const USER_NAME_PATTERN = /^AP-[3467ACDEFGHJKMNPQRTUVWXY9]{8}$/;
const ALPHABET = '3467ACDEFGHJKMNPQRTUVWXY9';

export function drawUserName(random: () => number): string {
  let suffix = '';
  for (let i = 0; i < 8; i++) suffix += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return `AP-${suffix}`;
}

/** The physician's HÄVG-ID: with the LANR it identifies them in the Arztportal. */
export const haevgIdField = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9-]{1,20}$/, {
    error: 'Die HÄVG-ID besteht aus bis zu 20 Buchstaben und Ziffern.',
  });

/** The lebenslange Arztnummer: 9 digits. */
export const lanrField = z
  .string()
  .trim()
  .regex(/^\d{9}$/, { error: 'Die LANR besteht aus 9 Ziffern.' });

export const accountCredentialsInputSchema = z.object({
  /** Issued by praxisflow when the process starts; a caller cannot choose it. */
  userName: z.string().regex(USER_NAME_PATTERN).optional(),
  practiceId,
  /** Whose access it is, as the letter addresses them. */
  holderName: singleLine(200),
  address: postalAddress,
  /**
   * „Neu im Arztportal“: a physician applies for credentials with HÄVG-ID and LANR (lebenslange
   * Arztnummer, 9 digits); the letter confirms both. Optional for accesses the back office opens.
   */
  haevgId: haevgIdField.optional(),
  lanr: lanrField.optional(),
});
export type AccountCredentialsInput = z.output<typeof accountCredentialsInputSchema>;
type PostalAddress = z.output<typeof postalAddress>;

/** Every event the outside world may send, with its payload schema (without `type`). */
export const accountCredentialsEventSchemas = {
  /** „Anmeldedaten vergessen“: a new letter; the old credentials stop working at once. */
  CREDENTIALS_FORGOTTEN: z.object({}),
  /** The address changed before a new letter goes out. */
  ADDRESS_CHANGED: z.object({ address: postalAddress }),
  ACCOUNT_CLOSED: z.object({ reason: singleLine(500) }),
} as const;

type ExternalEvent = EventsOf<typeof accountCredentialsEventSchemas>;

export type AccountCredentialsEvent = ExternalEvent & EventMeta;

export interface AccountCredentialsContext {
  readonly userName: string;
  readonly practiceId: string;
  readonly holderName: string;
  readonly address: PostalAddress;
  /** From the application „Neu im Arztportal“, when there was one. */
  readonly haevgId?: string | null;
  readonly lanr?: string | null;
  /** Letters sent so far; the newest one's credentials are the only valid ones. */
  readonly letters: number;
  readonly closedReason: string | null;
}

// Params of the named actions = inputs of the activities of the same name.
export interface SendCredentialsLetterParams {
  readonly userName: string;
  readonly practiceId: string;
  readonly holderName: string;
  readonly address: PostalAddress;
  /** 1 for the first letter, 2… for each one after „Anmeldedaten vergessen“. */
  readonly letter: number;
  readonly haevgId?: string | undefined;
  readonly lanr?: string | undefined;
}
export interface RevokeCredentialsParams {
  readonly userName: string;
}
