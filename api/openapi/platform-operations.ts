import { z } from 'zod';
import { processTypeParameter } from '../schemas.js';
import { health, machineDescription, machineList } from '../platform-schemas.js';
import { followUpLinkQuery, registrationLinkQuery } from '../public-schemas.js';
import { healthExamples } from './examples.js';
import { notFoundResponse, retryAfterHeader, securedResponses } from './responses.js';
import type { OperationSpec } from './spec.js';

/** Health, metrics and the process types: the operations besides the processes. */
export const platformOperations: readonly OperationSpec[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    tag: 'Service',
    summary: 'Health',
    description: 'Whether Temporal, Postgres and the SMTP relay are reachable, part by part.',
    security: 'none',
    responses: {
      200: {
        description: 'Every part is up.',
        schema: health,
        example: healthExamples[0],
      },
      503: {
        description: 'A part is down.',
        schema: health,
        example: healthExamples[1],
        headers: retryAfterHeader,
      },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    tag: 'Service',
    summary: 'Prometheus metrics',
    description:
      'Metrics of this API process in the Prometheus text format. Carries no ids and no ' +
      'personal data; restrict it at the ingress if the deployment wants it private.',
    security: 'none',
    responses: {
      200: {
        description: 'The metrics.',
        contentType: 'text/plain',
        schema: { type: 'string' },
        example:
          '# HELP praxisflow_processes_started_total Processes started by type and outcome\n' +
          '# TYPE praxisflow_processes_started_total counter\n' +
          'praxisflow_processes_started_total{type="invitation",outcome="ok"} 3\n',
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/machines',
    operationId: 'listMachines',
    tag: 'Process types',
    summary: 'List process types',
    description: 'Every process type with the machine version new instances start with.',
    security: 'apiKey',
    responses: {
      200: { description: 'The process types.', schema: machineList },
      ...securedResponses('/api/v1/machines'),
    },
  },
  {
    method: 'get',
    path: '/api/v1/machines/{type}',
    operationId: 'describeMachine',
    tag: 'Process types',
    summary: 'Describe a process type',
    description:
      'States (id, German label, final), the events each state takes, timers with their ' +
      'default delays, and a Mermaid diagram of the latest machine version.',
    security: 'apiKey',
    pathParameters: z.object({ type: processTypeParameter }),
    responses: {
      200: { description: 'The machine.', schema: machineDescription },
      ...securedResponses('/api/v1/machines/invitation'),
      404: notFoundResponse(
        'No such process type.',
        'No process type nosuchthing',
        '/api/v1/machines/nosuchthing',
      ),
    },
  },
];

/** This document, its page, and the landing page of registration links. */
export const referenceOperations: readonly OperationSpec[] = [
  {
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'Reference',
    summary: 'This document',
    description:
      'The OpenAPI 3.1 document of this API, generated from the schemas it validates with.',
    security: 'none',
    responses: {
      200: {
        description: 'The OpenAPI document.',
        schema: {
          type: 'object',
          properties: {
            openapi: { type: 'string', const: '3.1.0' },
            info: { type: 'object' },
            paths: { type: 'object' },
            components: { type: 'object' },
          },
          required: ['openapi', 'info', 'paths'],
        },
      },
    },
  },
  {
    method: 'get',
    path: '/api/v1/docs',
    operationId: 'getApiReference',
    tag: 'Reference',
    summary: 'API reference page',
    description: 'This document as one self-contained HTML page (no scripts).',
    security: 'none',
    responses: {
      200: { description: 'The page.', contentType: 'text/html', schema: { type: 'string' } },
    },
  },
  {
    method: 'get',
    path: '/registrierung',
    operationId: 'getRegistrationLink',
    tag: 'Registration link',
    summary: 'Registration link landing page',
    description:
      'Where the registration link of an invitation email („Registrierung fortsetzen“) lands ' +
      'when `PUBLIC_BASE_URL` points at the API (as with `npm start`): a German page with the ' +
      'step the registration is at now and the request the portal makes with the token ' +
      '(`REGISTRATION_STARTED`, taken at every step until the registration ends), or, once it ' +
      'has ended, a German page saying why (abgelaufen, widerrufen, abgelehnt, gesperrt, ' +
      'abgeschlossen). It changes nothing. A real deployment points the link at the portal.',
    security: 'none',
    queryParameters: registrationLinkQuery,
    responses: {
      200: {
        description: 'The current step, or the German page of an ended registration.',
        contentType: 'text/html',
        schema: { type: 'string' },
      },
      400: {
        description: 'Process or token missing or malformed: a page that says so.',
        contentType: 'text/html',
        schema: { type: 'string' },
      },
      404: {
        description: 'No registration behind the link: a German page that says so.',
        contentType: 'text/html',
        schema: { type: 'string' },
      },
    },
  },
  {
    method: 'get',
    path: '/folgeantrag',
    operationId: 'getFollowUpLink',
    tag: 'Registration link',
    summary: 'Follow-up card link landing page',
    description:
      'Where „Folgekarte beantragen“ in a card’s renewal reminder lands when `PUBLIC_BASE_URL` ' +
      'points at the API: a German page that shows the request the portal would make ' +
      '(`FOLLOW_UP_REQUESTED` to the card’s process). A real deployment points it at the portal.',
    security: 'none',
    queryParameters: followUpLinkQuery,
    responses: {
      200: { description: 'The page.', contentType: 'text/html', schema: { type: 'string' } },
      400: {
        description: 'No card process named: a page that says so.',
        contentType: 'text/html',
        schema: { type: 'string' },
      },
    },
  },
];
