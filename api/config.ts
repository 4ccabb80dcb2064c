import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, delayOverrides, secretConfig, temporalConfig } from '../config/env.js';
import { deriveKey } from '../config/secrets.js';

const apiSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PRAXISFLOW_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  SMTP_URL: z.url().default('smtp://127.0.0.1:1025'),
});

export function apiConfig(env: NodeJS.ProcessEnv = process.env) {
  const result = apiSchema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues);
  const smtp = new URL(result.data.SMTP_URL);
  return {
    port: result.data.PORT,
    temporal: temporalConfig(env),
    adminKey: result.data.PRAXISFLOW_ADMIN_KEY ?? `pf_${randomBytes(24).toString('base64url')}`,
    adminKeyGenerated: result.data.PRAXISFLOW_ADMIN_KEY === undefined,
    businessKeySecret: deriveKey(secretConfig(env).secret, 'business-keys'),
    delays: delayOverrides(env),
    smtp: { host: smtp.hostname, port: Number(smtp.port || 25) },
  };
}
