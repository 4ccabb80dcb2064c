import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from '../../observability/logger.js';
import { routeTemplateOf, trackRouteTemplate } from './route-template.js';

export {
  createLogger,
  logLevelSchema,
  type LogLevel,
  type Logger,
} from '../../observability/logger.js';

declare module 'express-serve-static-core' {
  interface Request {
    /** The request id, echoed as `X-Request-Id`; set by `requestContext`, mounted first. */
    id: string;
    /** A logger that stamps every line with the request id; set by `requestContext`. */
    log: Logger;
  }
}

/** What a client may choose as request id: no spaces, quotes or newlines to forge log lines. */
const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
const MAX_LOGGED_PATH = 512;

/**
 * Gives every request an id (the caller's `X-Request-Id` if it is well-formed, else a UUID),
 * echoes it, hangs a child logger on `req.log`, and writes one access line per request when it
 * ends. Mount it first, so that refusals by the body parser or auth get an id and a line too.
 *
 * Logged: method, route template, path, status, duration, request id and the API key id as
 * `actor`. Never logged: bodies, headers (the API key) and the query string (registration
 * tokens travel in it).
 */
export function requestContext(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    req.id = id;
    req.log = logger.child({ requestId: id });
    res.setHeader('X-Request-Id', id);
    trackRouteTemplate(req);
    const started = process.hrtime.bigint();

    // 'close' comes after 'finish', and also when the client hangs up first: one line either way.
    res.once('close', () => {
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      const aborted = !res.writableFinished;
      const line = {
        method: req.method,
        route: routeTemplateOf(req),
        path: (req.originalUrl.split('?', 1)[0] ?? '').slice(0, MAX_LOGGED_PATH),
        status: res.statusCode,
        durationMs: Math.round(durationMs * 10) / 10,
        ...(req.caller?.keyId ? { actor: req.caller.keyId } : {}),
        ...(aborted ? { aborted } : {}),
      };
      if (res.statusCode >= 500) req.log.error(line, 'request');
      else if (aborted) req.log.warn(line, 'request aborted by the client');
      else req.log.info(line, 'request');
    });
    next();
  };
}
