import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { getHeapStatistics } from 'node:v8';
import type { DataConverter } from '@temporalio/common';
import {
  OpenTelemetryActivityInboundInterceptor,
  OpenTelemetryActivityOutboundInterceptor,
  makeWorkflowExporter,
} from '@temporalio/interceptors-opentelemetry';
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
import type { Tracing } from '../observability/tracing.js';
import { withStepRecords } from '../activities/step-record.js';

const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Evaluated once for all workflows instead of once per workflow: see the module. */
const sharedLibraries = fileURLToPath(new URL('../workflows/shared-libraries.ts', import.meta.url));
/** OpenTelemetry's workflow interceptors: they run in the sandbox, so they go into the bundle. */
const tracingInterceptors = createRequire(import.meta.url).resolve(
  '@temporalio/interceptors-opentelemetry/lib/workflow-interceptors',
);

/**
 * Bundles the workflow code once (seconds; about 3 MB); workers and tests reuse the bundle.
 * `tracing`: with OpenTelemetry's workflow interceptors, for a worker with {@link Tracing}.
 */
export async function bundleWorkflows(
  path = workflowsPath,
  options: { readonly tracing?: boolean } = {},
): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: path,
    logger: quietBundlerLogger,
    preloadModules: [sharedLibraries],
    ...(options.tracing ? { workflowInterceptorModules: [tracingInterceptors] } : {}),
  });
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

/** True when Temporal answers a health check within `withinMs`. */
export async function temporalReachable(
  connection: NativeConnection,
  withinMs = 1000,
): Promise<boolean> {
  try {
    await connection.withDeadline(Date.now() + withinMs, () => connection.healthService.check({}));
    return true;
  } catch {
    return false;
  }
}

export interface WorkerOptions {
  readonly connection: NativeConnection;
  readonly namespace: string;
  readonly taskQueue: string;
  readonly activities: Activities & ProjectionActivities;
  readonly workflowBundle?: WorkflowBundle;
  /** The payload codec that encrypts what goes to Temporal. */
  readonly dataConverter: DataConverter;
  /** Workflows kept in memory between their tasks; default: {@link defaultMaxCachedWorkflows}. */
  readonly maxCachedWorkflows?: number;
  /** Traces workflows and activities; the bundle must then be made with `tracing: true`. */
  readonly tracing?: Tracing;
}

/**
 * The SDK's default cache (about 2,300 workflows for a 4 GB heap) assumes ~1.7 MB per cached
 * workflow. A praxisflow workflow held about 1.9 MB of the workflow thread's heap when each one
 * built every machine; it builds only its own now, shares zod and xstate with the others
 * (workflows/shared-libraries.ts) and holds about 0.4 MB. A quarter of the heap limit in MB
 * keeps 10,000 live processes inside the heap (`npm run bench:live`, bench/README.md); a
 * workflow evicted past that is replayed at its next task.
 */
const defaultMaxCachedWorkflows = (): number =>
  Math.max(10, Math.floor(getHeapStatistics().heap_size_limit / 2 ** 20 / 4));

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    workflowBundle:
      options.workflowBundle ?? (await bundleWorkflows(undefined, { tracing: !!options.tracing })),
    activities: withStepRecords(options.activities),
    ...(options.tracing ? tracingOptions(options.tracing) : {}),
    dataConverter: options.dataConverter,
    maxCachedWorkflows: options.maxCachedWorkflows ?? defaultMaxCachedWorkflows(),
    // Running activities get 20 s to finish on SIGTERM; a cut-off one is retried, and every
    // effect carries an idempotency key.
    shutdownGraceTime: '20 seconds',
    shutdownForceTime: '40 seconds',
  });
}

/** The activity interceptors and the sink through which workflow spans leave the sandbox. */
export function tracingOptions(tracing: Tracing) {
  return {
    interceptors: {
      activity: [
        (ctx: ConstructorParameters<typeof OpenTelemetryActivityInboundInterceptor>[0]) => ({
          inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
          outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
        }),
      ],
    },
    sinks: { exporter: makeWorkflowExporter(tracing.spanProcessor, tracing.resource) },
  };
}
