import { isIP } from 'node:net';
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
import { logLevelSchema } from './observability/logger.js';
import { allowedRangesSchema, allowHttpLocalhostSchema } from '../config/webhook-targets.js';

/** What Express' `trust proxy` takes: an address, a CIDR range, or one of its named ranges. */
const isProxySpec = (spec: string): boolean => {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(spec)) return true;
  const [address = '', bits, ...rest] = spec.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128);
};

const apiSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** An admin key valid without a row in api_keys: the bootstrap for creating the others. */
  PRAXISFLOW_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  SMTP_URL: z.url().default('smtp://127.0.0.1:1025'),
  /** Origins of the Temporal Web UI that may call the codec endpoint (CORS), comma-separated. */
  PRAXISFLOW_TEMPORAL_UI_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ error: 'each origin must be a URL like http://localhost:8233' }))),
  /**
   * Reverse proxies whose `X-Forwarded-For` names the client (addresses, CIDR ranges,
   * `loopback`, `linklocal`, `uniquelocal`), comma-separated. Default none: the client address
   * is the connection's, whatever a header says.
   */
  PRAXISFLOW_TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((spec) => spec.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z.string().refine(isProxySpec, {
          error: 'each proxy must be an IP address, a CIDR range like 10.0.0.0/8, or loopback',
        }),
      ),
    ),
  LOG_LEVEL: logLevelSchema,
  /** Served behind HTTPS: send HSTS. */
  PRAXISFLOW_HTTPS: z.enum(['true', 'false']).default('false'),
  /** Writes per minute and API key, per API process. */
  PRAXISFLOW_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(120),
  PRAXISFLOW_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(60),
  /** Seconds an event's answer waits for its effects; past that it is 202 Accepted. */
  PRAXISFLOW_EVENT_ANSWER_SECONDS: z.coerce.number().int().min(1).max(300).default(10),
  /** German wall-clock time of the practices' nightly overview (new overviews take it). */
  /** Where the dashboard links to: the Temporal Web UI and the development inbox. */
  PRAXISFLOW_TEMPORAL_UI_URL: z.url().optional(),
  PRAXISFLOW_INBOX_URL: z.url().optional(),
  /** Largest document upload, in bytes. */
  PRAXISFLOW_DOCUMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(1024 * 1024 * 1024)
    .default(20 * 1024 * 1024),
  /** Webhooks (checked when subscribed, as the worker checks them on delivery). */
  PRAXISFLOW_WEBHOOKS_ALLOW_HTTP_LOCALHOST: allowHttpLocalhostSchema,
  PRAXISFLOW_WEBHOOKS_ALLOWED_RANGES: allowedRangesSchema,
  PRAXISFLOW_DIGEST_TIME: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'a time of day like 01:30' })
    .default('01:30'),
});

export function apiConfig(env: NodeJS.ProcessEnv = process.env) {
  const result = apiSchema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues);
  const { secret } = secretConfig(env);
  const smtp = new URL(result.data.SMTP_URL);
  return {
    port: result.data.PORT,
    temporal: temporalConfig(env),
    database: databaseConfig(env),
    bootstrapAdminKey: result.data.PRAXISFLOW_ADMIN_KEY,
    apiKeyPepper: deriveKey(secret, 'api-keys'),
    businessKeySecret: deriveKey(secret, 'business-keys'),
    /** The worker's code secret (download tokens derive from it). */
    codeSecret: deriveKey(secret, 'codes'),
    documentMaxBytes: result.data.PRAXISFLOW_DOCUMENT_MAX_BYTES,
    organisations: organisationProfiles(env),
    links: {
      ...(result.data.PRAXISFLOW_TEMPORAL_UI_URL
        ? { temporalUi: result.data.PRAXISFLOW_TEMPORAL_UI_URL.replace(/\/+$/, '') }
        : {}),
      ...(result.data.PRAXISFLOW_INBOX_URL
        ? { inbox: result.data.PRAXISFLOW_INBOX_URL.replace(/\/+$/, '') }
        : {}),
    },
    delays: delayOverrides(env),
    sla: slaConfig(env),
    smtp: { host: smtp.hostname, port: Number(smtp.port || 25) },
    temporalUiOrigins: result.data.PRAXISFLOW_TEMPORAL_UI_ORIGINS,
    trustedProxies: result.data.PRAXISFLOW_TRUSTED_PROXIES,
    logLevel: result.data.LOG_LEVEL,
    https: result.data.PRAXISFLOW_HTTPS === 'true',
    digestTime: result.data.PRAXISFLOW_DIGEST_TIME,
    eventDeadlineMs: result.data.PRAXISFLOW_EVENT_ANSWER_SECONDS * 1000,
    webhookTargets: {
      allowHttpLocalhost: result.data.PRAXISFLOW_WEBHOOKS_ALLOW_HTTP_LOCALHOST,
      allowedRanges: result.data.PRAXISFLOW_WEBHOOKS_ALLOWED_RANGES,
    },
    rateLimit: {
      perMinute: result.data.PRAXISFLOW_RATE_LIMIT_PER_MINUTE,
      burst: result.data.PRAXISFLOW_RATE_LIMIT_BURST,
    },
  };
}
