import { readFile } from 'node:fs/promises';
import type { TemporalConfig } from './env.js';

/** TLS options for both the client and the worker connection. */
export async function temporalTls(config: TemporalConfig) {
  if (!config.tls) return undefined;
  if (!config.mtls) return true as const;
  const [crt, key] = await Promise.all([
    readFile(config.mtls.certPath),
    readFile(config.mtls.keyPath),
  ]);
  return { clientCertPair: { crt, key } };
}
