/**
 * The servers of `npm test` and `npm run bench`, each on a free port and thrown away after:
 * a Temporal dev server in memory, the embedded Postgres without fsync, and the mail catcher.
 */
import { randomUUID } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { createPool, waitForDatabase } from '../../db/pool.js';
import { c, log } from './log.js';
import { portPicker, waitForPort } from './net.js';
import { databaseUrl, embeddedPostgres, mailCatcher, temporalDevServer } from './services.js';
import { stopOrphanedServices } from './strays.js';
import type { Service, Supervisor } from './supervisor.js';
import type { Toolchain } from '../toolchain.js';

/** Says what an earlier, killed run had left running and was stopped now. */
export function reportStrays(stopped: readonly string[]): void {
  if (stopped.length === 0) return;
  log.warn(`stopped ${stopped.length} service(s) an earlier run left running:`);
  for (const line of stopped) log.info(c.gray(line));
}

/** Starts them (logs in `dir`) and returns the environment that tells where they are. */
export async function startThrowawayServers(
  supervisor: Supervisor,
  toolchain: Toolchain,
  dir: string,
): Promise<NodeJS.ProcessEnv> {
  reportStrays(await stopOrphanedServices());
  const nextPort = portPicker();
  const [temporalPort, smtpPort, webPort, pgPort, httpPort, metricsPort] = [
    await nextPort(),
    await nextPort(),
    await nextPort(),
    await nextPort(),
    await nextPort(),
    await nextPort(),
  ];
  // As root the embedded Postgres runs as the user `postgres`: it must pass through `dir`.
  chmodSync(dir, 0o711);
  const pgPassword = randomUUID();
  const up = (service: Service, port: number, what: string) =>
    waitForPort({ port, what, timeoutMs: 60_000, abortReason: () => service.exitReason });
  const temporal = supervisor.start({
    name: 'temporal',
    logFile: join(dir, 'temporal.log'),
    ...temporalDevServer({
      bin: toolchain.temporalBin,
      port: temporalPort,
      httpPort,
      metricsPort,
    }),
    stopSignal: 'SIGKILL', // in memory: nothing to persist
  });
  const mail = supervisor.start({
    name: 'maildev',
    logFile: join(dir, 'maildev.log'),
    ...mailCatcher({ smtpPort, webPort, mailDir: join(dir, 'mail') }),
    stopSignal: 'SIGKILL',
  });
  const postgres = supervisor.start({
    name: 'postgres',
    logFile: join(dir, 'postgres.log'),
    ...embeddedPostgres({
      port: pgPort,
      dataDir: join(dir, 'postgres'),
      password: pgPassword,
      throwAway: true,
    }),
  });
  await up(temporal, temporalPort, 'the Temporal dev server');
  await up(postgres, pgPort, 'Postgres');
  // The port opens a moment before the database exists.
  const probe = createPool(databaseUrl(pgPort, pgPassword), {
    applicationName: 'praxisflow-start',
    max: 1,
  });
  await waitForDatabase(probe, 30_000).finally(() => probe.end());
  await up(mail, smtpPort, 'the mail catcher (SMTP)');
  await up(mail, webPort, 'the mail catcher (API)');
  log.ok(
    `Temporal dev server 127.0.0.1:${temporalPort}, Postgres ${pgPort}, maildev SMTP ${smtpPort} / API ${webPort} ${c.gray(`(logs: ${dir})`)}`,
  );
  return {
    TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_TEST_SERVER_PATH: toolchain.testServerPath,
    SCHEMATHESIS_PATH: toolchain.schemathesisPath,
    ...(toolchain.chromiumPath ? { CHROMIUM_PATH: toolchain.chromiumPath } : {}),
    MAILCATCHER_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MAILCATCHER_API_URL: `http://127.0.0.1:${webPort}`,
    DATABASE_URL: databaseUrl(pgPort, pgPassword),
  };
}
