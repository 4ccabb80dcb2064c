import { STAGE_EXPLANATIONS } from '../application-stages.js';
import { NOT_FOUND_DETAIL } from '../routes/application-status.js';
import { applicationStatus, applicationStatusBody } from '../public-schemas.js';
import {
  notFoundResponse,
  problemExample,
  problemResponse,
  retryAfterHeader,
  validationResponse,
  writeResponses,
} from './responses.js';
import type { OperationSpec } from './spec.js';

const PATH = '/api/v1/public/application-status';

/** What applicants reach without an API key. */
export const publicOperations: readonly OperationSpec[] = [
  {
    method: 'post',
    path: PATH,
    operationId: 'lookUpApplicationStatus',
    tag: 'Public',
    summary: 'Stand eines eHBA/SMC-B-Antrags',
    description:
      'For applicants, without an API key: the Antragsnummer together with the birth date ' +
      'answers the German label of where the application stands, since when, and what that ' +
      "stage means (the card issuer's own explanation) — nothing else. An unknown number and a wrong birth date get the same 404 after the same time. " +
      'Limited per client address (default 10 a minute, 5 at once).',
    security: 'none',
    requestBody: {
      schema: applicationStatusBody,
      example: { applicationNumber: 'A-2026-7K3M9QXT', birthDate: '1975-03-14' },
    },
    responses: {
      200: {
        description: 'The application and the birth date belong together.',
        schema: applicationStatus,
        example: {
          stateLabel: 'Zur Freigabe',
          since: '2026-11-20T09:14:03.000Z',
          explanation: STAGE_EXPLANATIONS['Zur Freigabe'],
        },
      },
      400: writeResponses(PATH)[400]!,
      413: writeResponses(PATH)[413]!,
      415: writeResponses(PATH)[415]!,
      404: notFoundResponse(
        'No application with this number and this birth date (the same for both cases).',
        NOT_FOUND_DETAIL,
        PATH,
      ),
      422: validationResponse(
        'Not an Antragsnummer, or not a date.',
        'The request body is invalid',
        [{ path: 'birthDate', message: 'Das Geburtsdatum im Format JJJJ-MM-TT.' }],
        PATH,
      ),
      429: problemResponse(
        'Too many lookups from this address; try again after `Retry-After` seconds.',
        problemExample(
          429,
          'rate-limited',
          'Too many requests from this address: 10 a minute, 5 at once; try again in 6 s',
          PATH,
        ),
        retryAfterHeader,
      ),
      503: problemResponse(
        'Postgres is not reachable; try again after `Retry-After` seconds.',
        problemExample(503, 'unavailable', 'The database is not reachable right now', PATH),
        retryAfterHeader,
      ),
    },
  },
];
