import { Router, type RequestHandler, type Response } from 'express';
import type { EventFilter, EventWakeups, ProcessEventLog } from '../../db/process-events.js';
import { ROLES, type Caller } from '../api-keys.js';
import { callerOf, practiceScope } from '../auth.js';
import { AppError } from '../errors.js';
import { eventStreamQuery, lastEventIdHeader } from '../event-stream-schemas.js';
import { parseOrThrow } from '../validation.js';

export interface EventStreamDeps {
  readonly log: ProcessEventLog;
  readonly wakeups: EventWakeups;
  /** The API key check of every route, for a stream opened without a token. */
  readonly authenticate: RequestHandler;
  /** Open streams per API key in this process (default 5). */
  readonly maxStreamsPerKey?: number;
}

const HEARTBEAT_MS = 15_000;
const RECONNECT_MS = 3_000;
const PAGE = 500;

const frame = (id: number, event: string, data: unknown): string =>
  `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

async function callerByToken(log: ProcessEventLog, token: string): Promise<Caller> {
  const holder = await log.redeemToken(token);
  const role = ROLES.find((known) => known === holder?.role);
  if (!holder || !role) {
    throw new AppError('unauthorized', 401, 'The stream token is unknown, used or expired');
  }
  return { keyId: holder.keyId, role, practices: holder.practices };
}

/** A token, or else the API key: who opens the stream. */
function streamCaller(deps: EventStreamDeps): RequestHandler {
  return async (req, res, next) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    if (token === undefined) return deps.authenticate(req, res, next);
    req.caller = await callerByToken(deps.log, token);
    next();
  };
}

/**
 * Writes the events after `after` as they are recorded: the backlog page by page, then each
 * wake-up (a notification or the heartbeat) reads from the last one sent, so every event is
 * written once, in order, whatever notifications are lost or merged.
 */
async function pump(
  res: Response,
  deps: EventStreamDeps,
  filter: EventFilter,
  start: { after: number; limit?: number; timeoutS?: number },
): Promise<void> {
  let last = start.after;
  let sent = 0;
  let running = false;
  let again = false;
  let closed = false;

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    if (deadline) clearTimeout(deadline);
    unsubscribe();
    res.end();
  };

  const drain = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        for (;;) {
          const page = await deps.log.after(last, filter, PAGE);
          for (const event of page) {
            if (closed) return;
            if (!res.write(frame(event.seq, event.type, event.payload))) {
              await new Promise((resolve) => res.once('drain', resolve));
            }
            last = event.seq;
            sent += 1;
            if (start.limit !== undefined && sent >= start.limit) return close();
          }
          if (page.length < PAGE) break;
        }
      } while (again && !closed);
    } catch (error) {
      // The client reconnects with its Last-Event-ID and misses nothing.
      console.error('api: event stream:', error instanceof Error ? error.message : error);
      close();
    } finally {
      running = false;
    }
  };

  const wake = (): void => void drain();
  const unsubscribe = deps.wakeups.subscribe(wake);
  const heartbeat = setInterval(() => {
    res.write(': heartbeat\n\n');
    wake();
  }, HEARTBEAT_MS);
  const deadline =
    start.timeoutS === undefined ? undefined : setTimeout(close, start.timeoutS * 1000);
  res.on('close', close);
  await drain();
}

/** The live stream of process events (Server-Sent Events), by API key or stream token. */
export function eventStreamRoutes(deps: EventStreamDeps): Router {
  const router = Router();
  const maxStreams = deps.maxStreamsPerKey ?? 5;
  const open = new Map<string, number>();

  router.get('/events/stream', streamCaller(deps), async (req, res) => {
    const caller = callerOf(req);
    const query = parseOrThrow(eventStreamQuery, req.query, 'The query');
    const header = req.get('last-event-id');
    const resumeFrom =
      header === undefined
        ? query.lastEventId
        : parseOrThrow(lastEventIdHeader, header, 'The Last-Event-ID header');
    let after: number;
    let gap: unknown;
    if (resumeFrom === undefined) {
      after = await deps.log.newest();
    } else {
      after = Number(resumeFrom);
      const pruned = await deps.log.prunedThrough();
      if (after < pruned) {
        gap = {
          lastEventId: after,
          resumesAfter: pruned,
          detail:
            `The events after ${after} up to ${pruned} are older than the retention of ` +
            '7 days and deleted: they are not sent. Reload the state of the processes ' +
            '(GET /api/v1/processes), then follow the stream.',
        };
        after = pruned;
      }
    }

    // Gone while the start was looked up: nothing to hold open, nothing to count.
    if (!res.socket || res.socket.destroyed) return;
    const streams = open.get(caller.keyId) ?? 0;
    if (streams >= maxStreams) {
      throw new AppError(
        'too-many-streams',
        429,
        `This API key has ${maxStreams} event streams open already; close one first`,
        {},
        RECONNECT_MS / 1000,
      );
    }
    open.set(caller.keyId, streams + 1);
    res.on('close', () => {
      const left = (open.get(caller.keyId) ?? 1) - 1;
      if (left > 0) open.set(caller.keyId, left);
      else open.delete(caller.keyId);
    });

    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-store',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
    });
    res.flushHeaders();
    res.write(`retry: ${RECONNECT_MS}\n\n`);
    if (gap) res.write(frame(after, 'gap', gap));
    const practices = practiceScope(caller);
    await pump(
      res,
      deps,
      {
        ...(practices ? { practices } : {}),
        ...(query.types ? { types: query.types } : {}),
        ...(query.processType ? { processType: query.processType } : {}),
      },
      {
        after,
        ...(query.limit ? { limit: query.limit } : {}),
        ...(query.timeout ? { timeoutS: query.timeout } : {}),
      },
    );
  });

  return router;
}

/** Stream tokens, behind the API key like every other route. */
export function streamTokenRoutes(log: ProcessEventLog): Router {
  const router = Router();
  router.post('/events/stream-tokens', async (req, res) => {
    const caller = callerOf(req);
    res.status(201).json(await log.issueToken(caller));
  });
  return router;
}
