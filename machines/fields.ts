import { z } from 'zod';

/** Field schemas the process inputs and events share. */

const NO_CONTROL_CHARACTERS = /^\P{Cc}*$/u;

/** One line of text (a name, a chamber, a reason): trimmed, no control characters. */
export const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(NO_CONTROL_CHARACTERS, { error: 'Steuerzeichen sind nicht erlaubt.' });

/** Free text that may span lines (a note, a reason): trimmed, not empty. */
export const multiLine = (max: number) => z.string().trim().min(1).max(max);

/** A practice id (the BSNR, say): it ends up in process ids, so only safe characters. */
export const practiceIdField = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
    error: 'Die Praxis-ID besteht aus Buchstaben, Ziffern, Punkt, Binde- und Unterstrich.',
  });
