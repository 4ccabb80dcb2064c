/**
 * praxisflow as the benchmarks run it: the API, a worker with every activity and the webhook
 * dispatcher in this Node process, on the throw-away servers, and a fetch helper with an admin
 * key. Webhooks may go to plain http on localhost, as in development.
 */
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities, createMailTransport } from '../activities/index.js';
import { createBulkActionActivities } from '../activities/bulk-actions.js';
import { postgresOutbox } from '../activities/outbox.js';
import { createProjectionActivities } from '../activities/projection.js';
import { withStepRecords } from '../activities/step-record.js';
import { createApp } from '../api/app.js';
import { WebhookTargets } from '../config/webhook-targets.js';
import { EncryptionCodec } from '../codec/payload-codec.js';
import { migrate } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { createLogger } from '../observability/logger.js';
import { secretSealer } from '../storage/sealed-secrets.js';
import { WebhookDispatcher } from '../worker/webhook-dispatcher.js';
import { bundleWorkflows } from '../worker/worker.js';

export interface BenchStack {
  readonly pool: Pool;
  readonly connection: Connection;
  readonly nativeConnection: NativeConnection;
  /** With the stack's payload codec. */
  readonly client: Client;
  /** Where the stack's worker runs praxisflow's workflows. */
  readonly taskQueue: string;
  /** The payload codec of client and worker. */
  readonly codec: PayloadCodec;
  /** Calls the API with the admin key; throws unless it answers `expected`. */
  api<T = { id: string }>(
    method: string,
    path: string,
    body: unknown,
    expected: number,
  ): Promise<T>;
  close(): Promise<void>;
}

const TASK_QUEUE = 'bench-engine';
const SECRET = 'bench-secret-bench-secret-bench-secret';

export async function startBenchStack(env: NodeJS.ProcessEnv): Promise<BenchStack> {
  const pool = createPool(env.DATABASE_URL!, { applicationName: 'bench', max: 32 });
  await migrate(pool);
  const address = env.TEMPORAL_ADDRESS!;
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  const codec = new EncryptionCodec([{ id: 'bench', key: randomBytes(32) }]);
  const dataConverter = { payloadCodecs: [codec] };
  const client = new Client({ connection, dataConverter });
  const mailer = createMailTransport(env.MAILCATCHER_SMTP_URL!);
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue: TASK_QUEUE,
    dataConverter,
    workflowBundle: await bundleWorkflows(),
    activities: withStepRecords({
      ...createActivities({
        mailer,
        outbox: postgresOutbox(pool),
        config: {
          publicBaseUrl: 'http://portal.bench',
          mailFrom: 'bench <bench@praxisflow.localhost>',
          codeSecret: SECRET,
        },
      }),
      ...createProjectionActivities({ readModel: pool }),
      ...createBulkActionActivities({ pool }),
    }),
  });
  const running = worker.run();

  const webhookTargets = new WebhookTargets({ allowHttpLocalhost: true, allowedRanges: [] });
  // The worker's defaults (worker/config.ts); the retry schedule is shorter, but the benchmarks'
  // receivers answer every first attempt.
  const webhooks = new WebhookDispatcher({
    pool,
    databaseUrl: env.DATABASE_URL!,
    sealer: secretSealer(SECRET),
    targets: webhookTargets,
    config: {
      retrySchedule: [1_000, 5_000],
      timeoutMs: 10_000,
      concurrency: 16,
      pollMs: 1_000,
      retentionMs: 720 * 60 * 60 * 1000,
    },
    logger: createLogger({ name: 'bench-webhooks', level: 'silent' }),
  });
  webhooks.start();

  const adminKey = `pf_bench_${randomBytes(18).toString('base64url')}`;
  const app = createApp({
    client,
    namespace: 'default',
    taskQueue: TASK_QUEUE,
    database: pool,
    secrets: secretSealer(SECRET),
    apiKeyPepper: randomBytes(32).toString('base64url'),
    bootstrapAdminKey: adminKey,
    businessKeySecret: randomBytes(32).toString('base64url'),
    delays: {},
    codec,
    logLevel: 'silent',
    rateLimit: { perMinute: 1_000_000, burst: 1_000_000 },
    webhookTargets,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    pool,
    connection,
    nativeConnection,
    client,
    taskQueue: TASK_QUEUE,
    codec,
    async api<T>(method: string, path: string, body: unknown, expected: number): Promise<T> {
      const response = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      if (response.status !== expected)
        throw new Error(`${method} ${path}: ${response.status} ${text}`);
      return (text === '' ? undefined : JSON.parse(text)) as T;
    },
    async close() {
      server.close();
      await webhooks.stop();
      worker.shutdown();
      await running;
      await connection.close();
      await nativeConnection.close();
      mailer.close();
      await pool.end();
    },
  };
}
