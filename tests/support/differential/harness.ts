import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type Worker } from '@temporalio/worker';
import {
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { isRunning, openChildren, tasksTaken } from '../histories.js';
import { type StateValue } from 'xstate';
import { afterAll, beforeAll, expect } from 'vitest';
import type { ActionMeta } from '../../../activities/types.js';
import { type ProcessView } from '../../../workflows/protocol.js';
import {
  ACTOR_NAMES,
  settleDelay,
  settleInvocation,
  type ActorName,
  type EventType,
  type InvocationInput,
} from '../../fixtures/generated-machine.js';
import { invokedActor } from '../../../activities/invoked-actor.js';
import {
  createTestWorker,
  createTimeSkippingEnv,
  send,
  startProcess,
  view,
} from '../workflow-env.js';
import {
  GRAIN,
  STEP_TIMEOUT_MS,
  advanceMs,
  invokes,
  pause,
  runReference,
  type Case,
  type Observation,
  type Step,
} from './reference.js';

// ---------------------------------------------------------------------------------------------
// The interpreter: the `generated` workflow in the time-skipping test server.

const effectCalls = new Map<string, string[]>();
/** Invoked actors' activities waiting for their retry (`workflowId/activityId`): at rest. */
const backingOff = new Set<string>();

/**
 * The activity of an invoked actor: settles as the reference's promise does. One that settles
 * later asks, in its first attempt, to be tried again after that delay of workflow time (while
 * it waits, time passes in the test server; while an activity runs, it does not).
 */
const invokedActivity = (src: ActorName) =>
  invokedActor(async (input: InvocationInput, meta) => {
    const { attempt, activityId } = Context.current().info;
    const key = `${meta.workflowId}/${activityId}`;
    if (settleDelay(src) > 0 && attempt === 1) {
      backingOff.add(key);
      throw ApplicationFailure.create({
        message: 'settles later',
        nextRetryDelay: settleDelay(src),
      });
    }
    backingOff.delete(key);
    try {
      return settleInvocation(src, input);
    } catch (error) {
      throw ApplicationFailure.nonRetryable((error as Error).message, 'GeneratedFailure');
    }
  });

try {
  // Quiet worker; a stuck step reports the workflow's history itself.
  const level = process.env.PRAXISFLOW_TEST_LOG === 'warn' ? 'WARN' : 'ERROR';
  Runtime.install({
    logger: new DefaultLogger(level),
    telemetryOptions: { logging: { filter: { core: level, other: level }, forward: {} } },
  });
} catch {
  // Another file in this process installed the runtime already: keep its logger.
}

/**
 * One test server and one worker for the file, as `useTimeSkippingWorker` gives, but
 * restartable: once a workflow task keeps failing, the test server may keep time locked for
 * good, and every later case (fast-check's shrinking included) would time out.
 */
export let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;

async function startEnvironment(): Promise<void> {
  env = await createTimeSkippingEnv();
  worker = await createTestWorker(env, {
    effect: async (params: { tag: string }, meta: ActionMeta) => {
      const calls = effectCalls.get(meta.workflowId) ?? [];
      calls.push(params.tag);
      effectCalls.set(meta.workflowId, calls);
    },
    ...Object.fromEntries(ACTOR_NAMES.map((src) => [src, invokedActivity(src)])),
  });
  running = worker.run();
}

async function stopEnvironment(): Promise<void> {
  worker?.shutdown();
  await Promise.race([running?.catch(() => undefined), pause(5_000)]);
  await env?.teardown();
}

beforeAll(startEnvironment);
afterAll(stopEnvironment);

const observeView = (v: ProcessView): Observation => {
  const start = Date.parse(v.createdAt);
  return {
    state: v.state,
    status: v.status,
    context: v.context,
    allowedEvents: v.allowedEvents,
    // Rounded to the grain: the test server's clock runs on a little while the test talks to it.
    timers: (v.status === 'active' ? v.timers : [])
      .map((timer) => Math.round((Date.parse(timer.dueAt) - start) / GRAIN) * GRAIN)
      .sort((a, b) => a - b),
  };
};

/** Sends an event; a 409 refusal is an answer (the event is not allowed), anything else fails. */
async function sendOrRefuse(
  handle: WorkflowHandle,
  type: EventType,
): Promise<ProcessView | 'refused'> {
  try {
    return await send(handle, { type });
  } catch (error) {
    if (
      error instanceof WorkflowUpdateFailedError &&
      error.cause instanceof ApplicationFailure &&
      error.cause.type === 'NotAllowed'
    ) {
      return 'refused';
    }
    throw error;
  }
}

class StepTimeout extends Error {}

/** A step that did not finish: the test server has been restarted since (see `checkCase`). */
export class StuckStep extends Error {}

/** Set when a step got stuck: the case's `finally` restarts the test server. */
let stuck = false;

/**
 * Fails a step that does not finish: its workflow task keeps failing, or time stands still.
 * The step's calls are cancelled then, before the test server is restarted: a call still open
 * when the server goes away would fail as unavailable, and the client's retry of it would find
 * its channel shut down, an exception no test catches.
 */
async function finishing<T>(
  handle: WorkflowHandle,
  label: string,
  step: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StepTimeout(label)), STEP_TIMEOUT_MS);
  });
  const cancel = new AbortController();
  const work = env.connection.withAbortSignal(cancel.signal, step);
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    if (!(error instanceof StepTimeout)) throw error;
    stuck = true;
    work.catch(() => undefined);
    cancel.abort();
    const history = await handle.fetchHistory();
    const last = (history.events ?? [])
      .slice(-4)
      .map((event) => temporal.api.enums.v1.EventType[event.eventType ?? 0]);
    throw new StuckStep(
      `${label} did not finish within ${STEP_TIMEOUT_MS} ms; the workflow's history ends with ` +
        `${last.join(', ')}: a workflow task that keeps failing, or a test server that keeps ` +
        'time locked (PRAXISFLOW_TEST_LOG=warn shows the worker log)',
    );
  } finally {
    clearTimeout(timer);
  }
}

/** The effect calls of a workflow once at least `count` have arrived (or 2 s have passed). */
async function settled(workflowId: string, count: number): Promise<readonly string[]> {
  for (let waited = 0; waited < 2_000; waited += 20) {
    const calls = effectCalls.get(workflowId) ?? [];
    if (calls.length >= count) return [...calls];
    await pause(20);
  }
  return [...(effectCalls.get(workflowId) ?? [])];
}

const describeStep = (index: number, step: Step): string =>
  'send' in step
    ? `step ${index} (send ${step.send})`
    : `step ${index} (advance ${step.advanceMinutes} min)`;

/** Leaf paths as XState means them: an atomic region of a parallel state has the value `{}`. */
export function activeLeaves(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix + value];
  return Object.entries(value).flatMap(([key, child]) =>
    child === undefined || (typeof child === 'object' && Object.keys(child).length === 0)
      ? [prefix + key]
      : activeLeaves(child, `${prefix}${key}.`),
  );
}

/**
 * Nothing in flight but invoked actors' activities that wait for their retry, here and in every
 * child machine's workflow. The test server reports no pending workflow task, so its history
 * tells: whatever calls for one (an activity's answer, a timer, a child's signal or end)
 * schedules it in the same breath, and the last task event is its completion only once the
 * workflow has taken everything. The history is read before and after the activities and the
 * children, so that all are of one moment.
 */
async function rests(handle: WorkflowHandle): Promise<boolean> {
  const before = (await handle.fetchHistory()).events ?? [];
  if (!tasksTaken(before)) return false;
  const { raw } = await handle.describe();
  const activitiesRest = (raw.pendingActivities ?? []).every((activity) =>
    backingOff.has(`${handle.workflowId}/${activity.activityId}`),
  );
  if (!activitiesRest) return false;
  for (const child of openChildren(before)) {
    if (!(await childRests(child))) return false;
  }
  const after = (await handle.fetchHistory()).events ?? [];
  return after.length === before.length;
}

/**
 * A child machine's workflow the parent's history shows open: at rest only while it runs (one
 * that has closed, but whose end the parent has not recorded yet, is still on its way).
 */
async function childRests(workflowId: string): Promise<boolean> {
  const child = env.client.workflow.getHandle(workflowId);
  try {
    return isRunning((await child.fetchHistory()).events ?? []) && (await rests(child));
  } catch (error) {
    // Initiated, not yet started.
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

/**
 * Waits until nothing of the workflow is in flight (no activity, such as its read model write,
 * and no workflow task, in it or in its child machines' workflows; an invoked actor waiting for
 * its retry is at rest, as is a child machine waiting for its timer). The test server
 * keeps time locked for good when a workflow is terminated with an activity outstanding, and
 * now and then when a query arrives while a workflow task runs.
 */
export async function quiescent(handle: WorkflowHandle): Promise<void> {
  for (let waited = 0; waited < 5_000; waited += 20) {
    if (await rests(handle)) return;
    await pause(20);
  }
}

/**
 * Ends a case's workflow once nothing of it is in flight (see `quiescent`), then its child
 * machines: the test server does not cancel them when their parent closes (ParentClosePolicy
 * REQUEST_CANCEL), and a child left running fires its timers into later cases' time.
 */
export async function endCase(handle: WorkflowHandle): Promise<void> {
  await quiescent(handle);
  const children = openChildren((await handle.fetchHistory()).events ?? []);
  // A query waits for a running workflow task to finish.
  if ((await handle.describe()).status.name === 'RUNNING') await view(handle);
  for (const workflow of [handle, ...children.map((id) => env.client.workflow.getHandle(id))]) {
    await workflow.terminate('differential case over').catch((error: unknown) => {
      // It may have ended meanwhile.
      if (!(error instanceof WorkflowNotFoundError)) throw error;
    });
  }
}

/** Runs one case on both sides and compares them after every step. */
export async function checkCase(c: Case): Promise<void> {
  const reference = await runReference(c);
  // An invoked actor answers after the step that invoked it: compare once it has.
  const answersLater = invokes(c.spec);
  const handle = await startProcess(env, 'generated', { input: { spec: c.spec } });
  try {
    await quiescent(handle);
    const initial = await finishing(handle, 'the initial view', () => view(handle));
    expect(observeView(initial), 'initial state').toEqual(reference.initial);
    let advanced = 0;
    for (const [index, expected] of reference.steps.entries()) {
      const step = c.steps[index]!;
      const label = describeStep(index, step);
      let current: ProcessView;
      if ('send' in step) {
        const answer = await finishing(handle, label, () => sendOrRefuse(handle, step.send));
        expect(answer === 'refused' ? 'refused' : 'taken', `${label}: taken or refused`).toBe(
          expected.accepted ? 'taken' : 'refused',
        );
        if (answersLater) await quiescent(handle);
        current = answer === 'refused' || answersLater ? await view(handle) : answer;
      } else {
        advanced += advanceMs(step);
        await finishing(handle, label, () => env.sleep(advanceMs(step)));
        await quiescent(handle);
        current = await finishing(handle, `the view after ${label}`, () => view(handle));
      }
      expect(observeView(current), `${label}: the view`).toEqual(expected.observation);
      // A refused event does not wait for the activities still running from earlier steps.
      const effects = await settled(handle.workflowId, expected.effects.length);
      expect(effects, `${label}: effect calls so far`).toEqual(expected.effects);
    }
    expect(await settled(handle.workflowId, reference.effects.length), 'all effect calls').toEqual(
      reference.effects,
    );
    // The premise of the timing: the server's clock ran on by far less than the 30 s margin.
    const { startTime } = await handle.describe();
    const drift = (await env.currentTimeMs()) - startTime.getTime() - advanced;
    expect(drift, 'drift of the test server clock').toBeLessThan(GRAIN / 3);
  } finally {
    effectCalls.delete(handle.workflowId);
    if (stuck) {
      stuck = false;
      await stopEnvironment();
      await startEnvironment();
    } else {
      await endCase(handle);
    }
  }
}
