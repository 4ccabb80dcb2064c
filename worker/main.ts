import { createActivities, createMailTransport } from '../activities/index.js';
import { postgresOutbox } from '../activities/outbox.js';
import { createProjectionActivities } from '../activities/projection.js';
import { encryptedDataConverter } from '../codec/payload-codec.js';
import { ConfigError, documentKeys, payloadKeys } from '../config/env.js';
import { migrate } from '../db/migrate.js';
import { createPool, waitForDatabase } from '../db/pool.js';
import { createCredentialStore } from '../storage/credentials.js';
import { createTransportPinLetterStore } from '../storage/transport-pin-letters.js';
import { createDocumentStore } from '../storage/document-store.js';
import { workerConfig } from './config.js';
import { createWorkerMetrics, serveWorkerMetrics } from './metrics.js';
import { exitGracefully } from './shutdown.js';
import { connectWorker, createWorker } from './worker.js';

/** The praxisflow worker: runs every process workflow and every activity. */
async function main(): Promise<void> {
  const config = workerConfig();
  const readModel = createPool(config.database.url, { applicationName: 'praxisflow-worker' });
  await waitForDatabase(readModel);
  await migrate(readModel);
  const mailer = createMailTransport(config.smtpUrl);
  const metrics = createWorkerMetrics();
  const connection = await connectWorker(config.temporal);
  const worker = await createWorker({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities: {
      ...createActivities({
        mailer,
        outbox: postgresOutbox(readModel),
        documents: createDocumentStore({ pool: readModel, masterKeys: documentKeys() }),
        credentials: createCredentialStore(readModel, config.activities.codeSecret),
        transportPinLetters: createTransportPinLetterStore({
          pool: readModel,
          masterKeys: documentKeys(),
        }),
        config: config.activities,
        onDelivery: (channel, outcome) => metrics.notification(channel, outcome),
      }),
      ...createProjectionActivities({
        readModel,
        onTransition: (record) =>
          metrics.transition(record.view.type, record.audit.event, record.audit.actor),
      }),
    },
    dataConverter: encryptedDataConverter(payloadKeys()),
    maxCachedWorkflows: config.maxCachedWorkflows,
  });
  const metricsServer = await serveWorkerMetrics(
    metrics.registry,
    config.metrics.port,
    config.metrics.host,
  );
  console.log(
    `worker: polling task queue ${config.temporal.taskQueue} on ${config.temporal.address} (namespace ${config.temporal.namespace}); metrics on http://${config.metrics.host}:${metricsServer.port}/metrics`,
  );
  // The worker drains itself on SIGINT/SIGTERM; the rest closes after it, in this order, so
  // that no running activity loses its database or mailer.
  const running = worker.run();
  const shutdown = exitGracefully({
    closers: [
      {
        name: 'temporal worker',
        timeoutMs: 45_000,
        close: () => {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          return running;
        },
      },
      { name: 'metrics server', close: () => metricsServer.close() },
      { name: 'temporal connection', close: () => connection.close() },
      { name: 'mailer', close: async () => mailer.close() },
      { name: 'read model pool', close: () => readModel.end() },
    ],
  });
  await running.then(
    () => shutdown('worker stopped'),
    (error: unknown) => shutdown(`worker failed: ${String(error)}`, 1),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
