import { hash } from '@node-rs/argon2';
import type { z } from 'zod';
import { transportPinLetter } from '../machines/card-v2.schema.js';
import { activationPassword } from '../machines/ehba-application.schema.js';
import type { TransportPinLetterStore } from '../storage/transport-pin-letters.js';
import { AppError, validationError } from './errors.js';

/**
 * The card issuer's two secrets stop at the API: a workflow (and so its history, its view and
 * the codec endpoint) gets the Kennwort für die Freischaltung only as an argon2 hash and the
 * Transport-PIN letter only as the id of its sealed copy. A caller never sends the protected
 * form itself: only praxisflow makes it, so no caller can plant a hash or point at another
 * card's letter. These fields are the card issuer's; every process type passes through here,
 * and for the others nothing changes.
 */

/** The form the API hands a workflow, by the clear field it comes from. */
const PROTECTED = {
  activationPassword: 'activationPasswordHash',
  transportPinLetter: 'transportPinLetterId',
} as const;

/**
 * The Kennwort as a process may hold it: argon2id with a random salt (PHC string). The one
 * place it is hashed, until the generic sealing of secret fields takes its place.
 */
const hashActivationPassword = (clear: string): Promise<string> => hash(clear);

interface Protected {
  readonly body: Record<string, unknown>;
  /** Undoes what was stored, when the process then refuses the request. */
  discard(): Promise<void>;
}

function parseField<S extends z.ZodType>(schema: S, value: unknown, path: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw validationError(`${path} is invalid`, [
    ...new Map(
      result.error.issues.map((issue) => {
        const at = [path, ...issue.path.map(String)].join('.');
        return [at, { path: at, message: issue.message }] as const;
      }),
    ).values(),
  ]);
}

/**
 * `body` with its clear secrets replaced by their protected form. `prefix` names where the body
 * sits in the request (`input.` for a start, empty for an event), so a 422 names the field.
 */
export async function protectCardSecrets(
  body: Record<string, unknown>,
  prefix: string,
  /** Where a Transport-PIN letter is sealed: only an event to a running card has one. */
  letters?: { readonly processId: string; readonly store?: TransportPinLetterStore },
): Promise<Protected> {
  for (const [clear, made] of Object.entries(PROTECTED)) {
    if (body[made] !== undefined) {
      throw validationError(`${made} is set by praxisflow`, [
        { path: `${prefix}${made}`, message: `must not be given: send ${clear} instead` },
      ]);
    }
  }
  const result: Record<string, unknown> = { ...body };
  if (body.activationPassword !== undefined) {
    const kennwort = parseField(
      activationPassword,
      body.activationPassword,
      `${prefix}activationPassword`,
    );
    delete result.activationPassword;
    result.activationPasswordHash = await hashActivationPassword(kennwort);
  }
  let sealedLetter: string | undefined;
  if (body.transportPinLetter !== undefined) {
    const content = parseField(
      transportPinLetter,
      body.transportPinLetter,
      `${prefix}transportPinLetter`,
    );
    if (!letters) {
      throw validationError('A Transport-PIN letter comes only with CARD_SHIPPED', [
        { path: `${prefix}transportPinLetter`, message: 'must not be given here' },
      ]);
    }
    if (!letters.store) {
      throw new AppError('unavailable', 503, 'No store for Transport-PIN letters is configured');
    }
    sealedLetter = await letters.store.seal(letters.processId, content, new Date());
    delete result.transportPinLetter;
    result.transportPinLetterId = sealedLetter;
  }
  return {
    body: result,
    discard: async () => {
      if (sealedLetter) await letters?.store?.destroy(sealedLetter, new Date());
    },
  };
}
