import { z } from 'zod';

/** Field schemas the process inputs and events share. */

/**
 * No control character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F), spelt as a range so
 * that every JSON Schema tool can use the pattern the OpenAPI document carries (Python's `re`,
 * which the API fuzzer runs on, knows no `\p{…}`).
 */
// eslint-disable-next-line no-control-regex
export const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f-\u009f]*$/;

/** One line of text (a name, a chamber, a reason): trimmed, no control characters. */
export const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(NO_CONTROL_CHARACTERS, { error: 'Steuerzeichen sind nicht erlaubt.' });

/** Control characters but tab and line breaks. */
// eslint-disable-next-line no-control-regex
const NO_CONTROL_BUT_LINES = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;

/** Free text that may span lines (a note, a reason): trimmed, not empty, no other controls. */
export const multiLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(NO_CONTROL_BUT_LINES, { error: 'Steuerzeichen sind nicht erlaubt.' });

/** A practice id (the BSNR, say): it ends up in process ids, so only safe characters. */
export const practiceIdField = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    error: 'Die Praxis-ID besteht aus Buchstaben, Ziffern, Punkt, Binde- und Unterstrich.',
  });

/**
 * zod's email and date formats check with a pattern of its own module by default. Workflows
 * share zod's modules, and the SDK freezes shared modules, so a shared pattern cannot reset
 * its `lastIndex` there ("Cannot assign to read only property 'lastIndex'"): each schema gets
 * its own copy of the same pattern (workflows/shared-libraries.ts).
 */
export const emailFormat = (params: { readonly error: string }) =>
  z.email({ ...params, pattern: new RegExp(z.regexes.email) });

/** A calendar date `YYYY-MM-DD` (see {@link emailFormat} for why the pattern is copied). */
export const isoDate = (params: { readonly error?: string } = {}) =>
  // Every string format's definition takes `pattern` (zod reads it for dates as for emails);
  // zod's types declare it for emails only.
  z.iso.date({ ...params, pattern: new RegExp(z.regexes.date) } as { error?: string });
