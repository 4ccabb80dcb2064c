import { pino, type DestinationStream, type Logger } from 'pino';
import { z } from 'zod';

export type { Logger } from 'pino';

/** `LOG_LEVEL` of the API and the worker: `silent` for tests. */
export const logLevelSchema = z
  .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  .default('info');

export type LogLevel = z.output<typeof logLevelSchema>;

export interface LoggerOptions {
  /** Default `info`. */
  readonly level?: LogLevel;
  /** The `name` field of every line. Default `praxisflow-api`. */
  readonly name?: string;
  /** Where the JSON lines go; default stdout. Tests capture them here. */
  readonly destination?: DestinationStream;
}

/**
 * Fields that carry secrets wherever they turn up: censored on the line, at any of two depths.
 * (Not `code`: errors carry theirs there, ECONNREFUSED and the like.)
 */
const SECRET_FIELDS = [
  'authorization',
  'token',
  'password',
  'pin',
  'pinConfirmation',
  'activationCode',
  'tan',
  'secret',
];

/**
 * One JSON object per line on stdout, for the log collector of the platform: the API's and the
 * worker's (with the Temporal SDK's lines, see worker/logging.ts). Fields that can carry secrets
 * are censored should a caller ever log a request, its headers or an event.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'praxisflow-api',
      level: options.level ?? 'info',
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          ...SECRET_FIELDS,
          ...SECRET_FIELDS.map((field) => `*.${field}`),
          'headers.authorization',
          'req.headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
