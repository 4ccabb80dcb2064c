import { z } from 'zod';
import { emailFormat, isoDate, multiLine, singleLine } from './fields.js';
import type { EventMeta, EventsOf } from './process-definition.js';
import { secret } from './secrets.js';

/**
 * Input and event payloads of the invitation process (one schema, one type), and the types
 * the machine shares with its activities: context, action params, activity result events.
 * The API, the update validator and the OpenAPI document use the schemas; the machine
 * trusts what they let in.
 */

export const SALUTATIONS = ['Herr', 'Frau', 'Divers'] as const;
export type Salutation = (typeof SALUTATIONS)[number];

/** base64url of the 32 random bytes the registration-link activity generates. */
export const REGISTRATION_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** Youngest and oldest plausible age of a registering person (DSGVO Art. 8: 16 in Germany). */
export const MIN_AGE_YEARS = 16;
export const MAX_AGE_YEARS = 120;

const email = z
  .string()
  .trim()
  .max(254)
  .check(emailFormat({ error: 'Bitte eine gültige E-Mail-Adresse angeben.' }));

// 6 to 15 digits (E.164), with the separators people type: +49 (0221) 123-456 / 789.
const phone = z
  .string()
  .trim()
  .regex(/^(?=(?:\D*\d){6,15}\D*$)\+?[\d ()/-]+$/, {
    error: 'Bitte eine gültige Telefonnummer angeben.',
  });

export const invitationInputSchema = z.object({
  salutation: z.enum(SALUTATIONS).nullable().default(null),
  firstName: singleLine(100),
  lastName: singleLine(100),
  email,
  practiceId: singleLine(64),
  /** The inviting administrator: gets the emails about an expired or locked invitation. */
  inviter: z.object({ name: singleLine(200).optional(), email }).optional(),
});
export type InvitationInput = z.output<typeof invitationInputSchema>;

/**
 * Why a PIN is refused, or null. Trivial PINs: one digit repeated (000000), a run of
 * consecutive digits up or down (123456, 654321), or a repeated group (121212, 123123).
 */
export function pinProblem(pin: string): string | null {
  if (!/^\d{6}$/.test(pin)) return 'Die PIN muss aus genau 6 Ziffern bestehen.';
  const digits = [...pin].map(Number);
  const steps = digits.slice(1).map((digit, i) => digit - (digits[i] ?? digit));
  if (steps.every((step) => step === 0)) {
    return 'Die PIN darf nicht aus einer einzigen wiederholten Ziffer bestehen.';
  }
  if (steps.every((step) => step === 1) || steps.every((step) => step === -1)) {
    return 'Die PIN darf keine auf- oder absteigende Ziffernfolge sein.';
  }
  if (pin === pin.slice(0, 2).repeat(3) || pin === pin.slice(0, 3).repeat(2)) {
    return 'Die PIN darf kein sich wiederholendes Muster sein.';
  }
  return null;
}

/**
 * A birth date is plausible when the person is between MIN_AGE_YEARS and MAX_AGE_YEARS old
 * on `today`. Both are `YYYY-MM-DD`, so the comparison is on strings: no clock, no Date.
 */
export function isPlausibleBirthDate(birthDate: string, today: string): boolean {
  const year = Number(today.slice(0, 4));
  const monthAndDay = today.slice(4);
  const yearsBefore = (years: number) => `${String(year - years).padStart(4, '0')}${monthAndDay}`;
  return birthDate <= yearsBefore(MIN_AGE_YEARS) && birthDate > yearsBefore(MAX_AGE_YEARS);
}

export const registrationStartedSchema = z.object({
  token: secret(
    z.string().regex(REGISTRATION_TOKEN_PATTERN, {
      error: 'Der Registrierungslink ist ungültig.',
    }),
  ),
});

export const invitationRevokedSchema = z.object({ reason: multiLine(500).optional() });

/**
 * The calendar check is here; whether the date lies in the past at a plausible age is
 * checked by the machine against the event's `receivedAt`, since a schema has no clock.
 */
export const personalDataSubmittedSchema = z.object({
  birthDate: isoDate({ error: 'Bitte ein gültiges Geburtsdatum im Format JJJJ-MM-TT angeben.' }),
  phone: phone.optional(),
});

export const deviceActivatedSchema = z
  .object({
    /** As shown in the email (`2748 0323`) or without the space. */
    activationCode: secret(
      z
        .string()
        .trim()
        .regex(/^\d{4} ?\d{4}$/, { error: 'Der Aktivierungscode besteht aus 8 Ziffern.' }),
    ),
    pin: secret(
      z.string().regex(/^\d{6}$/, { error: 'Die PIN muss aus genau 6 Ziffern bestehen.' }),
    ),
    pinConfirmation: secret(z.string()),
  })
  .superRefine(({ pin, pinConfirmation }, ctx) => {
    if (typeof pin !== 'string' || !/^\d{6}$/.test(pin)) return; // the format issue is already there
    const problem = pinProblem(pin);
    if (problem) ctx.addIssue({ code: 'custom', path: ['pin'], message: problem });
    if (pin !== pinConfirmation) {
      ctx.addIssue({
        code: 'custom',
        path: ['pinConfirmation'],
        message: 'Die PIN-Wiederholung stimmt nicht mit der PIN überein.',
      });
    }
  });

export const registrationRejectedSchema = z.object({ reason: multiLine(1000) });

export const consentGivenSchema = z.object({
  /** Version of the consent text the person agreed to (`2026-01`). */
  textVersion: singleLine(50),
});

/** Every event the outside world may send, with its payload schema (without `type`). */
export const invitationEventSchemas = {
  REGISTRATION_STARTED: registrationStartedSchema,
  INVITATION_RESENT: z.object({}),
  INVITATION_REVOKED: invitationRevokedSchema,
  PERSONAL_DATA_SUBMITTED: personalDataSubmittedSchema,
  DEVICE_ACTIVATED: deviceActivatedSchema,
  REGISTRATION_APPROVED: z.object({}),
  REGISTRATION_REJECTED: registrationRejectedSchema,
  CONSENT_GIVEN: consentGivenSchema,
  CONSENT_WITHDRAWN: z.object({}),
} as const;

type InvitationExternalEvent = EventsOf<typeof invitationEventSchemas>;

export interface Invitee {
  readonly salutation: Salutation | null;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string;
}

export interface Inviter {
  readonly name: string | null;
  readonly email: string;
}

/** Proof of consent (DSGVO Art. 6 (1) a, Art. 7 (1)): who, when, to which text, how. */
export interface ConsentRecord {
  /** The data subject: the invitee's lower-cased email. */
  readonly subject: string;
  readonly status: 'given' | 'withdrawn';
  /** Interpreter time of the event (`receivedAt`). */
  readonly givenAt: string | null;
  readonly withdrawnAt: string | null;
  readonly textVersion: string;
  readonly mechanism: 'portal-opt-in';
}

export interface InvitationContext {
  readonly invitee: Invitee;
  readonly practiceId: string;
  readonly inviter: Inviter | null;
  /** Keyed hash of the registration-link token; null once replaced (version 1: once used). */
  readonly tokenHash: string | null;
  /**
   * Version 2: what the link's token derives from (with the server secret), so that later
   * emails carry the same link; not secret on its own. Absent in version 1.
   */
  readonly linkRef?: string | null;
  readonly personalData: { readonly birthDate: string; readonly phone: string | null } | null;
  /** Keyed hash of the activation code; null once used. */
  readonly codeHash: string | null;
  readonly failedActivationAttempts: number;
  /** argon2 hash of the PIN chosen at device activation. */
  readonly pinHash: string | null;
  readonly revocationReason: string | null;
  readonly rejectionReason: string | null;
  /** Every consent given, oldest first; the last one is in force unless withdrawn. */
  readonly consents: readonly ConsentRecord[];
  /** Derived on every consent change: completed AND consent on record. */
  readonly postfachAccess: boolean;
}

/** The consent in force: the latest one, unless it was withdrawn. */
export const activeConsent = (context: InvitationContext): ConsentRecord | undefined => {
  const latest = context.consents.at(-1);
  return latest?.status === 'given' ? latest : undefined;
};

// Consent changes only in `completed`: Postfach access = the latest consent is in force.
const withConsents = (consents: readonly ConsentRecord[]) => ({
  consents,
  postfachAccess: consents.at(-1)?.status === 'given',
});

/** A new record for the invitee; an earlier one stays as proof of what was agreed when. */
export const giveConsent = (context: InvitationContext, textVersion: string, at: string | null) =>
  withConsents([
    ...context.consents,
    {
      subject: context.invitee.email.toLowerCase(),
      status: 'given',
      givenAt: at,
      withdrawnAt: null,
      textVersion,
      mechanism: 'portal-opt-in',
    },
  ]);

export const withdrawConsent = (context: InvitationContext, at: string | null) =>
  withConsents(
    context.consents.map((consent, i) =>
      i === context.consents.length - 1
        ? { ...consent, status: 'withdrawn', withdrawnAt: at }
        : consent,
    ),
  );

// Params of the named actions = inputs of the activities of the same name.
export interface IssueRegistrationLinkParams {
  readonly invitee: Invitee;
  readonly practiceId: string;
  readonly inviterName: string | null;
}
export interface VerifyRegistrationTokenParams {
  readonly token: string;
  readonly tokenHash: string | null;
}
export interface IssueActivationCodeParams {
  readonly invitee: Invitee;
  readonly maxAttempts: number;
  /**
   * Version 2: the code is shown on the registration page (handed back once to the caller of
   * the event that led here), not emailed. Absent (version 1): it is emailed.
   */
  readonly show?: boolean;
}
export interface VerifyActivationCodeParams {
  readonly activationCode: string;
  readonly codeHash: string | null;
  readonly pin: string;
}
/** Version 2 emails carry the registration link again: this derives it (absent in version 1). */
interface WithLink {
  readonly linkRef?: string | null;
}

export type SendEmailParams =
  | ({
      readonly template: 'invitationReminder';
      readonly to: Invitee;
      readonly inviterName: string | null;
    } & WithLink)
  | ({ readonly template: 'registrationRequested'; readonly to: Invitee } & WithLink)
  | { readonly template: 'activationStatus'; readonly to: Invitee; readonly linkRef: string }
  | { readonly template: 'registrationCompleted'; readonly to: Invitee }
  | { readonly template: 'registrationRejected'; readonly to: Invitee; readonly reason: string }
  | {
      readonly template: 'invitationExpired' | 'registrationLocked';
      readonly to: Inviter;
      readonly invitee: Invitee;
    };

/** Events the activities return; not in the definition's `events`, so the API refuses them. */
export type RegistrationLinkIssued = {
  type: 'REGISTRATION_LINK_ISSUED';
  tokenHash: string;
  /** What the token derives from; version 1 ignores it. */
  linkRef?: string;
};
export type RegistrationTokenVerified =
  { type: 'REGISTRATION_TOKEN_ACCEPTED' } | { type: 'REGISTRATION_TOKEN_REJECTED' };
export type ActivationCodeIssued = {
  type: 'ACTIVATION_CODE_ISSUED';
  codeHash: string;
  /** Only when shown: for the registration page, split off by the interpreter. */
  reveal?: { readonly activationCode: string };
};
export type ActivationCodeVerified =
  { type: 'ACTIVATION_CODE_ACCEPTED'; pinHash: string } | { type: 'ACTIVATION_CODE_REJECTED' };

export type InvitationEvent = (
  | InvitationExternalEvent
  | RegistrationLinkIssued
  | RegistrationTokenVerified
  | ActivationCodeIssued
  | ActivationCodeVerified
) &
  EventMeta;
