/** The dev secrets in .praxisflow/secrets.json: generated once (mode 0600), then reused. */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { log } from './log.js';

export interface DevSecrets {
  /** base64url of 32 random bytes: key material for secret codes (hashing/encryption). */
  codeSecret: string;
  /** The bootstrap admin API key that `npm start` prints. */
  adminKey: string;
  /** Password of the embedded Postgres' `postgres` user (it listens on 127.0.0.1 only). */
  postgresPassword: string;
}

const newPostgresPassword = () => randomBytes(18).toString('base64url');

function read(file: string): DevSecrets {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<DevSecrets>;
  if (typeof parsed.codeSecret !== 'string' || typeof parsed.adminKey !== 'string') {
    throw new Error(`${file} lacks codeSecret or adminKey — delete it to generate new secrets`);
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
    log.warn(`${file} was readable by others: now 0600`);
  }
  const secrets: DevSecrets = {
    codeSecret: parsed.codeSecret,
    adminKey: parsed.adminKey,
    postgresPassword: parsed.postgresPassword ?? newPostgresPassword(),
  };
  // Data directories from before the embedded Postgres get its password added once.
  if (parsed.postgresPassword === undefined) {
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

export function loadOrCreateSecrets(file: string): { secrets: DevSecrets; created: boolean } {
  const secrets: DevSecrets = {
    codeSecret: randomBytes(32).toString('base64url'),
    adminKey: `pf_admin_${randomBytes(24).toString('base64url')}`,
    postgresPassword: newPostgresPassword(),
  };
  try {
    // 'wx': never overwrite — if the file exists, it is the one to use.
    writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return { secrets, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { secrets: read(file), created: false };
  }
}

/**
 * Where the read model is: `DATABASE_URL`, else the embedded Postgres of `npm start` (its port
 * from PRAXISFLOW_POSTGRES_PORT, default 5433; password from .praxisflow/secrets.json).
 */
export function devDatabaseUrl(dataDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.DATABASE_URL) return env.DATABASE_URL;
  const { secrets } = loadOrCreateSecrets(join(dataDir, 'secrets.json'));
  const port = env.PRAXISFLOW_POSTGRES_PORT ?? '5433';
  return `postgres://postgres:${encodeURIComponent(secrets.postgresPassword)}@127.0.0.1:${port}/praxisflow`;
}
