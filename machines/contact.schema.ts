import { z } from 'zod';
import { emailFormat, NO_CONTROL_CHARACTERS } from './fields.js';

/**
 * Where messages go, checked at the edge: email addresses, phone numbers for SMS, fax numbers
 * (both normalised to E.164, `+4915112345678`) and German letter addresses. The API and the
 * workflow validator use these; a bad address is a 422 before any process starts.
 */

/** An email address, without display name or quotes; the domain in lower case. */
export const emailAddress = z
  .string()
  .trim()
  .max(254)
  .check(emailFormat({ error: 'Bitte eine gültige E-Mail-Adresse angeben.' }))
  .transform((address) => {
    const at = address.lastIndexOf('@');
    return `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
  });

const SEPARATORS = /[\s\-/.()]/g;

/**
 * What people type in Germany, as E.164: `0151 / 123 456 78`, `(030) 1234567`, `0049 30 …`,
 * `+49 (0) 30 …` (the trunk `0` after the country code dropped). Undefined when it is none.
 */
export function toE164(input: string): string | undefined {
  const trimmed = input.trim().replace(/^\+(\d{1,3})\s*\(0\)/, '+$1');
  if (!/^\+?[\d\s\-/.()]+$/.test(trimmed)) return undefined;
  let digits = trimmed.replace(SEPARATORS, '');
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  else if (digits.startsWith('0')) digits = `+49${digits.slice(1)}`;
  if (!/^\+[1-9]\d{6,14}$/.test(digits)) return undefined;
  if (digits.startsWith('+49')) {
    const national = digits.slice(3);
    if (national.startsWith('0') || national.length < 6 || national.length > 13) return undefined;
  }
  return digits;
}

/** `+4915112345678` → `+49 … 78`: enough to recognise, not to dial. */
export const maskPhone = (e164: string): string => `${e164.slice(0, 3)} … ${e164.slice(-2)}`;

/** German mobile numbers start with 15, 16 or 17; foreign numbers are taken as they are. */
const isGermanMobile = (e164: string): boolean =>
  !e164.startsWith('+49') || /^\+491[5-7]/.test(e164);

/** A number for SMS, as E.164. */
export const phoneNumber = z.string().transform((input, ctx) => {
  const e164 = toE164(input);
  if (!e164 || !isGermanMobile(e164)) {
    ctx.addIssue({
      code: 'custom',
      message: 'Bitte eine Mobilfunknummer angeben, z. B. 0151 12345678 oder +49 151 12345678.',
    });
    return z.NEVER;
  }
  return e164;
});

/** A fax number, as E.164. */
export const faxNumber = z.string().transform((input, ctx) => {
  const e164 = toE164(input);
  if (!e164) {
    ctx.addIssue({
      code: 'custom',
      message: 'Bitte eine gültige Faxnummer angeben, z. B. 030 1234567-89 oder +49 30 123456789.',
    });
    return z.NEVER;
  }
  return e164;
});

const line = (max: number, what: string) =>
  z
    .string()
    .trim()
    .min(1, { error: `Bitte ${what} angeben.` })
    .max(max, { error: `${what} ist zu lang (höchstens ${max} Zeichen).` })
    .regex(NO_CONTROL_CHARACTERS, { error: `${what} darf keine Steuerzeichen enthalten.` });

/** An address for a letter's window: at most six lines once printed. */
export const postalAddress = z
  .object({
    name: line(100, 'den Namen'),
    addition: line(100, 'den Zusatz').optional(),
    street: line(100, 'Straße und Hausnummer'),
    postcode: line(12, 'die Postleitzahl'),
    city: line(60, 'den Ort'),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, { error: 'Das Land als zweistelliger Code, z. B. DE oder AT.' })
      .default('DE'),
  })
  .superRefine((address, ctx) => {
    const german = address.country === 'DE';
    const valid = german
      ? /^\d{5}$/.test(address.postcode)
      : /^[A-Z0-9 -]{2,12}$/i.test(address.postcode);
    if (!valid) {
      ctx.addIssue({
        code: 'custom',
        path: ['postcode'],
        message: german
          ? 'Die Postleitzahl hat in Deutschland fünf Ziffern.'
          : 'Bitte eine gültige Postleitzahl angeben.',
      });
    }
  });
