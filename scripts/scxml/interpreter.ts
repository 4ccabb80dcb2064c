/**
 * praxisflow's run of a converted SCXML test: the `scxml` workflow of the test bundle
 * (tests/fixtures/workflows.ts) in Temporal's time-skipping test server. It builds the machine
 * from the document in its input; events go in through the `send` update, time passes with
 * `env.sleep`, and the leaf states come from the `view` query once nothing is in flight.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { ProjectionActivities } from '../../activities/projection.js';
import { withStepRecords } from '../../activities/step-record.js';
import { bundleWorkflows } from '../../worker/worker.js';
import {
  sendUpdate,
  viewQuery,
  type ProcessArgs,
  type ProcessView,
} from '../../workflows/protocol.js';
import type { ScxmlInput } from '../../tests/fixtures/scxml-actions.js';
import {
  isRunning,
  openChildren,
  startTimeSkippingServer,
  tasksTaken,
} from '../../tests/support/histories.js';
import { COMPLETION_HORIZON_MS, runsToCompletion, type Observed } from './reference.js';
import type { ScionTest } from './suite.js';

const TASK_QUEUE = 'scxml-conformance';
/** Real time a step may take before the workflow counts as stuck (a failing workflow task). */
const STEP_TIMEOUT_MS = 15_000;
/** Real time a sleep of the test server may take before its time counts as locked. */
const SLEEP_TIMEOUT_MS = 5_000;

// The sleep of a test server that was torn down while time stood still retries on its closed
// channel and throws from a timer; that call has been given up already.
process.on('uncaughtException', (error) => {
  if (error.message === 'Channel has been shut down') return;
  throw error;
});

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** A workflow task that keeps failing, with its message (a refusal of the interpreter, say). */
export class WorkflowTaskFailure extends Error {}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The message of the last failed workflow task of the workflow or one of its children. */
function taskFailure(events: readonly HistoryEvent[]): string | undefined {
  return (
    events.findLast((event) => event.workflowTaskFailedEventAttributes)
      ?.workflowTaskFailedEventAttributes?.failure?.message ?? undefined
  );
}

/** Time stands still in the test server: it is restarted before the next test. */
class TimeLocked extends Error {}

export class InterpreterRun {
  private env!: TestWorkflowEnvironment;
  private worker!: Worker;
  private running!: Promise<void>;
  private workflowBundle?: { code: string };

  private constructor(private readonly testServerPath: string) {}

  static async start(testServerPath: string): Promise<InterpreterRun> {
    const run = new InterpreterRun(testServerPath);
    await run.startEnvironment();
    return run;
  }

  private async startEnvironment(): Promise<void> {
    try {
      Runtime.install({
        logger: new DefaultLogger('ERROR'),
        telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
      });
    } catch {
      // Installed already.
    }
    const env = await startTimeSkippingServer(this.testServerPath);
    const workflowsPath = fileURLToPath(
      new URL('../../tests/fixtures/workflows.ts', import.meta.url),
    );
    this.workflowBundle ??= { code: (await bundleWorkflows(workflowsPath)).code };
    const projection: ProjectionActivities = {
      recordTransition: async () => undefined,
      refreshProcess: async () => undefined,
      answerBoundary: async () => undefined,
    };
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      workflowBundle: this.workflowBundle,
      activities: withStepRecords(projection),
    });
    this.env = env;
    this.worker = worker;
    this.running = worker.run();
  }

  async stop(): Promise<void> {
    this.worker.shutdown();
    await Promise.race([this.running.catch(() => undefined), pause(5_000)]);
    await this.env.teardown();
  }

  /** Whether nothing of the workflow (nor of its child machines) is in flight. */
  private async rests(handle: WorkflowHandle): Promise<boolean> {
    const before = (await handle.fetchHistory()).events ?? [];
    if (!tasksTaken(before)) return false;
    const { raw } = await handle.describe();
    if ((raw.pendingActivities ?? []).length > 0) return false;
    for (const id of openChildren(before)) {
      const child = this.env.client.workflow.getHandle(id);
      try {
        const events = (await child.fetchHistory()).events ?? [];
        if (!isRunning(events) || !(await this.rests(child))) return false;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    }
    const after = (await handle.fetchHistory()).events ?? [];
    return after.length === before.length;
  }

  /** Waits until the workflow rests; a workflow task that keeps failing is a refusal. */
  private async settle(handle: WorkflowHandle): Promise<void> {
    for (let waited = 0; waited < STEP_TIMEOUT_MS; waited += 25) {
      if (await this.rests(handle)) return;
      await pause(25);
    }
    const events = (await handle.fetchHistory()).events ?? [];
    const failures = [taskFailure(events)];
    for (const id of openChildren(events)) {
      const child = this.env.client.workflow.getHandle(id);
      failures.push(
        taskFailure((await child.fetchHistory().catch(() => ({ events: [] }))).events ?? []),
      );
    }
    const failure = failures.find((message) => message !== undefined);
    throw failure
      ? new WorkflowTaskFailure(failure)
      : new Error(`the workflow did not come to rest within ${STEP_TIMEOUT_MS / 1000} s`);
  }

  private async observe(handle: WorkflowHandle): Promise<{ view: ProcessView; leaves: string[] }> {
    const view = await handle.query(viewQuery);
    const leaves = view.state
      .split(', ')
      .filter(Boolean)
      .map((path) => path.slice(path.lastIndexOf('.') + 1))
      .sort();
    return { view, leaves };
  }

  /** Lets `ms` of workflow time pass; a test server that keeps time locked is restarted. */
  private async sleep(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const locked = new Promise<'locked'>((resolve) => {
      timer = setTimeout(() => resolve('locked'), SLEEP_TIMEOUT_MS);
    });
    const slept = await Promise.race([this.env.sleep(ms).then(() => 'slept' as const), locked]);
    clearTimeout(timer);
    if (slept === 'locked') throw new TimeLocked(`${ms} ms of workflow time did not pass`);
  }

  /** Runs the test; throws {@link WorkflowTaskFailure} when a workflow task keeps failing. */
  async run(input: ScxmlInput, test: ScionTest): Promise<Observed> {
    const businessKey = randomUUID();
    const events = [...new Set(test.events.map(({ event }) => event.name))];
    const args: ProcessArgs = {
      input: { ...input, events },
      version: 1,
      businessKey,
      actor: 'scxml-conformance',
    };
    const handle = await this.env.client.workflow.start('scxml', {
      taskQueue: TASK_QUEUE,
      workflowId: `scxml-${businessKey}`,
      args: [args],
    });
    try {
      await this.settle(handle);
      if (runsToCompletion(test)) {
        await this.sleep(COMPLETION_HORIZON_MS * input.timeScale);
        await this.settle(handle);
      }
      let current = await this.observe(handle);
      const initial = current.leaves;
      const steps: string[][] = [];
      for (const { event, after } of test.events) {
        if (current.view.status === 'active') {
          if (after) {
            await this.sleep(after * input.timeScale);
            await this.settle(handle);
            current = await this.observe(handle);
          }
          // A machine that reached its final state meanwhile takes no more events.
          if (current.view.status === 'active') {
            await this.send(handle, event.name, event.data);
            await this.settle(handle);
            current = await this.observe(handle);
          }
        }
        steps.push(current.leaves);
      }
      return { initial, steps };
    } catch (error) {
      if (error instanceof TimeLocked) {
        await this.stop();
        await this.startEnvironment();
        throw new Error(`time stood still in the test server: ${error.message}`);
      }
      throw error;
    } finally {
      await this.end(handle).catch(() => undefined);
    }
  }

  /** Sends an event; a refusal (409: no transition takes it now) is SCXML's dropped event. */
  private async send(handle: WorkflowHandle, type: string, data: unknown): Promise<void> {
    const timedOut = Symbol('timed out');
    let timer: NodeJS.Timeout | undefined;
    try {
      const answer = await Promise.race([
        handle.executeUpdate(sendUpdate, {
          args: [data === undefined ? { type } : { type, data }, { actor: 'scxml-conformance' }],
        }),
        new Promise<typeof timedOut>((resolve) => {
          timer = setTimeout(() => resolve(timedOut), STEP_TIMEOUT_MS);
        }),
      ]);
      // An update that never finishes: a workflow task that keeps failing tells why.
      if (answer === timedOut) await this.settle(handle);
    } catch (error) {
      if (
        error instanceof WorkflowUpdateFailedError &&
        error.cause instanceof ApplicationFailure &&
        error.cause.type === 'NotAllowed'
      ) {
        return;
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the workflow and its child machines' workflows. */
  private async end(handle: WorkflowHandle): Promise<void> {
    const events = (await handle.fetchHistory().catch(() => ({ events: [] }))).events ?? [];
    for (const id of [handle.workflowId, ...openChildren(events)]) {
      await this.env.client.workflow
        .getHandle(id)
        .terminate('scxml conformance test over')
        .catch(() => undefined);
    }
  }
}
