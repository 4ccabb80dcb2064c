import { z } from 'zod';
import {
  cancelBody,
  history,
  eventPreview,
  listQuery,
  processIdParameter,
  processList,
  processView,
  timerFireBody,
  timerMoveBody,
} from '../schemas.js';
import { EXAMPLE_ID, processViewExample } from './examples.js';
import type { ProcessTypeDoc } from './process-types.js';
import { platformOperations, referenceOperations } from './platform-operations.js';
import { dashboardOperations } from './dashboard-operations.js';
import { documentOperations } from './document-operations.js';
import { practiceOperations } from './practice-operations.js';
import { bulkActionOperations } from './bulk-action-operations.js';
import { migrationOperations } from './migration-operations.js';
import { webhookOperations } from './webhook-operations.js';
import { eventStreamOperations } from './event-stream-operations.js';
import { publicOperations } from './public-operations.js';
import type { OperationSpec } from './spec.js';
import {
  forbiddenResponse,
  notFoundResponse,
  problemExample,
  problemResponse,
  securedResponses,
  validationResponse,
  writeResponses,
} from './responses.js';

export const TAGS = [
  { name: 'Processes', description: 'Start processes, send them events, list and cancel them.' },
  { name: 'Process types', description: 'The machines behind the process types.' },
  {
    name: 'Bulk actions',
    description: 'One event, cancel, retry or timer for many processes, as a durable job.',
  },
  {
    name: 'Webhooks',
    description: 'Signed callbacks of process events, per API key, delivered durably and in order.',
  },
  {
    name: 'Events',
    description: 'The same process events as a live stream (Server-Sent Events), resumable.',
  },
  { name: 'Practices', description: 'Appointment reports and the nightly overview.' },
  {
    name: 'Arztportal',
    description:
      'The physicians’ portal: documents with mTAN download and 24-month retention, credentials by post.',
  },
  { name: 'Dashboard', description: 'What the operators’ dashboard reads.' },
  { name: 'Public', description: 'For applicants, without an API key.' },
  { name: 'Service', description: 'Health and metrics, for the platform.' },
  { name: 'Reference', description: 'This document, as JSON and as a page.' },
  {
    name: 'Registration link',
    description: 'Where invitation emails link to when the portal is this API (development).',
  },
] as const;

const PROCESS = `/api/v1/processes/${EXAMPLE_ID}`;

const byId = z.object({ id: processIdParameter });

const processNotFound = (instance: string) =>
  notFoundResponse(
    'No such process, or not one of the practices of this client key.',
    `No process ${EXAMPLE_ID}`,
    instance,
  );

const byTimer = z.object({
  id: processIdParameter,
  name: z
    .string()
    .max(100)
    .meta({
      description: 'The name of the timer, as the view lists it.',
      examples: ['invitationReminder'],
    }),
});

const byChild = z.object({
  id: processIdParameter,
  childId: z
    .string()
    .max(100)
    .meta({
      description: 'The id of the child machine, as `children` lists it.',
      examples: ['check'],
    }),
});

/** What fire and move answer besides the view. */
const timerResponses = (instance: string) => ({
  ...writeResponses(instance),
  ...securedResponses(instance),
  403: forbiddenResponse('This needs an API key of role admin or operator', instance),
  404: processNotFound(instance),
  409: problemResponse(
    'No timer of this name runs (it fired, was cancelled, or the process has ended).',
    problemExample(
      409,
      'event-not-allowed',
      'No timer invitationReminder is running; running: invitationExpiry',
      instance,
      { allowedEvents: ['REGISTRATION_STARTED', 'INVITATION_RESENT', 'INVITATION_REVOKED'] },
    ),
  ),
  422: validationResponse(
    'The body is invalid: no reason, or a due time that is not ISO 8601.',
    'The request body is invalid',
    [{ path: 'reason', message: 'Invalid input' }],
    instance,
  ),
});

const ended = (instance: string) =>
  problemResponse(
    'The process has ended and takes no more events.',
    problemExample(
      409,
      'process-ended',
      `Process ${EXAMPLE_ID} has ended (COMPLETED) and takes no more events`,
      instance,
      { allowedEvents: [] },
    ),
  );

function startOperation(doc: ProcessTypeDoc): OperationSpec {
  const path = `/api/v1/processes/${doc.type}`;
  return {
    method: 'post',
    path,
    operationId: `start${doc.type.charAt(0).toUpperCase()}${doc.type.slice(1).replace(/[^A-Za-z0-9]/g, '')}`,
    tag: 'Processes',
    summary: `Start a process: ${doc.title}`,
    description:
      `Starts a process of type \`${doc.type}\` (machine version ${doc.version}) and answers its ` +
      'view at the start: Temporal has taken the start, the worker runs the first step after. ' +
      'The workflow id is `{type}-{businessKey}`; ' +
      (doc.businessKeyFromInput
        ? 'the business key is a keyed hash of identifying parts of the input (no personal data in ids), so the body names none. '
        : 'the business key is the given one or a generated one. ') +
      'A second start with the business key of a running process is refused. A type that is ' +
      'not registered answers 404.',
    security: 'apiKey',
    roles: ['admin', 'client'],
    requestBody: {
      schema: doc.startBody,
      ...(doc.startExample === undefined ? {} : { example: doc.startExample }),
    },
    responses: {
      201: {
        description: 'Started; `Location` names the process.',
        schema: processView,
        headers: {
          Location: {
            description: 'Path of the new process.',
            schema: { type: 'string', examples: [PROCESS] },
          },
        },
      },
      ...writeResponses(path),
      ...securedResponses(path),
      403: forbiddenResponse('This API key may not act for practice BSNR-123456789', path),
      409: problemResponse(
        'A process with this business key is already running.',
        problemExample(409, 'already-running', `Process ${EXAMPLE_ID} is already running`, path, {
          processId: EXAMPLE_ID,
        }),
      ),
      422: validationResponse(
        'The body or the input is invalid; `errors` names every field.',
        `The input of ${doc.type} is invalid`,
        [{ path: 'input.email', message: 'Bitte eine gültige E-Mail-Adresse angeben.' }],
        path,
      ),
    },
  };
}

/** Every operation of the API contract (v1), for the process types registered now. */
export function operations(types: readonly ProcessTypeDoc[]): OperationSpec[] {
  const eventExamples = Object.fromEntries(
    types.flatMap((doc) =>
      doc.events.flatMap((event) =>
        event.example
          ? [
              [
                `${doc.type}.${event.name}`,
                { summary: `${doc.type}: ${event.name}`, value: event.example },
              ],
            ]
          : [],
      ),
    ),
  );

  return [
    ...platformOperations,
    ...types.filter((doc) => !doc.startRoute).map(startOperation),
    {
      method: 'get',
      path: '/api/v1/processes',
      operationId: 'listProcesses',
      tag: 'Processes',
      summary: 'List processes',
      description:
        'Processes from the read model, newest first, filtered by every parameter given, one ' +
        'page at a time (keyset pagination: pass `nextCursor` as `cursor`). A client key sees ' +
        'only its practices. Unknown parameters are refused. `overdue=true` lists the processes ' +
        'past the due time of their state („überfällig“); each item carries its `sla`.',
      security: 'apiKey',
      queryParameters: listQuery,
      queryExamples: { type: 'invitation', status: 'active', limit: 50 },
      responses: {
        200: { description: 'One page.', schema: processList },
        ...securedResponses('/api/v1/processes'),
        422: validationResponse(
          'A parameter is invalid or unknown, or the cursor is not one this API handed out.',
          'The query is invalid',
          [{ path: 'dueBefore', message: 'Invalid ISO datetime' }],
          '/api/v1/processes?dueBefore=tomorrow',
        ),
      },
    },
    {
      method: 'get',
      path: '/api/v1/processes/{id}',
      operationId: 'getProcess',
      tag: 'Processes',
      summary: 'Get a process',
      description:
        'The live view, as the workflow answers it: state, allowed events, timers; `children`, ' +
        'the invoked actors it runs now, each child machine with its own state and incident as ' +
        'its workflow answers them (left out when it does not answer within 3 s); and `sla`, ' +
        'the service level of the state from the read model. A view needs a worker: while the ' +
        'workers restart, the answer is 503 with `Retry-After` after 10 s rather than a wait.',
      security: 'apiKey',
      pathParameters: byId,
      responses: {
        200: { description: 'The view.', schema: processView },
        ...securedResponses(PROCESS),
        404: processNotFound(PROCESS),
      },
    },
    {
      method: 'post',
      path: '/api/v1/processes/{id}/events',
      operationId: 'sendEvent',
      tag: 'Processes',
      summary: 'Send an event',
      description:
        'Sends one event to the process: `type` and its payload fields beside it. The process ' +
        'refuses an event its current state does not take (409, with the events it takes) or ' +
        'a payload that fails the schema of the event (422), without changing anything. Some ' +
        'events belong to the back office (operator keys), the rest to the practice side. ' +
        'The answer waits for what the event sets off (an email, a code) at most ' +
        '`PRAXISFLOW_EVENT_ANSWER_SECONDS` (default 10 s): an event the process has accepted ' +
        'but whose effects still retry (a mail relay down) is answered 202 with the view as it ' +
        'stands and `Location`; GET it to see the outcome. A 503 for an event says the process ' +
        'has not confirmed it in time: look at the process before sending it again.',
      security: 'apiKey',
      roles: ['admin', 'operator', 'client'],
      pathParameters: byId,
      requestBody: {
        description: 'One event of the process type of this process.',
        schema: { anyOf: types.map((doc) => doc.eventBody) },
        examples: eventExamples,
      },
      responses: {
        200: { description: 'Taken; the new view.', schema: processView },
        202: {
          description:
            'Accepted: the process has the event and will take it, but what it sets off still ' +
            'runs (retries). The view as it stands (no body if it could not be read in time); ' +
            '`Location` names the process to look at again.',
          schema: processView,
          headers: {
            Location: {
              description: 'Path of the process.',
              schema: { type: 'string', examples: [PROCESS] },
            },
          },
        },
        ...writeResponses(`${PROCESS}/events`),
        ...securedResponses(`${PROCESS}/events`),
        403: forbiddenResponse(
          'REGISTRATION_APPROVED is sent by the back office, not with this API key',
          `${PROCESS}/events`,
        ),
        404: processNotFound(`${PROCESS}/events`),
        409: problemResponse(
          'The process does not take this event now (or has ended); `allowedEvents` lists what it takes.',
          problemExample(
            409,
            'event-not-allowed',
            'Event DEVICE_ACTIVATED is not allowed in state registration.invited',
            `${PROCESS}/events`,
            { allowedEvents: ['REGISTRATION_STARTED', 'INVITATION_RESENT', 'INVITATION_REVOKED'] },
          ),
        ),
        422: validationResponse(
          'Unknown event type, or the payload fails its schema; `errors` names every field.',
          'The event is invalid',
          [{ path: 'pin', message: 'Die PIN muss aus genau 6 Ziffern bestehen.' }],
          `${PROCESS}/events`,
        ),
      },
    },
    {
      method: 'post',
      path: '/api/v1/processes/{id}/events/preview',
      operationId: 'previewEvent',
      tag: 'Processes',
      summary: 'Preview an event (what if)',
      description:
        'What the event would do to the process now, without doing it: the same checks as ' +
        '`POST …/events` (the same 403, 409 and 422), then the state the step would take it ' +
        'to, its label, the events it would take then, its timers (due times counted from ' +
        'now) and what it would set going by name (`sendEmail` with template `invitation`), ' +
        'computed from the process machine on its current snapshot. Nothing is written to ' +
        'the process or its history, no email or letter goes out, no code is checked: what an ' +
        'effect would feed back (a wrong code, a new link) shows only when the event is sent.',
      security: 'apiKey',
      roles: ['admin', 'operator', 'client'],
      pathParameters: byId,
      requestBody: {
        description: 'One event of the process type of this process, as for `POST …/events`.',
        schema: { anyOf: types.map((doc) => doc.eventBody) },
        examples: eventExamples,
      },
      responses: {
        200: { description: 'What the event would do.', schema: eventPreview },
        ...writeResponses(`${PROCESS}/events/preview`),
        ...securedResponses(`${PROCESS}/events/preview`),
        403: forbiddenResponse(
          'REGISTRATION_APPROVED is sent by the back office, not with this API key',
          `${PROCESS}/events/preview`,
        ),
        404: processNotFound(`${PROCESS}/events/preview`),
        409: problemResponse(
          'The process would not take this event now (or has ended); `allowedEvents` lists what it takes.',
          problemExample(
            409,
            'event-not-allowed',
            'Event DEVICE_ACTIVATED is not allowed in state registration.invited',
            `${PROCESS}/events/preview`,
            { allowedEvents: ['REGISTRATION_STARTED', 'INVITATION_RESENT', 'INVITATION_REVOKED'] },
          ),
        ),
        422: validationResponse(
          'Unknown event type, or the payload fails its schema; `errors` names every field.',
          'The event is invalid',
          [{ path: 'pin', message: 'Die PIN muss aus genau 6 Ziffern bestehen.' }],
          `${PROCESS}/events/preview`,
        ),
      },
    },
    {
      method: 'delete',
      path: '/api/v1/processes/{id}',
      operationId: 'cancelProcess',
      tag: 'Processes',
      summary: 'Cancel a process',
      description:
        'An operator cancels a running process, with a reason for the audit trail. Its timers ' +
        'stop; it answers its final view, `status: cancelled`.',
      security: 'apiKey',
      roles: ['admin', 'operator'],
      pathParameters: byId,
      requestBody: {
        schema: cancelBody,
        example: { reason: 'Doppelt angelegt, siehe Vorgang invitation-4711.' },
      },
      responses: {
        200: {
          description: 'Cancelled; the final view.',
          schema: processView,
          example: {
            ...processViewExample,
            status: 'cancelled',
            allowedEvents: [],
            timers: [],
            step: 2,
            updatedAt: '2026-11-24T09:30:00.000Z',
          },
        },
        ...writeResponses(PROCESS),
        ...securedResponses(PROCESS),
        403: forbiddenResponse('This needs an API key of role admin or operator', PROCESS),
        404: processNotFound(PROCESS),
        409: ended(PROCESS),
        422: validationResponse(
          'No reason, or one longer than 500 characters.',
          'The request body is invalid',
          [{ path: 'reason', message: 'Too small: expected string to have >=1 characters' }],
          PROCESS,
        ),
      },
    },
    {
      method: 'post',
      path: '/api/v1/processes/{id}/retry',
      operationId: 'retryIncident',
      tag: 'Processes',
      summary: 'Retry a failed action',
      description:
        'An effect (an email, an SMS, a letter) that used up its retries leaves the process with ' +
        'an `incident` ("Benachrichtigung fehlgeschlagen"); it waits, events queued, until an ' +
        'operator retries. The retry runs the same action under the same idempotency key, so a ' +
        'message the gateway had accepted is not sent twice. Answers the view at once; the ' +
        '`incident` clears when the action succeeds.',
      security: 'apiKey',
      roles: ['admin', 'operator'],
      pathParameters: byId,
      responses: {
        200: {
          description: 'Retry started; the view as it was.',
          schema: processView,
          example: processViewExample,
        },
        ...writeResponses(PROCESS),
        ...securedResponses(PROCESS),
        403: forbiddenResponse('This needs an API key of role admin or operator', PROCESS),
        404: processNotFound(PROCESS),
        409: problemResponse(
          'Nothing to retry: the process has no incident, or it has ended.',
          problemExample(
            409,
            'event-not-allowed',
            'The process has no failed action to retry',
            PROCESS,
            {
              allowedEvents: ['REGISTRATION_STARTED', 'INVITATION_RESENT', 'INVITATION_REVOKED'],
            },
          ),
        ),
      },
    },
    {
      method: 'post',
      path: '/api/v1/processes/{id}/children/{childId}/retry',
      operationId: 'retryChildIncident',
      tag: 'Processes',
      summary: "Retry a child machine's failed action",
      description:
        'A child machine the process runs now (see `children`) whose named action used up its ' +
        'retries shows an `incident` in `GET /api/v1/processes/{id}`; it waits until an ' +
        'operator retries, as a process does. The retry goes to the child, which runs the same ' +
        "action under the same idempotency key. Answers the process's view; the child's " +
        '`incident` clears when the action succeeds.',
      security: 'apiKey',
      roles: ['admin', 'operator'],
      pathParameters: byChild,
      responses: {
        200: { description: "Retry started; the process's view.", schema: processView },
        ...writeResponses(`${PROCESS}/children/check/retry`),
        ...securedResponses(`${PROCESS}/children/check/retry`),
        403: forbiddenResponse(
          'This needs an API key of role admin or operator',
          `${PROCESS}/children/check/retry`,
        ),
        404: notFoundResponse(
          'No such process, not one of the practices of this client key, or no child machine ' +
            'of this id runs now.',
          `Process ${EXAMPLE_ID} runs no child machine check`,
          `${PROCESS}/children/check/retry`,
        ),
        409: problemResponse(
          'Nothing to retry: the child has no incident, or it has ended.',
          problemExample(
            409,
            'event-not-allowed',
            'The process has no failed action to retry',
            `${PROCESS}/children/check/retry`,
            { allowedEvents: ['HURRY'] },
          ),
        ),
      },
    },
    {
      method: 'post',
      path: '/api/v1/processes/{id}/timers/{name}/fire',
      operationId: 'fireTimer',
      tag: 'Processes',
      summary: 'Fire a timer now',
      description:
        'An operator fires a running timer now: the process takes its event as if it were due ' +
        '(a reminder goes out, a deadline passes), in the name of the operator, with the reason ' +
        'in the audit trail. Other timers keep their due times.',
      security: 'apiKey',
      roles: ['admin', 'operator'],
      pathParameters: byTimer,
      requestBody: { description: 'Why, for the audit trail.', schema: timerFireBody },
      responses: {
        200: { description: 'The view after the step of the timer.', schema: processView },
        ...timerResponses(`${PROCESS}/timers/invitationReminder/fire`),
      },
    },
    {
      method: 'post',
      path: '/api/v1/processes/{id}/timers/{name}/move',
      operationId: 'moveTimer',
      tag: 'Processes',
      summary: 'Move a timer',
      description:
        'An operator moves the due time of a running timer (a deadline extended, a reminder ' +
        'sent earlier): one audited step with the reason and the new due time; the state ' +
        'stays. A due time in the past fires the timer at once.',
      security: 'apiKey',
      roles: ['admin', 'operator'],
      pathParameters: byTimer,
      requestBody: { description: 'The new due time and why.', schema: timerMoveBody },
      responses: {
        200: { description: 'The view with the moved timer.', schema: processView },
        ...timerResponses(`${PROCESS}/timers/invitationReminder/move`),
      },
    },
    {
      method: 'get',
      path: '/api/v1/processes/{id}/history',
      operationId: 'getHistory',
      tag: 'Processes',
      summary: 'Audit trail of a process',
      description:
        'Every step from the read model: event, who sent it (API key id, `timer`, `system`), ' +
        'from which state to which, and when; oldest first.',
      security: 'apiKey',
      pathParameters: byId,
      responses: {
        200: { description: 'The audit trail.', schema: history },
        ...securedResponses(`${PROCESS}/history`),
        404: processNotFound(`${PROCESS}/history`),
      },
    },
    ...migrationOperations,
    ...bulkActionOperations,
    ...webhookOperations,
    ...eventStreamOperations,
    ...practiceOperations,
    ...documentOperations,
    ...dashboardOperations,
    ...publicOperations,
    ...referenceOperations,
  ];
}
