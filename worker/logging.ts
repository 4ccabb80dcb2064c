import type { LogLevel, LogMetadata, Logger as SdkLogger } from '@temporalio/common';
import { Runtime, makeTelemetryFilterString } from '@temporalio/worker';
import { pino } from 'pino';
import type { Logger } from '../observability/logger.js';

const METHODS = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
} as const satisfies Record<LogLevel, string>;

/**
 * The Temporal SDK's logger interface on top of pino: the SDK's own lines, the workflows' (through
 * the SDK's logger sink, written outside the sandbox and never during replay) and the
 * activities' become JSON lines like the API's. A line of a workflow or an activity names its
 * process: `processId` (the workflow id) and `processType` (the workflow type). Secret fields
 * are censored by the logger; activity task tokens are left out.
 */
function sdkLogger(logger: Logger, onTemporalUnavailable?: () => void): SdkLogger {
  const log = (level: LogLevel, message: string, meta: LogMetadata = {}): void => {
    if (onTemporalUnavailable && isUnavailableRetry(meta)) onTemporalUnavailable();
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(meta)) {
      // An activity's task token completes it from anywhere: not for a log.
      if (key === 'taskToken') continue;
      // Symbol keys (the SDK's timestamp) are dropped by Object.entries; errors become objects.
      fields[key === 'error' ? 'err' : key] =
        value instanceof Error ? pino.stdSerializers.err(value) : value;
    }
    if (typeof meta.workflowId === 'string') fields.processId = meta.workflowId;
    if (typeof meta.workflowType === 'string') fields.processType = meta.workflowType;
    logger[METHODS[level]](fields, message);
  };
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/** The native core retrying a call because Temporal does not answer (down, restarting). */
const isUnavailableRetry = (meta: LogMetadata): boolean =>
  meta.target === 'temporalio_client::retry' &&
  String(meta.err ?? meta.error).includes('Unavailable');

/**
 * Sends everything the SDK logs through `logger`: its TypeScript side, and its native core's
 * warnings and errors (forwarded, instead of printed in their own text format). Call once per
 * process, before the first connection. `onTemporalUnavailable`: called whenever the core retries
 * a call because Temporal did not answer.
 */
export function installSdkLogging(
  logger: Logger,
  options: { readonly onTemporalUnavailable?: () => void } = {},
): void {
  Runtime.install({
    logger: sdkLogger(logger, options.onTemporalUnavailable),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }), forward: {} },
    },
  });
}
