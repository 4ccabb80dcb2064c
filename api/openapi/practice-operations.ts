import { z } from 'zod';
import { appointmentBody, digestOverview, practiceIdParameter } from '../practice-schemas.js';
import {
  forbiddenResponse,
  notFoundResponse,
  securedResponses,
  validationResponse,
  writeResponses,
} from './responses.js';
import type { OperationSpec } from './spec.js';

const PRACTICE = '/api/v1/practices/BSNR-123456789';
const byPractice = z.object({ practiceId: practiceIdParameter });
const practiceNotFound = (instance: string) =>
  notFoundResponse(
    'No such practice for this client key (a client key acts only for its practices).',
    'No practice BSNR-987654321',
    instance,
  );

/** The appointment service's reports and the nightly overview they feed (eTerminservice). */
export const practiceOperations: readonly OperationSpec[] = [
  {
    method: 'post',
    path: '/api/v1/practices/{practiceId}/appointments',
    operationId: 'reportAppointment',
    tag: 'Practices',
    summary: 'Report a booking or cancellation',
    description:
      'Records a booking or cancellation for the practice’s nightly overview (signal-with-' +
      'start: the first report starts the overview). Accepted at once; the same appointment ' +
      'and kind reported again counts once. The overview goes at 01:30 German time plus a ' +
      'stable per-practice jitter, to the practice’s confirmed channel only.',
    security: 'apiKey',
    roles: ['admin', 'client'],
    pathParameters: byPractice,
    requestBody: {
      schema: appointmentBody,
      example: {
        kind: 'booked',
        appointmentId: 'TSS-2026-4711',
        at: '2026-12-01T09:30:00+01:00',
        patientInitials: 'E. M.',
        specialty: 'Hals-Nasen-Ohrenheilkunde',
        urgencyCode: 'HNO-4711-AB',
      },
    },
    responses: {
      202: {
        description: 'Accepted for the overview.',
        schema: z.object({
          practiceId: z.string(),
          processId: z.string(),
          kind: z.enum(['booked', 'cancelled']),
          appointmentId: z.string(),
        }),
        example: {
          practiceId: 'BSNR-123456789',
          processId: 'nightlyDigest-BSNR-123456789',
          kind: 'booked',
          appointmentId: 'TSS-2026-4711',
        },
        headers: {
          Location: {
            description: 'The overview of the practice.',
            schema: { type: 'string' },
          },
        },
      },
      ...writeResponses(`${PRACTICE}/appointments`),
      ...securedResponses(`${PRACTICE}/appointments`),
      403: forbiddenResponse(
        'This needs an API key of role admin or client',
        `${PRACTICE}/appointments`,
      ),
      404: practiceNotFound('/api/v1/practices/BSNR-987654321/appointments'),
      422: validationResponse(
        'Not a booking or cancellation: unknown kind, no appointment id, a time without zone.',
        'The appointment is invalid',
        [{ path: 'at', message: 'Zeitpunkt des Termins als ISO-Datum mit Zeitzone.' }],
        `${PRACTICE}/appointments`,
      ),
    },
  },
  {
    method: 'get',
    path: '/api/v1/practices/{practiceId}/digest',
    operationId: 'getDigest',
    tag: 'Practices',
    summary: 'The practice’s nightly overview',
    description:
      'What is collected and not yet sent, when it goes, to which confirmed channel, and a ' +
      'warning when there is none (the overview is then kept and sent the night after the ' +
      'confirmation).',
    security: 'apiKey',
    pathParameters: byPractice,
    responses: {
      200: { description: 'The overview.', schema: digestOverview },
      ...securedResponses(`${PRACTICE}/digest`),
      404: practiceNotFound('/api/v1/practices/BSNR-987654321/digest'),
    },
  },
];
