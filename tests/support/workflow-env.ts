import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { afterAll, beforeAll, expect, inject } from 'vitest';
import type { ProjectionActivities, TransitionRecord } from '../../activities/projection.js';
import { withStepRecords } from '../../activities/step-record.js';
import {
  sendUpdate,
  viewQuery,
  type ProcessArgs,
  type ProcessEvent,
  type ProcessView,
} from '../../workflows/protocol.js';
import {
  WorkflowUpdateFailedError,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { startTimeSkippingServer } from './histories.js';

export const TASK_QUEUE = 'praxisflow-test';

/** The time-skipping test server, started from the cached wrapper script. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH;
  if (!path) throw new Error('TEMPORAL_TEST_SERVER_PATH is not set: run the tests with `npm test`');
  return startTimeSkippingServer(path);
}

export function workflowBundle(): WorkflowBundleOption {
  return { codePath: inject('workflowBundlePath') };
}

/** What the interpreter handed the read model projection, in order, across the test file. */
export const projected: TransitionRecord[] = [];
/** The views of row-only refreshes (an incident began or ended), in order. */
export const refreshed: ProcessView[] = [];

/** A worker with the given activities; the read model projection records into `projected`. */
export async function createTestWorker(
  env: TestWorkflowEnvironment,
  activities: object,
  options: {
    readonly maxCachedWorkflows?: number;
    /** How often at most an activity's heartbeat reaches the server (ms). */
    readonly maxHeartbeatThrottleInterval?: number;
  } = {},
): Promise<Worker> {
  const projection: ProjectionActivities = {
    recordTransition: async (record) => {
      projected.push(record);
    },
    refreshProcess: async (record) => {
      refreshed.push(record.view);
    },
    answerBoundary: async () => undefined,
  };
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: TASK_QUEUE,
    workflowBundle: workflowBundle(),
    activities: withStepRecords({ ...projection, ...activities }),
    ...options,
  });
}

export interface StartOptions {
  readonly input: unknown;
  readonly businessKey?: string;
  readonly practiceId?: string;
  readonly version?: number;
  readonly delays?: Record<string, number>;
  readonly continueAsNewAfterSteps?: number;
}

export async function startProcess(
  env: TestWorkflowEnvironment,
  type: string,
  options: StartOptions,
): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const businessKey = options.businessKey ?? randomUUID();
  const args: ProcessArgs = {
    input: options.input,
    version: options.version ?? 1,
    businessKey,
    actor: 'key-test',
    ...(options.practiceId ? { practiceId: options.practiceId } : {}),
    ...(options.delays ? { delays: options.delays } : {}),
    ...(options.continueAsNewAfterSteps
      ? { continueAsNewAfterSteps: options.continueAsNewAfterSteps }
      : {}),
  };
  return env.client.workflow.start(type, {
    taskQueue: TASK_QUEUE,
    workflowId: `${type}-${businessKey}`,
    args: [args],
  });
}

export const send = (
  handle: WorkflowHandle,
  event: ProcessEvent,
  actor = 'key-test',
): Promise<ProcessView> =>
  handle.executeUpdate(sendUpdate, {
    args: [event, { actor }],
  });

export const view = (handle: WorkflowHandle): Promise<ProcessView> => handle.query(viewQuery);

/** The audit entries the projection recorded for one process, oldest first. */
export const auditOf = (workflowId: string) =>
  projected.filter((record) => record.view.id === workflowId).map((record) => record.audit);

/**
 * Polls `probe` until it gives a value. A probe that throws (a workflow not started yet) is
 * "not yet"; its last error is the cause when the time is up.
 */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  withinMs = 15_000,
): Promise<T> {
  let lastError: unknown;
  for (let waited = 0; waited < withinMs; waited += 50) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what} did not happen within ${withinMs / 1000} s`, { cause: lastError });
}

/** The process's view once it rests in `state`. */
export const inState = (handle: WorkflowHandle, state: string) =>
  until(`state ${state}`, async () => {
    const current = await view(handle);
    return current.state === state ? current : undefined;
  });

export const HOUR = 3_600_000;

/**
 * The event types of the workflow's history, without workflow-task bookkeeping (the test
 * server records a task even for an update its validator refused), to prove what did or did
 * not reach the process.
 */
export async function historyEventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? [])
    .map((event) => temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? 'UNKNOWN')
    .filter((type) => !type.startsWith('EVENT_TYPE_WORKFLOW_TASK_'));
}

/** The history event types once the workflow has stopped writing (its effects have run). */
export async function settledHistoryEventTypes(handle: WorkflowHandle): Promise<string[]> {
  let previous = await historyEventTypes(handle);
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const current = await historyEventTypes(handle);
    if (current.length === previous.length) return current;
    previous = current;
  }
}

const historiesDir = fileURLToPath(new URL('../fixtures/histories/', import.meta.url));
const HistoryProto = temporal.api.history.v1.History;

/**
 * With PRAXISFLOW_RECORD_HISTORIES=1, keeps the history of a test scenario as a fixture
 * (binary protobuf, exactly as the server sent it); the replay test replays every kept
 * history against the current workflow code.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.PRAXISFLOW_RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  await mkdir(historiesDir, { recursive: true });
  await writeFile(join(historiesDir, `${name}.pb`), HistoryProto.encode(history).finish());
}

export async function recordedHistories(): Promise<
  { name: string; history: temporal.api.history.v1.History }[]
> {
  const files = (await readdir(historiesDir).catch(() => [])).filter((file) =>
    file.endsWith('.pb'),
  );
  return Promise.all(
    files.sort().map(async (file) => ({
      name: file.replace(/\.pb$/, ''),
      history: HistoryProto.decode(await readFile(join(historiesDir, file))),
    })),
  );
}

/**
 * One time-skipping server and one worker with the given activities for a whole test file;
 * `env()` is usable inside tests once `beforeAll` has run.
 */
export function useTimeSkippingWorker(
  activities: object,
  options: Parameters<typeof createTestWorker>[2] = {},
): () => TestWorkflowEnvironment {
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    worker = await createTestWorker(env, activities, options);
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });
  return () => {
    if (!env) throw new Error('the time-skipping environment is not up yet');
    return env;
  };
}

/** A worker a test shuts down itself; `running` settles once it has stopped. */
export interface StoppableWorker {
  readonly worker: Worker;
  readonly running: Promise<void>;
}

/**
 * A time-skipping server for tests that stop and start workers themselves (a worker restart):
 * `start` runs a worker without a sticky cache (the test server would hold the next workflow
 * task for a stopped worker). Every worker still running is stopped after the file.
 */
export function useRestartableWorkers(): {
  readonly env: () => TestWorkflowEnvironment;
  readonly start: (activities?: object) => Promise<StoppableWorker>;
} {
  let env: TestWorkflowEnvironment | undefined;
  const workers: StoppableWorker[] = [];
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    for (const { worker, running } of workers) {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    }
    await env?.teardown();
  });
  const envOf = () => {
    if (!env) throw new Error('the time-skipping environment is not up yet');
    return env;
  };
  return {
    env: envOf,
    async start(activities = {}) {
      const worker = await createTestWorker(envOf(), activities, { maxCachedWorkflows: 0 });
      const started = { worker, running: worker.run() };
      workers.push(started);
      return started;
    },
  };
}

/** The failure type and details of a refused `send`; fails the test if it was not refused. */
export async function refusalOf(
  promise: Promise<unknown>,
): Promise<{ type: string | undefined; details: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  const failure = cause as ApplicationFailure;
  return {
    type: failure.type ?? undefined,
    details: failure.details?.[0] as Record<string, unknown>,
  };
}
