import { z } from 'zod';
import {
  ConfigError,
  databaseConfig,
  delayOverrides,
  secretConfig,
  temporalConfig,
} from '../config/env.js';
import { organisationProfiles } from '../config/organisations.js';
import { slaConfig } from '../config/sla.js';
import { deriveKey } from '../config/secrets.js';
import { logLevelSchema } from '../observability/logger.js';
import { allowedRangesSchema, allowHttpLocalhostSchema } from '../config/webhook-targets.js';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `500ms`, `5s`, `2m`, `8h` in milliseconds. */
const duration = z
  .string()
  .trim()
  .regex(/^\d{1,6}(ms|s|m|h)$/, 'must be a duration like 500ms, 5s, 2m or 8h')
  .transform((value) => {
    const [, amount = '0', unit = 'ms'] = /^(\d+)(ms|s|m|h)$/.exec(value) ?? [];
    return Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS];
  });

/**
 * Waits before each retry of a webhook delivery: 11 retries over about 32 h (the last attempt
 * more than 24 h after the first).
 */
const DEFAULT_WEBHOOK_RETRIES = '5s,30s,2m,10m,30m,1h,2h,4h,8h,8h,8h';

const workerSchema = z.object({
  SMTP_URL: z
    .url({ error: 'must be a URL like smtp://127.0.0.1:1025' })
    .default('smtp://127.0.0.1:1025'),
  MAIL_FROM: z.string().min(3).default('praxisflow <no-reply@praxisflow.localhost>'),
  PUBLIC_BASE_URL: z.url().default('http://localhost:3000'),
  /** Prometheus endpoint of the worker (0: any free port). */
  PRAXISFLOW_WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  PRAXISFLOW_WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: logLevelSchema,
  /** Workflows the worker keeps in memory; absent: a quarter of the heap limit in MB. */
  PRAXISFLOW_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
  /** SMS gateway (HTTP, JSON `{ to, text, reference }`); absent: SMS land in the mail catcher. */
  SMS_GATEWAY_URL: z.url().optional(),
  SMS_GATEWAY_TOKEN: z.string().min(1).optional(),
  /** Email-to-fax address with `{number}`; absent: faxes land in the mail catcher. */
  FAX_GATEWAY_ADDRESS: z
    .string()
    .regex(
      /^[^@\s]*\{number\}[^@\s]*@[^@\s]+$/,
      'must be an address with {number}, e.g. {number}@fax.example.net',
    )
    .optional(),
  /** Letter shop (HTTP, JSON with the PDF in base64); absent: letters land in the mail catcher. */
  /** Where the daily report of what became overdue goes (comma-separated); absent: none. */
  PRAXISFLOW_SLA_REPORT_TO: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.email({ error: 'must be email addresses, separated by commas' }))),
  /** German time of day of that report. */
  PRAXISFLOW_SLA_REPORT_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time like 07:00')
    .default('07:00'),
  /** The dashboard's address, for links in the report. */
  PRAXISFLOW_DASHBOARD_URL: z.url().default('http://localhost:3000/dashboard'),
  /** Webhooks: plain http to localhost (development), ranges allowed although not public. */
  PRAXISFLOW_WEBHOOKS_ALLOW_HTTP_LOCALHOST: allowHttpLocalhostSchema,
  PRAXISFLOW_WEBHOOKS_ALLOWED_RANGES: allowedRangesSchema,
  /** Waits before each retry, comma-separated; after the last, the delivery has failed. */
  PRAXISFLOW_WEBHOOKS_RETRY_SCHEDULE: z
    .string()
    .default(DEFAULT_WEBHOOK_RETRIES)
    .transform((value) => value.split(',').filter((part) => part.trim() !== ''))
    .pipe(z.array(duration).max(50)),
  /** One attempt's time, connect to last byte. */
  PRAXISFLOW_WEBHOOKS_TIMEOUT: duration
    .default(10_000)
    .pipe(z.number().min(100, 'must be at least 100ms').max(60_000, 'must be at most 60s')),
  /** Attempts in flight at once, per worker. */
  PRAXISFLOW_WEBHOOKS_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** How often due deliveries are looked for besides the database's notifications. */
  PRAXISFLOW_WEBHOOKS_POLL: duration.default(1000),
  /** How long settled deliveries (delivered or failed) are kept: 30 days. */
  PRAXISFLOW_WEBHOOKS_RETENTION: duration
    .default(720 * 60 * 60 * 1000)
    .pipe(z.number().min(60 * 60 * 1000, 'must be at least 1h')),
  LETTER_GATEWAY_URL: z.url().optional(),
  LETTER_GATEWAY_TOKEN: z.string().min(1).optional(),
});

export function workerConfig(env: NodeJS.ProcessEnv = process.env) {
  const result = workerSchema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues);
  const { secret } = secretConfig(env);
  return {
    temporal: temporalConfig(env),
    database: databaseConfig(env),
    smtpUrl: result.data.SMTP_URL,
    logLevel: result.data.LOG_LEVEL,
    sla: slaConfig(env),
    slaReport: {
      to: result.data.PRAXISFLOW_SLA_REPORT_TO,
      time: result.data.PRAXISFLOW_SLA_REPORT_TIME,
      dashboardUrl: result.data.PRAXISFLOW_DASHBOARD_URL.replace(/\/+$/, ''),
    },
    maxCachedWorkflows: result.data.PRAXISFLOW_WORKER_MAX_CACHED_WORKFLOWS,
    metrics: {
      port: result.data.PRAXISFLOW_WORKER_METRICS_PORT,
      host: result.data.PRAXISFLOW_WORKER_METRICS_HOST,
    },
    webhooks: {
      targets: {
        allowHttpLocalhost: result.data.PRAXISFLOW_WEBHOOKS_ALLOW_HTTP_LOCALHOST,
        allowedRanges: result.data.PRAXISFLOW_WEBHOOKS_ALLOWED_RANGES,
      },
      delivery: {
        retrySchedule: result.data.PRAXISFLOW_WEBHOOKS_RETRY_SCHEDULE,
        timeoutMs: result.data.PRAXISFLOW_WEBHOOKS_TIMEOUT,
        concurrency: result.data.PRAXISFLOW_WEBHOOKS_CONCURRENCY,
        pollMs: result.data.PRAXISFLOW_WEBHOOKS_POLL,
        retentionMs: result.data.PRAXISFLOW_WEBHOOKS_RETENTION,
      },
    },
    activities: {
      mailFrom: result.data.MAIL_FROM,
      publicBaseUrl: result.data.PUBLIC_BASE_URL.replace(/\/+$/, ''),
      codeSecret: deriveKey(secret, 'codes'),
      organisations: organisationProfiles(env),
      delays: delayOverrides(env),
      gateways: {
        ...(result.data.SMS_GATEWAY_URL
          ? { sms: { url: result.data.SMS_GATEWAY_URL, token: result.data.SMS_GATEWAY_TOKEN } }
          : {}),
        ...(result.data.FAX_GATEWAY_ADDRESS ? { faxAddress: result.data.FAX_GATEWAY_ADDRESS } : {}),
        ...(result.data.LETTER_GATEWAY_URL
          ? {
              letter: {
                url: result.data.LETTER_GATEWAY_URL,
                token: result.data.LETTER_GATEWAY_TOKEN,
              },
            }
          : {}),
      },
    },
  };
}
