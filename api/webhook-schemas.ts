/** The request and answer shapes of the webhooks (`/api/v1/webhooks`). */
import { z } from 'zod';
import { DELIVERY_STATUSES, WEBHOOK_EVENT_TYPES } from '../db/webhooks.js';
import { processTypes } from '../machines/registry.js';

const eventType = z.enum(WEBHOOK_EVENT_TYPES).meta({
  id: 'WebhookEventType',
  description:
    '`process.started`: a process began; `process.transitioned`: a step moved it into another ' +
    'state; `process.ended`: it is done, cancelled or failed; `process.incident`: an effect ' +
    'used up its retries and waits for an operator; `message.failed`: an attempt to send a ' +
    'message (email, SMS, fax, letter) failed.',
});

export const webhookBody = z
  .strictObject({
    url: z
      .string()
      .min(1)
      .max(2000)
      .meta({
        description:
          'Where the events are POSTed: `https` (plain `http` only to localhost in development). ' +
          'Its host must resolve to public addresses only.',
        examples: ['https://portal.example.org/praxisflow/webhooks'],
      }),
    events: z
      .array(eventType)
      .min(1)
      .max(WEBHOOK_EVENT_TYPES.length * 2)
      .meta({ description: 'The event types to receive (at least one).' }),
    processTypes: z
      .array(
        z.string().refine((type) => processTypes().includes(type), {
          error: 'not a process type (see GET /api/v1/machines)',
        }),
      )
      .max(50)
      .default([])
      .meta({ description: 'Only processes of these types; absent or empty: all.' }),
  })
  .meta({
    id: 'WebhookRequest',
    description: 'A subscription: where to, which events, of which processes.',
    examples: [
      {
        url: 'https://portal.example.org/praxisflow/webhooks',
        events: ['process.transitioned', 'process.ended'],
        processTypes: ['invitation'],
      },
    ],
  });

export const webhookResource = z
  .object({
    id: z.string(),
    url: z.string(),
    events: z.array(eventType),
    processTypes: z.array(z.string()),
    apiKeyId: z.string().meta({ description: 'The API key that owns it.' }),
    createdAt: z.string(),
    previousSecretExpiresAt: z.string().nullable().meta({
      description: 'Until when the secret before the last rotation still signs, or null.',
    }),
    deliveries: z.object({
      pending: z.number().int(),
      failed: z.number().int().meta({
        description: 'Deliveries whose attempts are used up: list and redeliver them.',
      }),
    }),
  })
  .meta({
    id: 'Webhook',
    description: 'A webhook subscription. Its secret is shown only when made or rotated.',
  });

export const webhookWithSecret = webhookResource
  .extend({
    secret: z.string().meta({
      description:
        'The signing secret (`whsec_…`), shown this once: verify each delivery with it, e.g. ' +
        'with the `standardwebhooks` package.',
    }),
  })
  .meta({ id: 'WebhookWithSecret', description: 'A subscription with its new secret.' });

export const webhookDelivery = z
  .object({
    id: z.string(),
    eventId: z.string().meta({ description: 'The `webhook-id` of every attempt.' }),
    eventType: eventType,
    processId: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    lastStatus: z.number().int().nullable().meta({
      description: 'The receiver’s HTTP status of the last attempt; null when none came.',
    }),
    lastError: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({
    id: 'WebhookDelivery',
    description: 'One event for one subscription, and its attempts.',
  });

export const deliveriesQuery = z.strictObject({
  status: z
    .enum(DELIVERY_STATUSES)
    .optional()
    .meta({ description: 'Only the deliveries with this status.' }),
  limit: z.coerce.number().int().min(1).max(500).default(100).meta({ description: 'How many.' }),
});

const ID_PATTERN = /^wh_[A-Za-z0-9_-]{16,40}$/;

export const webhookIdParameter = z
  .string()
  .regex(ID_PATTERN)
  .meta({ description: 'Webhook id.', examples: ['wh_5Tq0vXb3Lm9sKd2PaZr8'] });

export const deliveryIdParameter = z
  .string()
  .regex(/^whd_[0-9a-f]{32}$/)
  .meta({ description: 'Delivery id.', examples: ['whd_3f1c9a2b7d6e4f508a1b2c3d4e5f6a7b'] });
