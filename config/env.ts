import { z } from 'zod';
import { deriveKey } from './secrets.js';

/**
 * Configuration read once at start-up from the environment, validated, and handed down.
 * Nothing under machines/ or workflows/ reads the environment.
 */
export class ConfigError extends Error {
  constructor(issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
    super(
      `Invalid configuration:\n${issues.map((issue) => `  - ${issue.path.map(String).join('.')}: ${issue.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const temporalSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  /** The workers' task queue; the API starts processes on it. */
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('praxisflow'),
  /** Temporal Cloud or a TLS cluster: API key, or client certificate files. */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS: z.enum(['true', 'false']).default('false'),
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
});

const secretSchema = z.object({
  PRAXISFLOW_SECRET: z
    .string({
      error: 'is required: a random string of at least 32 characters (npm start makes one)',
    })
    .min(32, 'must be at least 32 characters'),
});

export type TemporalConfig = ReturnType<typeof temporalConfig>;

function parse<T extends z.ZodType>(schema: T, env: NodeJS.ProcessEnv): z.output<T> {
  const result = schema.safeParse(env);
  if (!result.success) throw new ConfigError(result.error.issues);
  return result.data;
}

export function temporalConfig(env: NodeJS.ProcessEnv = process.env) {
  const raw = parse(temporalSchema, env);
  const mtls =
    raw.TEMPORAL_TLS_CERT && raw.TEMPORAL_TLS_KEY
      ? { certPath: raw.TEMPORAL_TLS_CERT, keyPath: raw.TEMPORAL_TLS_KEY }
      : undefined;
  return {
    address: raw.TEMPORAL_ADDRESS,
    namespace: raw.TEMPORAL_NAMESPACE,
    apiKey: raw.TEMPORAL_API_KEY,
    tls: raw.TEMPORAL_TLS === 'true' || raw.TEMPORAL_API_KEY !== undefined || mtls !== undefined,
    mtls,
    taskQueue: raw.TEMPORAL_TASK_QUEUE,
  };
}

export function secretConfig(env: NodeJS.ProcessEnv = process.env): { secret: string } {
  return { secret: parse(secretSchema, env).PRAXISFLOW_SECRET };
}

/**
 * Per-deployment timer durations: `PRAXISFLOW_DELAY_<delayName>=<duration>` such as
 * `PRAXISFLOW_DELAY_invitationExpiry=720h`. Units: ms, s, m, h, d.
 */
export function delayOverrides(env: NodeJS.ProcessEnv = process.env): Record<string, number> {
  const prefix = 'PRAXISFLOW_DELAY_';
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  const overrides: Record<string, number> = {};
  const issues: { path: string[]; message: string }[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(prefix) || value === undefined) continue;
    const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
    const unit = match?.[2];
    if (!match || !unit) {
      issues.push({ path: [name], message: `"${value}" is no duration like 720h, 21d or 90s` });
      continue;
    }
    overrides[name.slice(prefix.length)] = Number(match[1]) * (units[unit] ?? 1);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return overrides;
}

interface NamedKey {
  readonly id: string;
  readonly key: Buffer;
}

/** `id:base64key,older-id:base64key`, newest first; absent: one key derived from the secret. */
function keyList(
  env: NodeJS.ProcessEnv,
  variable: 'PRAXISFLOW_PAYLOAD_KEYS' | 'PRAXISFLOW_DOCUMENT_KEYS',
  purpose: 'payloads' | 'documents',
  derivedId: string,
): NamedKey[] {
  const raw = env[variable]?.trim();
  if (!raw) {
    return [
      {
        id: derivedId,
        key: Buffer.from(deriveKey(secretConfig(env).secret, purpose), 'base64url'),
      },
    ];
  }
  const issues: { path: string[]; message: string }[] = [];
  const keys = raw.split(',').map((entry, index) => {
    const [id = '', material = ''] = entry.trim().split(':');
    const key = Buffer.from(material, 'base64');
    if (!/^[A-Za-z0-9._-]{1,32}$/.test(id) || key.length !== 32) {
      issues.push({
        path: [variable, String(index)],
        message: 'each entry must be <id>:<32 bytes in base64> (id: letters, digits, . _ -)',
      });
    }
    return { id, key };
  });
  if (issues.length > 0) throw new ConfigError(issues);
  return keys;
}

/**
 * Keys of the payload codec: `PRAXISFLOW_PAYLOAD_KEYS=id:base64key,older-id:base64key`, newest
 * first (it encrypts; all decrypt). Absent: one key derived from PRAXISFLOW_SECRET, id `k0`.
 */
export function payloadKeys(env: NodeJS.ProcessEnv = process.env): NamedKey[] {
  return keyList(env, 'PRAXISFLOW_PAYLOAD_KEYS', 'payloads', 'k0');
}

/**
 * Master keys that wrap each document's own key: `PRAXISFLOW_DOCUMENT_KEYS`, same form, newest
 * first (it wraps new documents; all unwrap). Absent: one key derived from PRAXISFLOW_SECRET,
 * id `d0`.
 */
export function documentKeys(env: NodeJS.ProcessEnv = process.env): NamedKey[] {
  return keyList(env, 'PRAXISFLOW_DOCUMENT_KEYS', 'documents', 'd0');
}

const databaseSchema = z.object({
  DATABASE_URL: z
    .string({
      error: 'is required: postgres://user:password@host:port/database (npm start sets it)',
    })
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
});

/** Where the read model lives. */
export function databaseConfig(env: NodeJS.ProcessEnv = process.env): { url: string } {
  return { url: parse(databaseSchema, env).DATABASE_URL };
}
