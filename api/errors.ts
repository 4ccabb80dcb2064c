import type { ErrorRequestHandler, RequestHandler } from 'express';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** The one error type of the API; the error middleware turns it into problem+json. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly detail: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    /** Seconds after which the client may try again (429, 503): sent as `Retry-After`. */
    readonly retryAfter?: number,
  ) {
    super(detail);
    this.name = 'AppError';
  }
}

/** 503 with `Retry-After`: nothing was done, and the same request may simply be sent again. */
export const tryAgainLater = (detail: string, retryAfter = 5): AppError =>
  new AppError('unavailable', 503, detail, {}, retryAfter);

/** A dependency (Temporal, Postgres) is down or overloaded: the client should come back. */
export const unavailable = (what: string, retryAfter = 5): AppError =>
  tryAgainLater(`${what} is not reachable right now; try again shortly`, retryAfter);

/** Postgres unreachable, restarting or refusing connections; not a bug in the request. */
function isDatabaseOutage(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (
      ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03'].includes(code)
    )
      return true;
    if (code.startsWith('08')) return true; // connection exceptions
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    )
  );
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const validationError = (detail: string, errors: readonly FieldError[]): AppError =>
  new AppError('validation-failed', 422, detail, { errors });

export const notFound = (detail: string): AppError => new AppError('not-found', 404, detail);

export const unknownRoute: RequestHandler = (req, _res, next) => {
  next(notFound(`No route ${req.method} ${req.path}`));
};

interface BodyParserError {
  readonly type?: string;
  readonly status?: number;
}

/** Anything thrown becomes RFC 9457 problem+json; unexpected errors are logged, never leaked. */
export const problemHandler: ErrorRequestHandler = (error: unknown, req, res, _next) => {
  let problem: AppError;
  if (error instanceof AppError) {
    problem = error;
  } else if ((error as BodyParserError).type === 'entity.parse.failed') {
    problem = new AppError('malformed-json', 400, 'The request body is not valid JSON');
  } else if ((error as BodyParserError).type === 'entity.too.large') {
    problem = new AppError('body-too-large', 413, 'The request body is too large');
  } else if (error instanceof URIError) {
    // The router could not decode a path parameter (`%E0%A4%A`).
    problem = new AppError('malformed-path', 400, 'The path holds a broken percent-encoding');
  } else if (['22021', '22P05'].includes(String((error as { code?: unknown }).code))) {
    // A character Postgres cannot keep (a NUL) that a schema let through: the request's fault.
    problem = new AppError(
      'unstorable-character',
      400,
      'The request contains a character that cannot be stored (e.g. NUL)',
    );
  } else if (isDatabaseOutage(error)) {
    problem = unavailable('The read model (Postgres)');
  } else {
    console.error(`api: ${req.method} ${req.path} failed`, error);
    problem = new AppError('internal', 500, 'An unexpected error occurred; it has been logged');
  }
  if (problem.retryAfter !== undefined) res.set('Retry-After', String(problem.retryAfter));
  res
    .status(problem.status)
    .type('application/problem+json')
    .json({
      type: `urn:praxisflow:problem:${problem.code}`,
      title: TITLES[problem.status] ?? 'Error',
      status: problem.status,
      detail: problem.detail,
      // The path only: a query may carry a credential (a download link's token).
      instance: req.originalUrl.split('?')[0],
      ...problem.extra,
    });
};
