import { eventStreamQuery, streamToken } from '../event-stream-schemas.js';
import {
  problemExample,
  problemResponse,
  retryAfterHeader,
  securedResponses,
  validationResponse,
  writeResponses,
} from './responses.js';
import type { OperationSpec } from './spec.js';

const STREAM = '/api/v1/events/stream';
const TOKENS = '/api/v1/events/stream-tokens';

const STREAM_EXAMPLE =
  'retry: 3000\n\n' +
  'id: 4711\nevent: process.started\ndata: {"id":"evt_1f0c…","type":"process.started",' +
  '"timestamp":"2026-12-03T09:14:03.120Z","data":{"processId":"invitation-4711",' +
  '"processType":"invitation","version":3,"practiceId":"BSNR-123456789","step":1,' +
  '"event":"START","from":null,"to":"invited","toLabel":"Eingeladen","status":"active"}}\n\n' +
  ': heartbeat\n\n';

/** The live stream of process events and the tokens a browser opens it with. */
export const eventStreamOperations: readonly OperationSpec[] = [
  {
    method: 'get',
    path: STREAM,
    operationId: 'streamEvents',
    tag: 'Events',
    summary: 'Follow process events live (Server-Sent Events)',
    description:
      'The events of the webhooks as `text/event-stream`: each frame has `id:` (its position ' +
      'in one global, increasing order), `event:` (its type) and `data:` (a `ProcessEvent`: ' +
      'the same JSON a webhook receives). A client key sees only its practices’ processes. ' +
      'Without `Last-Event-ID` the stream begins with the next event; with it (header, or ' +
      '`lastEventId` for an EventSource that reconnects) it sends every event after that id ' +
      'first, then the new ones, each once and in order. Events are kept 7 days: an id older ' +
      'than that gets an event `gap` first (`{ lastEventId, resumesAfter, detail }`: the ' +
      'events in between are deleted; reload the processes), then the oldest kept. A comment ' +
      '`: heartbeat` comes every 15 s. At most 5 streams per API key at once. A browser, which ' +
      'cannot send the API key, passes a one-use `token` (POST /api/v1/events/stream-tokens).',
    security: 'apiKey',
    queryParameters: eventStreamQuery,
    // The documented call ends by itself.
    queryExamples: { timeout: 1 },
    responses: {
      200: {
        description: 'The stream; it ends only after `limit` events or `timeout` seconds.',
        contentType: 'text/event-stream',
        schema: {
          type: 'string',
          description: 'Server-Sent Events; each `data:` is a `ProcessEvent` (see the schemas).',
        },
        example: STREAM_EXAMPLE,
      },
      ...securedResponses(STREAM),
      422: validationResponse(
        'An unknown event or process type, a `Last-Event-ID` that is not an event id, or a ' +
          '`limit`/`timeout` out of range.',
        'The query is invalid',
        [{ path: 'types.0', message: 'Invalid option: expected one of "process.started"|…' }],
        STREAM,
      ),
      429: problemResponse(
        'This API key has 5 streams open already.',
        problemExample(
          429,
          'too-many-streams',
          'This API key has 5 event streams open already; close one first',
          STREAM,
        ),
        retryAfterHeader,
      ),
    },
  },
  {
    method: 'post',
    path: TOKENS,
    operationId: 'createEventStreamToken',
    tag: 'Events',
    summary: 'A token to open one event stream from a browser',
    description:
      'EventSource cannot send an `Authorization` header, and an API key never belongs in a ' +
      'URL: this token, passed as `?token=`, opens one stream within 60 s with the rights of ' +
      'this API key, and is used up by it.',
    security: 'apiKey',
    responses: {
      201: {
        description: 'The token.',
        schema: streamToken,
        example: {
          token: 'est_q0Zl3Vx8a1Tt2m9PbR4sKc7wYh5nE6dU',
          expiresAt: '2026-12-03T09:15:03.000Z',
        },
      },
      ...writeResponses(TOKENS),
      ...securedResponses(TOKENS),
    },
  },
];
