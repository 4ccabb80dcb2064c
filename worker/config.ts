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
