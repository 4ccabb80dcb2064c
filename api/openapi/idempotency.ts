import type { JsonSchema } from './json-schema.js';
import { problemExample, problemResponse, retryAfterHeader } from './responses.js';
import type { ResponseSpec } from './spec.js';

/** `Idempotency-Key` (api/idempotency.ts): the header every POST behind the API key takes. */

export const idempotencyKeyParameter: JsonSchema = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Makes a retry safe: the same key with the same body (the same bytes) from the same API key within 24 h gets the first answer again (status, `Location`, `Content-Type`, `Retry-After`, body; marked `Idempotent-Replayed: true`) and nothing runs again. The same key with another body is a 422; while the first request still runs, a 409 with `Retry-After`. A first answer of 5xx or 429 is not kept: the retry runs. A UUID per logical request does.',
  schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x20-\\x7e]+$' },
  example: '3f2b7c1e-8d4a-4b6e-9c0f-2a1d5e7b9c34',
};

const IN_USE =
  'The first request with this `Idempotency-Key` is still running; try again after `Retry-After` seconds.';
const REUSED =
  'The `Idempotency-Key` was used before for another request (another body or path), or is not 1 to 255 printable ASCII characters.';

/**
 * The operation's answers with those of the header: a status the operation answers already
 * says the more in its description (its example stays the operation's own).
 */
export function withIdempotencyResponses(
  responses: Readonly<Record<number, ResponseSpec>>,
  instance: string,
): Readonly<Record<number, ResponseSpec>> {
  const extended = (status: number, text: string, own: ResponseSpec) => {
    const given = responses[status];
    return given ? { ...given, description: `${given.description} Or: ${text}` } : own;
  };
  return {
    ...responses,
    409: extended(
      409,
      IN_USE,
      problemResponse(
        IN_USE,
        problemExample(
          409,
          'idempotency-key-in-use',
          'The first request with this Idempotency-Key is still running; try again shortly',
          instance,
        ),
        retryAfterHeader,
      ),
    ),
    422: extended(
      422,
      REUSED,
      problemResponse(
        REUSED,
        problemExample(
          422,
          'idempotency-key-reused',
          'The Idempotency-Key was used for another request: a retry sends the same body to the same path',
          instance,
          {
            errors: [{ path: 'Idempotency-Key', message: 'used before with another body or path' }],
          },
        ),
      ),
    ),
  };
}
