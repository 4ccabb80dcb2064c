import { z } from 'zod';
import {
  bulkActionBody,
  bulkActionResource,
  bulkIdParameter,
  bulkItem,
  bulkItemsQuery,
  bulkPreview,
} from '../bulk-action-schemas.js';
import {
  forbiddenResponse,
  notFoundResponse,
  problemExample,
  problemResponse,
  securedResponses,
  validationResponse,
  writeResponses,
} from './responses.js';
import type { OperationSpec } from './spec.js';

const BULK = '/api/v1/bulk-actions';
const ONE = `${BULK}/ba_Xq3v9LmT0aBcDeFg`;
const byBulk = z.object({ id: bulkIdParameter });
const operatorsOnly = (instance: string) =>
  forbiddenResponse('This needs an API key of role admin or operator', instance);
const noSuchBulk = (instance: string) =>
  notFoundResponse('No such bulk action.', 'No bulk action ba_Xq3v9LmT0aBcDeFg', instance);

const REQUEST_EXAMPLES = {
  event: {
    summary: 'Resend every invitation still waiting',
    value: {
      filter: { type: 'invitation', state: 'invited' },
      action: { kind: 'event', event: { type: 'INVITATION_RESENT' } },
    },
  },
  cancel: {
    summary: 'Cancel the overdue invitations of one practice',
    value: {
      filter: { type: 'invitation', practiceId: 'BSNR-123456789', overdue: 'true' },
      action: { kind: 'cancel', reason: 'Praxis geschlossen, Einladungen hinfällig.' },
      ratePerSecond: 10,
    },
  },
  retry: {
    summary: 'Retry every incident',
    value: { filter: { incident: 'true' }, action: { kind: 'retry' } },
  },
  fireTimer: {
    summary: 'Send the reminders today',
    value: {
      filter: { type: 'invitation', state: 'invited' },
      action: {
        kind: 'fireTimer',
        timer: 'invitationReminder',
        reason: 'Erinnerungen vor dem Quartalsende.',
      },
    },
  },
  migrate: {
    summary: 'Move the running version-1 invitations to version 2',
    value: {
      filter: { type: 'invitation', version: '1', status: 'active' },
      action: {
        kind: 'migrate',
        toVersion: 2,
        reason: 'Neue Version: die Erinnerung gilt im ganzen Registrierungsfenster.',
      },
    },
  },
};

const JOB_EXAMPLE = {
  id: 'ba_Xq3v9LmT0aBcDeFg',
  status: 'running',
  action: { kind: 'event', event: { type: 'INVITATION_RESENT' } },
  filter: { type: 'invitation', state: 'invited' },
  actor: 'key_3f9a1c',
  ratePerSecond: 20,
  total: 240,
  counts: { pending: 180, done: 52, refused: 8, failed: 0, skipped: 0 },
  createdAt: '2026-12-03T09:14:03.000Z',
  finishedAt: null,
};

const invalidBulk = (instance: string) =>
  validationResponse(
    'Not a bulk action: an unknown filter or action, an event the type does not have or with ' +
      'secret fields, an event or timer without `filter.type`, a filter that selects nothing ' +
      '(create) or more than 10,000 processes.',
    'The bulk action is invalid',
    [{ path: 'filter.type', message: 'Required for an event or a timer: they differ by type' }],
    instance,
  );

/** Bulk actions: one action for many processes, previewed, then run as a durable job. */
export const bulkActionOperations: readonly OperationSpec[] = [
  {
    method: 'post',
    path: `${BULK}/preview`,
    operationId: 'previewBulkAction',
    tag: 'Bulk actions',
    summary: 'Preview a bulk action',
    description:
      'How many processes the filter selects, how many the action fits now, and which would ' +
      'refuse and why (grouped), from the read model: nothing is written, nothing is sent. ' +
      'Validated like the real request.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    requestBody: { schema: bulkActionBody, examples: REQUEST_EXAMPLES },
    responses: {
      200: {
        description: 'What the bulk action would do.',
        schema: bulkPreview,
        example: {
          matched: 240,
          willAct: 232,
          willRefuse: 8,
          refusals: [
            {
              code: 'ended',
              reason: 'The process has ended (done)',
              count: 8,
              sample: ['invitation-8d3c1f0a9b7e4c2d8f6a1b3c5d7e9f01'],
            },
          ],
          sample: ['invitation-1a2b3c4d5e6f708192a3b4c5d6e7f809'],
        },
      },
      ...writeResponses(`${BULK}/preview`),
      ...securedResponses(`${BULK}/preview`),
      403: operatorsOnly(`${BULK}/preview`),
      422: invalidBulk(`${BULK}/preview`),
    },
  },
  {
    method: 'post',
    path: BULK,
    operationId: 'startBulkAction',
    tag: 'Bulk actions',
    summary: 'Start a bulk action',
    description:
      'Fixes the processes the filter selects now and starts a durable job on Temporal that ' +
      'acts on each, no faster than `ratePerSecond`, through the same updates as a single ' +
      'request: each process’s audit names the bulk action. Those the read model shows the ' +
      'action does not fit are recorded refused at once. Accepted at once; follow it at ' +
      '`Location`.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    requestBody: { schema: bulkActionBody, examples: REQUEST_EXAMPLES },
    responses: {
      202: {
        description: 'The bulk action, started.',
        schema: bulkActionResource,
        example: JOB_EXAMPLE,
        headers: {
          Location: { description: 'The bulk action.', schema: { type: 'string' } },
        },
      },
      ...writeResponses(BULK),
      ...securedResponses(BULK),
      403: operatorsOnly(BULK),
      422: invalidBulk(BULK),
    },
  },
  {
    method: 'get',
    path: BULK,
    operationId: 'listBulkActions',
    tag: 'Bulk actions',
    summary: 'List bulk actions',
    description: 'The latest 50 bulk actions, newest first, with their progress.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    responses: {
      200: {
        description: 'The bulk actions.',
        schema: z.object({ items: z.array(bulkActionResource) }),
        example: { items: [JOB_EXAMPLE] },
      },
      ...securedResponses(BULK),
      403: operatorsOnly(BULK),
    },
  },
  {
    method: 'get',
    path: `${BULK}/{id}`,
    operationId: 'getBulkAction',
    tag: 'Bulk actions',
    summary: 'A bulk action and its progress',
    description: 'Its status and how many processes are pending, done, refused, failed, skipped.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    pathParameters: byBulk,
    responses: {
      200: { description: 'The bulk action.', schema: bulkActionResource, example: JOB_EXAMPLE },
      ...securedResponses(ONE),
      403: operatorsOnly(ONE),
      404: noSuchBulk(ONE),
    },
  },
  {
    method: 'get',
    path: `${BULK}/{id}/items`,
    operationId: 'listBulkActionItems',
    tag: 'Bulk actions',
    summary: 'The result per process',
    description:
      'Each process of the bulk action in order: pending, done (the state it reached), refused ' +
      'or failed (why), skipped (after a cancel). Paged by `after`.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    pathParameters: byBulk,
    queryParameters: bulkItemsQuery,
    responses: {
      200: {
        description: 'One page of results.',
        schema: z.object({ items: z.array(bulkItem), nextAfter: z.number().int().nullable() }),
        example: {
          items: [
            {
              position: 0,
              processId: 'invitation-8d3c1f0a9b7e4c2d8f6a1b3c5d7e9f01',
              status: 'done',
              outcome: { state: 'registration.invited', stateLabel: 'Eingeladen' },
              finishedAt: '2026-12-03T09:14:04.000Z',
            },
          ],
          nextAfter: null,
        },
      },
      ...securedResponses(`${ONE}/items`),
      403: operatorsOnly(`${ONE}/items`),
      404: noSuchBulk(`${ONE}/items`),
      422: validationResponse(
        'An unknown parameter or status.',
        'The query is invalid',
        [{ path: 'status', message: 'Invalid option' }],
        `${ONE}/items`,
      ),
    },
  },
  {
    method: 'post',
    path: `${BULK}/{id}/cancel`,
    operationId: 'cancelBulkAction',
    tag: 'Bulk actions',
    summary: 'Cancel a bulk action',
    description:
      'No further process is acted on; those in flight finish and keep their result (pending ' +
      'until then), the others are skipped.',
    security: 'apiKey',
    roles: ['admin', 'operator'],
    pathParameters: byBulk,
    responses: {
      200: {
        description: 'The bulk action, cancelled.',
        schema: bulkActionResource,
        example: { ...JOB_EXAMPLE, status: 'cancelled' },
      },
      ...writeResponses(`${ONE}/cancel`),
      ...securedResponses(`${ONE}/cancel`),
      403: operatorsOnly(`${ONE}/cancel`),
      404: noSuchBulk(`${ONE}/cancel`),
      409: problemResponse(
        'The bulk action has ended already.',
        problemExample(
          409,
          'bulk-action-ended',
          'Bulk action ba_Xq3v9LmT0aBcDeFg has ended (done)',
          `${ONE}/cancel`,
        ),
      ),
    },
  },
];
