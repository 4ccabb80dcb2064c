/** The query and answer shapes of the live event stream (`/api/v1/events/stream`). */
import { z } from 'zod';
import { WEBHOOK_EVENT_TYPES } from '../db/webhooks.js';
import { processTypes } from '../machines/registry.js';

const eventTypeList = z
  .string()
  .max(200)
  .transform((value) => value.split(',').map((type) => type.trim()))
  .pipe(z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1));

const position = z.string().regex(/^\d{1,18}$/, 'a stream position: the id of an event');

export const eventStreamQuery = z.strictObject({
  types: eventTypeList.optional().meta({
    description: `Only these event types, comma-separated (${WEBHOOK_EVENT_TYPES.join(', ')}); absent: all.`,
    examples: ['process.started,process.transitioned'],
  }),
  processType: z
    .string()
    .refine((type) => processTypes().includes(type), {
      error: 'not a process type (see GET /api/v1/machines)',
    })
    .optional()
    .meta({ description: 'Only processes of this type.', examples: ['invitation'] }),
  lastEventId: position.optional().meta({
    description:
      'Resume after this event, as the `Last-Event-ID` header (which wins when both are sent).',
  }),
  token: z
    .string()
    .max(100)
    .optional()
    .meta({
      description:
        'A stream token (`POST /api/v1/events/stream-tokens`) instead of the API key, for a ' +
        'browser’s EventSource, which cannot send headers. Valid once, for 60 s.',
    }),
  limit: z.coerce.number().int().min(1).max(10_000).optional().meta({
    description: 'End the stream after this many events (absent: no end).',
  }),
  timeout: z.coerce.number().int().min(1).max(3600).optional().meta({
    description: 'End the stream after this many seconds (absent: no end).',
  }),
});

export const lastEventIdHeader = position;

export const processEventPayload = z
  .object({
    id: z.string().meta({ description: 'The event’s id, the same as a webhook’s `webhook-id`.' }),
    type: z.enum(WEBHOOK_EVENT_TYPES),
    timestamp: z.string().meta({ description: 'When it happened (ISO 8601, UTC).' }),
    data: z
      .object({
        processId: z.string(),
        processType: z.string(),
        version: z.number().int(),
        practiceId: z.string().nullable(),
        step: z.number().int(),
        event: z.string().optional(),
        from: z.string().nullable(),
        to: z.string(),
        toLabel: z.string().meta({ description: 'The German label of the state it is in.' }),
        status: z.string(),
      })
      .loose(),
  })
  .meta({
    id: 'ProcessEvent',
    description:
      'One process event, the `data:` of a stream event and the body of a webhook: never the ' +
      'process’s context, never personal data.',
  });

export const streamToken = z
  .object({
    token: z.string().meta({ description: 'Pass as `?token=` to GET /api/v1/events/stream.' }),
    expiresAt: z.string().meta({ description: 'Valid until then (60 s), for one connection.' }),
  })
  .meta({ id: 'EventStreamToken', description: 'A one-use token for one event stream.' });
