import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { EncryptionCodec } from '../codec/payload-codec.js';
import { ConfigError, documentKeys, payloadKeys } from '../config/env.js';
import { temporalTls } from '../config/temporal.js';
import { migrate } from '../db/migrate.js';
import { createPool, waitForDatabase } from '../db/pool.js';
import { startTracing, tracingRequested } from '../observability/tracing.js';
import { secretSealer } from '../storage/sealed-secrets.js';
import { WebhookTargets } from '../config/webhook-targets.js';
import { createCredentialStore } from '../storage/credentials.js';
import { createTransportPinLetterStore } from '../storage/transport-pin-letters.js';
import { createDocumentStore } from '../storage/document-store.js';
import { createApp } from './app.js';
import { apiConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { createApiRegistry } from './observability/metrics.js';

/** The API process: config, connections, the app; on SIGTERM it drains and closes cleanly. */
async function main(): Promise<void> {
  const config = apiConfig();
  const logger = createLogger({ level: config.logLevel });
  const tracing = tracingRequested() ? startTracing('praxisflow-api') : undefined;
  if (tracing) logger.info('tracing: spans go to the OTLP exporter of the OTEL_* variables');
  const database = createPool(config.database.url, { applicationName: 'praxisflow-api', max: 20 });
  await waitForDatabase(database);
  const applied = await migrate(database);
  if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  const connection = await Connection.connect({
    address: config.temporal.address,
    tls: await temporalTls(config.temporal),
    ...(config.temporal.apiKey ? { apiKey: config.temporal.apiKey } : {}),
  });
  const codec = new EncryptionCodec(payloadKeys());
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: { payloadCodecs: [codec] },
    // Carries the request's trace into the workflow (a header of the start, the update, …).
    ...(tracing
      ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } }
      : {}),
  });
  const app = createApp({
    client,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    database,
    apiKeyPepper: config.apiKeyPepper,
    ...(config.bootstrapAdminKey ? { bootstrapAdminKey: config.bootstrapAdminKey } : {}),
    businessKeySecret: config.businessKeySecret,
    secrets: secretSealer(config.codeSecret),
    delays: config.delays,
    sla: config.sla,
    smtp: config.smtp,
    codec,
    temporalUiOrigins: config.temporalUiOrigins,
    trustedProxies: config.trustedProxies,
    logger,
    registry: createApiRegistry(),
    rateLimit: config.rateLimit,
    digestTime: config.digestTime,
    eventDeadlineMs: config.eventDeadlineMs,
    https: config.https,
    documents: {
      store: createDocumentStore({ pool: database, masterKeys: documentKeys() }),
      codeSecret: config.codeSecret,
      maxBytes: config.documentMaxBytes,
    },
    credentials: createCredentialStore(database, config.codeSecret),
    transportPinLetters: createTransportPinLetterStore({
      pool: database,
      masterKeys: documentKeys(),
    }),
    links: config.links,
    organisations: config.organisations,
    webhookTargets: new WebhookTargets(config.webhookTargets),
  });
  const server = app.listen(config.port, () => {
    logger.info({ port: config.port }, `listening on http://localhost:${config.port}/api/v1`);
    if (!config.bootstrapAdminKey) {
      logger.warn('no PRAXISFLOW_ADMIN_KEY: only keys made with `npm run keys` are accepted');
    }
  });

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'draining: no new connections, finishing requests in flight');
    // Requests in flight finish; idle keep-alive connections are closed at once.
    server.close(() => {
      void Promise.allSettled([connection.close(), database.end(), tracing?.shutdown()]).finally(
        () => {
          logger.info('stopped');
          process.exit(0);
        },
      );
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.warn('requests still running after 20 s: stopping anyway');
      process.exit(1);
    }, 20_000).unref();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled rejection');
  });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
