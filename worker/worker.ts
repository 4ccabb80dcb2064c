import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import {
  NativeConnection,
  Worker,
  bundleWorkflowCode,
  type WorkflowBundle,
} from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import type { ProjectionActivities } from '../activities/projection.js';
import { temporalTls } from '../config/temporal.js';
import type { TemporalConfig } from '../config/env.js';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Bundles the workflow code once (seconds; about 3 MB); workers and tests reuse the bundle. */
export async function bundleWorkflows(path = workflowsPath): Promise<WorkflowBundle> {
  return bundleWorkflowCode({ workflowsPath: path, logger: quietBundlerLogger });
}

const quietBundlerLogger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
  log: () => undefined,
};

export async function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect({
    address: config.address,
    tls: await temporalTls(config),
    ...(config.apiKey ? { apiKey: config.apiKey } : {}),
  });
}

export interface WorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly activities: Activities & ProjectionActivities;
  readonly workflowBundle?: WorkflowBundle;
  /** The payload codec that encrypts what goes to Temporal. */
  readonly dataConverter: DataConverter;
}

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle: options.workflowBundle ?? (await bundleWorkflows()),
    activities: options.activities,
    dataConverter: options.dataConverter,
    // Running activities get 20 s to finish on SIGTERM; a cut-off one is retried, and every
    // effect carries an idempotency key.
    shutdownGraceTime: '20 seconds',
    shutdownForceTime: '40 seconds',
  });
}
