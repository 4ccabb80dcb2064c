import { createActivities, createMailTransport, type ActivityDeps } from '../activities/index.js';
import { createSlaReportActivities, SLA_REPORT_ID } from '../activities/sla-report.js';
import { Client, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import { postgresSlaReportSource } from '../db/sla-report.js';
import { latestDefinition } from '../machines/registry.js';
import { createBulkActionActivities } from '../activities/bulk-actions.js';
import { postgresOutbox } from '../activities/outbox.js';
import { createProjectionActivities } from '../activities/projection.js';
import { encryptedDataConverter } from '../codec/payload-codec.js';
import { ConfigError, documentKeys, payloadKeys } from '../config/env.js';
import { migrate } from '../db/migrate.js';
import { createPool, waitForDatabase } from '../db/pool.js';
import { createLogger } from '../observability/logger.js';
import { startTracing, tracingRequested } from '../observability/tracing.js';
import { createCredentialStore } from '../storage/credentials.js';
import { createMtanNumberStore } from '../storage/mtan-numbers.js';
import { createTransportPinLetterStore } from '../storage/transport-pin-letters.js';
import { createDocumentStore } from '../storage/document-store.js';
import { secretSealer } from '../storage/sealed-secrets.js';
import { WebhookTargets } from '../config/webhook-targets.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';
import { workerConfig } from './config.js';
import { installSdkLogging } from './logging.js';
import { createWorkerMetrics, serveWorkerMetrics } from './metrics.js';
import { exitGracefully } from './shutdown.js';
import { RecyclingWorker } from './recycling.js';
import { bundleWorkflows, connectWorker, createWorker, temporalReachable } from './worker.js';

/**
 * The daily report runs as one workflow per deployment: whichever worker starts first starts
 * it, the others find it running.
 */
async function startSlaReport(
  connection: NativeConnection,
  config: ReturnType<typeof workerConfig>,
): Promise<void> {
  const client = new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: encryptedDataConverter(payloadKeys()),
  });
  await client.workflow.start('slaReport', {
    taskQueue: config.temporal.taskQueue,
    workflowId: SLA_REPORT_ID,
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}

/** The praxisflow worker: runs every process workflow and every activity. */
async function main(): Promise<void> {
  const config = workerConfig();
  const logger = createLogger({ name: 'praxisflow-worker', level: config.logLevel });
  // Set below, once the worker exists: the SDK's retry warnings are the first sign of an outage.
  let temporalUnavailable = (): void => undefined;
  installSdkLogging(logger, { onTemporalUnavailable: () => temporalUnavailable() });
  const tracing = tracingRequested() ? startTracing('praxisflow-worker') : undefined;
  if (tracing) logger.info('tracing: spans go to the OTLP exporter of the OTEL_* variables');
  const readModel = createPool(config.database.url, { applicationName: 'praxisflow-worker' });
  await waitForDatabase(readModel);
  await migrate(readModel);
  const mailer = createMailTransport(config.smtpUrl);
  const metrics = createWorkerMetrics();
  const connection = await connectWorker(config.temporal);
  const workflowBundle = await bundleWorkflows(undefined, { tracing: !!tracing });
  const activityDeps: ActivityDeps = {
    mailer,
    outbox: postgresOutbox(readModel),
    documents: createDocumentStore({ pool: readModel, masterKeys: documentKeys() }),
    credentials: createCredentialStore(readModel, config.activities.codeSecret),
    mtanNumbers: createMtanNumberStore(readModel),
    transportPinLetters: createTransportPinLetterStore({
      pool: readModel,
      masterKeys: documentKeys(),
    }),
    config: config.activities,
    onDelivery: (channel, outcome) => metrics.notification(channel, outcome),
  };
  const create = () =>
    createWorker({
      connection,
      workflowBundle,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      activities: {
        ...createActivities(activityDeps),
        ...createSlaReportActivities({
          ...activityDeps,
          source: postgresSlaReportSource(readModel),
          report: config.slaReport,
          titleOf: (type) => latestDefinition(type)?.title ?? type,
        }),
        ...createProjectionActivities({
          readModel,
          sla: config.sla,
          onTransition: (record) =>
            metrics.transition(record.view.type, record.audit.event, record.audit.actor),
        }),
        ...createBulkActionActivities({ pool: readModel }),
      },
      dataConverter: encryptedDataConverter(payloadKeys()),
      maxCachedWorkflows: config.maxCachedWorkflows,
      ...(tracing ? { tracing } : {}),
    });
  const worker = new RecyclingWorker({
    first: await create(),
    create,
    reachable: () => temporalReachable(connection),
    logger,
    onRecycle: () => {
      metrics.recycled();
      logger.info('worker: Temporal answers again; polling with an empty cache');
    },
  });
  temporalUnavailable = () => worker.temporalUnavailable();
  const metricsServer = await serveWorkerMetrics(
    metrics.registry,
    config.metrics.port,
    config.metrics.host,
  );
  logger.info(
    {
      taskQueue: config.temporal.taskQueue,
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      metrics: `http://${config.metrics.host}:${metricsServer.port}/metrics`,
    },
    `worker: polling task queue ${config.temporal.taskQueue}`,
  );
  // Beside the Temporal worker, not inside a process: a slow receiver holds only its deliveries.
  const webhooks = new WebhookDispatcher({
    pool: readModel,
    databaseUrl: config.database.url,
    sealer: secretSealer(config.activities.codeSecret),
    targets: new WebhookTargets(config.webhooks.targets),
    config: config.webhooks.delivery,
    logger,
  });
  webhooks.start();
  // The worker drains itself on SIGINT/SIGTERM; the rest closes after it, in this order, so
  // that no running activity loses its database or mailer.
  const running = worker.run();
  if (config.slaReport.to.length > 0) {
    // Not awaited: the worker polls meanwhile. A failed start is logged; the next worker start
    // tries again.
    void startSlaReport(connection, config).then(
      () =>
        logger.info(
          `worker: the report of what became overdue goes daily at ${config.slaReport.time} to ${config.slaReport.to.length} address(es)`,
        ),
      (error: unknown) =>
        logger.warn(
          { err: error },
          'worker: could not start the daily report of what became overdue',
        ),
    );
  }
  const shutdown = exitGracefully({
    logger,
    closers: [
      {
        name: 'temporal worker',
        timeoutMs: 45_000,
        close: () => {
          worker.shutdown();
          return running;
        },
      },
      { name: 'webhook dispatcher', timeoutMs: 15_000, close: () => webhooks.stop() },
      { name: 'metrics server', close: () => metricsServer.close() },
      { name: 'temporal connection', close: () => connection.close() },
      { name: 'mailer', close: async () => mailer.close() },
      { name: 'read model pool', close: () => readModel.end() },
      ...(tracing ? [{ name: 'tracing', close: () => tracing.shutdown() }] : []),
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
