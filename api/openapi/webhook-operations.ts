import { z } from 'zod';
import {
  deliveriesQuery,
  deliveryIdParameter,
  webhookBody,
  webhookDelivery,
  webhookIdParameter,
  webhookResource,
  webhookWithSecret,
} from '../webhook-schemas.js';
import {
  notFoundResponse,
  securedResponses,
  validationResponse,
  writeResponses,
} from './responses.js';
import type { OperationSpec } from './spec.js';

const HOOKS = '/api/v1/webhooks';
const ONE = `${HOOKS}/wh_5Tq0vXb3Lm9sKd2PaZr8`;
const DELIVERY = `${ONE}/deliveries/whd_3f1c9a2b7d6e4f508a1b2c3d4e5f6a7b`;
const byHook = z.object({ id: webhookIdParameter });
const byDelivery = z.object({ id: webhookIdParameter, deliveryId: deliveryIdParameter });
const noSuchHook = (instance: string) =>
  notFoundResponse(
    'No such webhook, or another API key’s.',
    'No webhook wh_5Tq0vXb3Lm9sKd2PaZr8',
    instance,
  );

const HOOK_EXAMPLE = {
  id: 'wh_5Tq0vXb3Lm9sKd2PaZr8',
  url: 'https://portal.example.org/praxisflow/webhooks',
  events: ['process.transitioned', 'process.ended'],
  processTypes: ['invitation'],
  apiKeyId: 'key_3f9a1cbd2e',
  createdAt: '2026-12-03T09:14:03.000Z',
  previousSecretExpiresAt: null,
  deliveries: { pending: 0, failed: 2 },
};
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const DELIVERY_EXAMPLE = {
  id: 'whd_3f1c9a2b7d6e4f508a1b2c3d4e5f6a7b',
  eventId: 'evt_9b2f4c1d8e7a6b5c4d3e2f1a0b9c8d7e',
  eventType: 'process.transitioned',
  processId: 'invitation-4711',
  status: 'failed',
  attempts: 12,
  nextAttemptAt: null,
  lastAttemptAt: '2026-12-04T17:40:11.000Z',
  lastStatus: 503,
  lastError: 'HTTP 503',
  deliveredAt: null,
  createdAt: '2026-12-03T09:14:03.000Z',
};

const DESCRIPTION =
  'Each event is POSTed as JSON `{ id, type, timestamp, data }` (`data`: process id, type, ' +
  'version, practice, step, event, from/to state, German label, status; never the context), ' +
  'signed per Standard Webhooks (`webhook-id` = the event id, the same on every attempt, ' +
  '`webhook-timestamp`, `webhook-signature`). A 2xx answer within 10 s delivers it; otherwise ' +
  'it is retried with backoff for more than 24 h, then shown as failed. The events of one ' +
  'process arrive in order. A client key receives only its practices’ processes.';

/** Webhooks: subscriptions per API key, their deliveries, rotation of their secret. */
export const webhookOperations: readonly OperationSpec[] = [
  {
    method: 'post',
    path: HOOKS,
    operationId: 'createWebhook',
    tag: 'Webhooks',
    summary: 'Subscribe to process events',
    description: `${DESCRIPTION} The answer shows the signing secret this once.`,
    security: 'apiKey',
    requestBody: {
      schema: webhookBody,
      examples: {
        transitions: {
          summary: 'Every state change of invitations',
          value: {
            url: 'https://portal.example.org/praxisflow/webhooks',
            events: ['process.transitioned', 'process.ended'],
            processTypes: ['invitation'],
          },
        },
        incidents: {
          summary: 'Incidents and failed messages of every process',
          value: {
            url: 'https://ops.example.org/hooks/praxisflow',
            events: ['process.incident', 'message.failed'],
          },
        },
      },
    },
    responses: {
      201: {
        description: 'The subscription, with its secret (shown only now).',
        schema: webhookWithSecret,
        example: { ...HOOK_EXAMPLE, deliveries: { pending: 0, failed: 0 }, secret: SECRET },
        headers: { Location: { description: 'The webhook.', schema: { type: 'string' } } },
      },
      ...writeResponses(HOOKS),
      ...securedResponses(HOOKS),
      422: validationResponse(
        'Not a subscription: no or an unknown event type, an unknown process type, a URL that ' +
          'is not https, that carries credentials, or whose host resolves to a private, ' +
          'loopback, link-local or unique-local address (SSRF protection).',
        'The webhook URL is refused: 10.0.0.1 is a private address; not allowed as a webhook target (SSRF protection)',
        [
          {
            path: 'url',
            message:
              '10.0.0.1 is a private address; not allowed as a webhook target (SSRF protection)',
          },
        ],
        HOOKS,
      ),
    },
  },
  {
    method: 'get',
    path: HOOKS,
    operationId: 'listWebhooks',
    tag: 'Webhooks',
    summary: 'List webhooks',
    description: 'The API key’s own subscriptions (an admin key: all), newest first; no secrets.',
    security: 'apiKey',
    responses: {
      200: {
        description: 'The subscriptions.',
        schema: z.object({ items: z.array(webhookResource) }),
        example: { items: [HOOK_EXAMPLE] },
      },
      ...securedResponses(HOOKS),
    },
  },
  {
    method: 'get',
    path: `${HOOKS}/{id}`,
    operationId: 'getWebhook',
    tag: 'Webhooks',
    summary: 'A webhook',
    description: 'The subscription, with how many deliveries are pending and failed.',
    security: 'apiKey',
    pathParameters: byHook,
    responses: {
      200: { description: 'The subscription.', schema: webhookResource, example: HOOK_EXAMPLE },
      ...securedResponses(ONE),
      404: noSuchHook(ONE),
    },
  },
  {
    method: 'delete',
    path: `${HOOKS}/{id}`,
    operationId: 'deleteWebhook',
    tag: 'Webhooks',
    summary: 'Unsubscribe',
    description: 'Removes the subscription and its deliveries: pending ones are not sent.',
    security: 'apiKey',
    pathParameters: byHook,
    responses: {
      204: { description: 'Removed.' },
      429: writeResponses(ONE)[429]!,
      ...securedResponses(ONE),
      404: noSuchHook(ONE),
    },
  },
  {
    method: 'post',
    path: `${HOOKS}/{id}/rotate-secret`,
    operationId: 'rotateWebhookSecret',
    tag: 'Webhooks',
    summary: 'Rotate the signing secret',
    description:
      'A new secret, shown this once. For 24 h every delivery carries two signatures (the new ' +
      'and the previous secret’s, separated by a space), so the receiver can switch meanwhile.',
    security: 'apiKey',
    pathParameters: byHook,
    responses: {
      200: {
        description: 'The subscription with its new secret.',
        schema: webhookWithSecret,
        example: {
          ...HOOK_EXAMPLE,
          previousSecretExpiresAt: '2026-12-04T09:14:03.000Z',
          secret: SECRET,
        },
      },
      ...writeResponses(`${ONE}/rotate-secret`),
      ...securedResponses(`${ONE}/rotate-secret`),
      404: noSuchHook(`${ONE}/rotate-secret`),
    },
  },
  {
    method: 'get',
    path: `${HOOKS}/{id}/deliveries`,
    operationId: 'listWebhookDeliveries',
    tag: 'Webhooks',
    summary: 'Deliveries of a webhook',
    description:
      'Its deliveries, newest first: pending (with the next attempt), delivered, or failed ' +
      '(every attempt used up; redeliver them). Delivered and failed ones are kept 30 days ' +
      '(the worker setting PRAXISFLOW_WEBHOOKS_RETENTION).',
    security: 'apiKey',
    pathParameters: byHook,
    queryParameters: deliveriesQuery,
    queryExamples: { status: 'failed' },
    responses: {
      200: {
        description: 'The deliveries.',
        schema: z.object({ items: z.array(webhookDelivery) }),
        example: { items: [DELIVERY_EXAMPLE] },
      },
      ...securedResponses(`${ONE}/deliveries`),
      404: noSuchHook(`${ONE}/deliveries`),
      422: validationResponse(
        'An unknown status or a limit out of range.',
        'The query is invalid',
        [
          {
            path: 'status',
            message: 'Invalid option: expected one of "pending"|"delivered"|"failed"',
          },
        ],
        `${ONE}/deliveries`,
      ),
    },
  },
  {
    method: 'post',
    path: `${HOOKS}/{id}/deliveries/{deliveryId}/redeliver`,
    operationId: 'redeliverWebhook',
    tag: 'Webhooks',
    summary: 'Deliver again',
    description:
      'Puts a failed (or delivered) delivery back in line with a fresh set of attempts: the ' +
      'same event id, the same body. A pending one stays as it is.',
    security: 'apiKey',
    pathParameters: byDelivery,
    responses: {
      200: {
        description: 'The delivery, pending again.',
        schema: webhookDelivery,
        example: {
          ...DELIVERY_EXAMPLE,
          status: 'pending',
          attempts: 0,
          nextAttemptAt: '2026-12-05T08:00:00.000Z',
        },
      },
      ...writeResponses(`${DELIVERY}/redeliver`),
      ...securedResponses(`${DELIVERY}/redeliver`),
      404: notFoundResponse(
        'No such webhook or delivery.',
        'No delivery whd_3f1c9a2b7d6e4f508a1b2c3d4e5f6a7b of webhook wh_5Tq0vXb3Lm9sKd2PaZr8',
        `${DELIVERY}/redeliver`,
      ),
    },
  },
];
