import { problem } from '../schemas.js';
import type { JsonSchema } from './json-schema.js';
import type { ResponseSpec } from './spec.js';

/** The error answers the routes share, each with the problem it sends. */

const PROBLEM_JSON = 'application/problem+json';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

export const problemExample = (
  status: number,
  code: string,
  detail: string,
  instance: string,
  extra: Readonly<Record<string, unknown>> = {},
): Record<string, unknown> => ({
  type: `urn:praxisflow:problem:${code}`,
  title: TITLES[status] ?? 'Error',
  status,
  detail,
  instance,
  ...extra,
});

const integerSeconds: JsonSchema = { type: 'integer', minimum: 1 };

export const retryAfterHeader = {
  'Retry-After': { description: 'Seconds after which to try again.', schema: integerSeconds },
};

export function problemResponse(
  description: string,
  example: Record<string, unknown>,
  headers?: ResponseSpec['headers'],
): ResponseSpec {
  return {
    description,
    contentType: PROBLEM_JSON,
    schema: problem,
    example,
    ...(headers ? { headers } : {}),
  };
}

/** Answers every route behind the API key can give before it runs: 401 and 503. */
export const securedResponses = (instance: string): Readonly<Record<number, ResponseSpec>> => ({
  401: problemResponse(
    'No API key, or not a valid one.',
    problemExample(
      401,
      'unauthorized',
      'A valid API key is required: Authorization: Bearer <key>',
      instance,
    ),
    {
      'WWW-Authenticate': {
        description: 'The scheme to authenticate with.',
        schema: { type: 'string', examples: ['Bearer realm="praxisflow"'] },
      },
    },
  ),
  503: problemResponse(
    'A dependency (Temporal, Postgres) is not reachable; try again after `Retry-After` seconds.',
    problemExample(
      503,
      'unavailable',
      'Temporal is not reachable right now; try again shortly',
      instance,
    ),
    retryAfterHeader,
  ),
});

/** Answers of routes that write: a JSON body may be broken or too large, and writes are limited. */
export const writeResponses = (instance: string): Readonly<Record<number, ResponseSpec>> => ({
  400: problemResponse(
    'The body is not valid JSON.',
    problemExample(400, 'malformed-json', 'The request body is not valid JSON', instance),
  ),
  413: problemResponse(
    'The body is larger than 256 kB.',
    problemExample(413, 'body-too-large', 'The request body is too large', instance),
  ),
  415: problemResponse(
    'The body is not `application/json`.',
    problemExample(
      415,
      'unsupported-media-type',
      'The body must be application/json, not text/plain',
      instance,
    ),
  ),
  429: problemResponse(
    'Too many writes with this API key; try again after `Retry-After` seconds.',
    problemExample(
      429,
      'rate-limited',
      'Too many writes with this API key: 120 a minute, 60 at once; try again in 2 s',
      instance,
    ),
    retryAfterHeader,
  ),
});

export const forbiddenResponse = (detail: string, instance: string): ResponseSpec =>
  problemResponse(
    'The API key has not the role for this, or acts for another practice.',
    problemExample(403, 'forbidden', detail, instance),
  );

export const notFoundResponse = (description: string, detail: string, instance: string) =>
  problemResponse(description, problemExample(404, 'not-found', detail, instance));

export const validationResponse = (
  description: string,
  detail: string,
  errors: readonly { path: string; message: string }[],
  instance: string,
): ResponseSpec =>
  problemResponse(
    description,
    problemExample(422, 'validation-failed', detail, instance, { errors }),
  );
