import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { createActivities, createMailTransport } from '../../activities/index.js';
import { temporal } from '@temporalio/proto';
import { createBulkActionActivities } from '../../activities/bulk-actions.js';
import { postgresOutbox } from '../../activities/outbox.js';
import { createProjectionActivities, type ReadModel } from '../../activities/projection.js';
import { withStepRecords } from '../../activities/step-record.js';
import { createApiKey, type Role } from '../../api/api-keys.js';
import { createApp } from '../../api/app.js';
import { IllegalStateError } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time.js';
import { EncryptionCodec } from '../../codec/payload-codec.js';
import { ProcessSearchAttributes } from '../../workflows/protocol.js';
import { createCredentialStore } from '../../storage/credentials.js';
import { createMtanNumberStore } from '../../storage/mtan-numbers.js';
import { secretSealer } from '../../storage/sealed-secrets.js';
import { createTransportPinLetterStore } from '../../storage/transport-pin-letters.js';
import { createDocumentStore, type DocumentStore } from '../../storage/document-store.js';
import { createLogger } from '../../observability/logger.js';
import {
  WebhookTargets,
  type Resolve,
  type WebhookTargetPolicy,
} from '../../config/webhook-targets.js';
import { WebhookDispatcher, type WebhookDeliveryConfig } from '../../worker/webhook-dispatcher.js';
import { installSdkLogging } from '../../worker/logging.js';
import type { Tracing } from '../../observability/tracing.js';
import { bundleWorkflows, tracingOptions } from '../../worker/worker.js';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { freshDatabase, type TestDatabase } from './database.js';

export interface ApiStack {
  readonly baseUrl: string;
  readonly adminKey: string;
  readonly publicBaseUrl: string;
  /** The stack's own database (migrated), with its pool. */
  readonly database: TestDatabase;
  /** The stack's document store (the API's and the worker's). */
  readonly documents: DocumentStore;
  /** The stack's own task queue, and a client with its codec. */
  readonly taskQueue: string;
  readonly client: Client;
  /** A new API key with this role (and practices, for a client). */
  createKey(role: Role, practices?: readonly string[]): Promise<string>;
  /** Stops the worker (letting running tasks finish) and starts a new one on the same queue. */
  restartWorker(): Promise<void>;
  /** Number of events in a process's whole history, as the real server keeps it. */
  historyLength(processId: string): Promise<number>;
  /** A process's whole history as Temporal stores it (payloads as sent: encrypted). */
  rawHistory(processId: string): Promise<string>;
  /**
   * Every payload of a process's history as an operator reads it: decoded through the API's
   * `/codec/decode` with the admin key, as text.
   */
  decodedHistory(processId: string): Promise<string>;
  request(
    method: string,
    path: string,
    options?: { body?: unknown; key?: string | null; raw?: string },
  ): Promise<ApiResponse>;
  stop(): Promise<void>;
}

interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown> & { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\``);
  return value;
}

/**
 * The real thing on free ports: the API over a real Temporal dev server, a real worker with
 * the real activities sending through the real mail catcher. One task queue per stack.
 */
export interface ApiStackOptions {
  /**
   * Wraps the read model the projection writes to, e.g. to make it fail after writing, as a
   * crash between the write and the activity's completion would.
   */
  readonly projectionReadModel?: (real: ReadModel) => ReadModel;
  /** The worker's SMTP relay; default: the mail catcher. */
  readonly smtpUrl?: string;
  /** Limit of the public application-status lookup; default: the API's. */
  readonly publicRateLimit?: { readonly perMinute: number; readonly burst: number };
  /** Writes per key; default: the API's. */
  readonly rateLimit?: { readonly perMinute: number; readonly burst: number };
  /**
   * A Temporal namespace of its own (registered on first use, with the search attributes), so
   * that processes other test files left behind on the shared dev server cannot answer for
   * this stack's ids; default: `default`.
   */
  readonly namespace?: string;
  /** Proxies whose X-Forwarded-For counts; default: the API's (none). */
  readonly trustedProxies?: readonly string[];
  /** Largest document upload; default 1 MiB. */
  readonly maxDocumentBytes?: number;
  /** Traces the client, the workflows and the activities (a bundle of its own, with tracing). */
  readonly tracing?: Tracing;
  /** How long an event's answer waits for its effects; default: the API's. */
  readonly eventDeadlineMs?: number;
  /**
   * The worker runs the test workflows too (tests/fixtures/workflows.ts: the interpreter's probes,
   * such as a process with a child machine), in a bundle of its own; default: the real ones.
   */
  readonly fixtureWorkflows?: boolean;
  /** Activities the worker has besides the real ones (the probes' actors and actions). */
  readonly extraActivities?: object;
  /**
   * The webhook target policy of the API and the dispatcher (and how host names resolve);
   * with `delivery`, the worker's dispatcher runs. Default: production targets, no dispatcher.
   */
  readonly webhooks?: {
    readonly targets: WebhookTargetPolicy;
    readonly resolve?: Resolve;
    readonly delivery?: WebhookDeliveryConfig;
  };
}

let sdkLogging = false;

export async function startApiStack(options: ApiStackOptions = {}): Promise<ApiStack> {
  // The SDK's warnings and errors as JSON lines, not its chatter about every worker's state.
  // (A file that connected before its first stack keeps the SDK's default logger.)
  if (!sdkLogging) {
    sdkLogging = true;
    try {
      installSdkLogging(createLogger({ name: 'praxisflow-test-worker', level: 'warn' }));
    } catch (error) {
      if (!(error instanceof IllegalStateError)) throw error;
    }
  }
  const address = required('TEMPORAL_ADDRESS');
  const smtpUrl = options.smtpUrl ?? required('MAILCATCHER_SMTP_URL');
  const taskQueue = `api-test-${randomBytes(4).toString('hex')}`;
  const adminKey = `pf_test_${randomBytes(18).toString('base64url')}`;
  const publicBaseUrl = 'http://portal.test';

  const database = await freshDatabase('api');
  const nativeConnection = await NativeConnection.connect({ address });
  const mailer = createMailTransport(smtpUrl);
  const codec = new EncryptionCodec([{ id: 'test', key: randomBytes(32) }]);
  const dataConverter = { payloadCodecs: [codec] };
  const codeSecret = randomBytes(32).toString('base64url');
  const documents = createDocumentStore({
    pool: database.pool,
    masterKeys: [{ id: 'test', key: randomBytes(32) }],
  });
  const credentials = createCredentialStore(database.pool, codeSecret);
  const transportPinLetters = createTransportPinLetterStore({
    pool: database.pool,
    masterKeys: [{ id: 'test', key: randomBytes(32) }],
  });
  const activities = withStepRecords({
    ...createActivities({
      mailer,
      outbox: postgresOutbox(database.pool),
      documents,
      credentials,
      transportPinLetters,
      mtanNumbers: createMtanNumberStore(database.pool),
      config: {
        publicBaseUrl,
        mailFrom: 'praxisflow <no-reply@praxisflow.test>',
        codeSecret,
      },
    }),
    ...createProjectionActivities({
      readModel: options.projectionReadModel?.(database.pool) ?? database.pool,
    }),
    ...createBulkActionActivities({ pool: database.pool }),
    ...options.extraActivities,
  });
  const namespace = options.namespace ?? 'default';
  const connection = await Connection.connect({ address });
  if (namespace !== 'default') await ensureNamespace(connection, namespace);
  // Bundled once for all API test files (api-global-setup.ts).
  const bundlePath = inject('apiWorkflowBundlePath');
  const workflowBundle = options.tracing
    ? await bundleWorkflows(undefined, { tracing: true })
    : options.fixtureWorkflows
      ? await bundleWorkflows(fileURLToPath(new URL('../fixtures/workflows.ts', import.meta.url)))
      : bundlePath
        ? { codePath: bundlePath }
        : await bundleWorkflows();
  const startWorker = async () => {
    const worker = await Worker.create({
      connection: nativeConnection,
      namespace,
      dataConverter,
      taskQueue,
      workflowBundle,
      activities,
      ...(options.tracing ? tracingOptions(options.tracing) : {}),
    });
    return { worker, running: worker.run() };
  };
  let current = await startWorker();

  const client = new Client({
    connection,
    namespace,
    dataConverter,
    ...(options.tracing
      ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } }
      : {}),
  });
  // Reads history as it lies in Temporal, without the key.
  const rawClient = new Client({ connection, namespace });
  const smtp = new URL(smtpUrl);
  const apiKeyPepper = randomBytes(32).toString('base64url');
  const webhookTargets =
    options.webhooks && new WebhookTargets(options.webhooks.targets, options.webhooks.resolve);
  const app = createApp({
    client,
    namespace,
    taskQueue,
    database: database.pool,
    apiKeyPepper,
    bootstrapAdminKey: adminKey,
    codec,
    logLevel: 'silent',
    businessKeySecret: randomBytes(32).toString('base64url'),
    secrets: secretSealer(codeSecret),
    delays: {},
    smtp: { host: smtp.hostname, port: Number(smtp.port) },
    ...(options.publicRateLimit ? { publicRateLimit: options.publicRateLimit } : {}),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.trustedProxies ? { trustedProxies: options.trustedProxies } : {}),
    ...(options.eventDeadlineMs ? { eventDeadlineMs: options.eventDeadlineMs } : {}),
    ...(webhookTargets ? { webhookTargets } : {}),
    documents: { store: documents, codeSecret, maxBytes: options.maxDocumentBytes ?? 1024 * 1024 },
    credentials,
    transportPinLetters,
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const webhooks =
    webhookTargets &&
    options.webhooks?.delivery &&
    new WebhookDispatcher({
      pool: database.pool,
      databaseUrl: database.url,
      sealer: secretSealer(codeSecret),
      targets: webhookTargets,
      config: options.webhooks.delivery,
      logger: createLogger({ name: 'praxisflow-test-webhooks', level: 'silent' }),
    });
  webhooks?.start();

  return {
    baseUrl,
    adminKey,
    publicBaseUrl,
    database,
    documents,
    taskQueue,
    client,
    async createKey(role, practices = []) {
      const { key } = await createApiKey(database.pool, apiKeyPepper, {
        name: `test ${role}`,
        role,
        practices: [...practices],
        createdBy: 'test',
      });
      return key;
    },
    async restartWorker() {
      current.worker.shutdown();
      await current.running;
      current = await startWorker();
    },
    async rawHistory(processId) {
      const history = await rawClient.workflow.getHandle(processId).fetchHistory();
      // The bytes as the server keeps them, read as text: any clear payload would show.
      return Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString(
        'latin1',
      );
    },
    async decodedHistory(processId) {
      const history = await rawClient.workflow.getHandle(processId).fetchHistory();
      const payloads: { metadata: Record<string, string>; data: string }[] = [];
      const collect = (value: unknown): void => {
        if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
        const { metadata, data } = value as { metadata?: unknown; data?: unknown };
        if (data instanceof Uint8Array && metadata && typeof metadata === 'object') {
          payloads.push({
            metadata: Object.fromEntries(
              Object.entries(metadata).map(([key, bytes]) => [
                key,
                Buffer.from(bytes as Uint8Array).toString('base64'),
              ]),
            ),
            data: Buffer.from(data).toString('base64'),
          });
          return;
        }
        for (const inner of Object.values(value)) collect(inner);
      };
      collect(history);
      const response = await fetch(`${baseUrl}/codec/decode`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ payloads }),
      });
      if (response.status !== 200) throw new Error(`codec answered ${response.status}`);
      const decoded = (await response.json()) as { payloads: { data: string }[] };
      return decoded.payloads.map(({ data }) => Buffer.from(data, 'base64').toString()).join('\n');
    },
    async historyLength(processId) {
      const history = await client.workflow.getHandle(processId).fetchHistory();
      return history.events?.length ?? 0;
    },
    async request(method, path, options = {}) {
      const headers: Record<string, string> = {};
      const key = options.key === undefined ? adminKey : options.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (options.raw !== undefined) body = options.raw;
      else if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] = 'application/json';
      const response = await fetch(baseUrl + path, { method, headers, body });
      const text = await response.text();
      return {
        status: response.status,
        headers: response.headers,
        body: text ? JSON.parse(text) : {},
      };
    },
    async stop() {
      await new Promise((resolve) => server.close(resolve));
      await webhooks?.stop();
      current.worker.shutdown();
      await current.running;
      await connection.close();
      await nativeConnection.close();
      mailer.close();
      await database.drop();
    },
  };
}

/** Registers a namespace with the search attributes of praxisflow, and waits until it serves. */
async function ensureNamespace(connection: Connection, namespace: string): Promise<void> {
  await connection.workflowService
    .registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    })
    .catch((error: unknown) => {
      if (!/already exists/i.test(String(error))) throw error;
    });
  for (let attempt = 0; ; attempt++) {
    try {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(
          Object.values(ProcessSearchAttributes).map((key) => [key.name, 2 /* KEYWORD */]),
        ),
      });
      break;
    } catch (error) {
      if (/already exists/i.test(String(error))) break;
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  // The namespace answers list calls once the search attributes are known to visibility.
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      await connection.workflowService.listWorkflowExecutions({
        namespace,
        query: "ProcessType = 'probe'",
      });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
