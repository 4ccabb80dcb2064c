import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokedActor } from '../../activities/invoked-actor.js';
import type { InvocationMeta } from '../../activities/types.js';
import type { PracticeListing } from '../fixtures/invoking-machine.js';
import {
  HOUR,
  auditOf,
  historyEventTypes,
  inState,
  projected,
  recordHistory,
  send,
  startProcess,
  until,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

/**
 * Invoked promise actors in Temporal's time-skipping test server: the test-only `invoker`
 * process (tests/fixtures/invoking-machine.ts) invokes `lookUpPractice`, whose activity answers
 * by the BSNR it is asked about.
 */

interface Call {
  readonly bsnr: string;
  readonly attempt: number;
  readonly meta: InvocationMeta;
}

const calls: Call[] = [];
/** Invocations that saw their cancel, by workflow id. */
const cancelled = new Set<string>();
/** Held invocations, released by the test. */
const held = new Map<string, () => void>();

const LISTING: PracticeListing = { listed: true, name: 'Praxis Dr. Sommer' };

const lookUpPractice = invokedActor(
  async (input: { bsnr: string }, meta, signal): Promise<PracticeListing> => {
    const { attempt } = Context.current().info;
    calls.push({ bsnr: input.bsnr, attempt, meta });
    switch (input.bsnr) {
      case 'unknown':
        throw ApplicationFailure.nonRetryable('Betriebsstätte nicht im Register', 'NotFound');
      case 'flaky':
        if (attempt === 1) throw new Error('Register nicht erreichbar');
        return LISTING;
      case 'slow':
        // Comes back in 3 hours of workflow time: longer than the machine's patience (2 h).
        if (attempt === 1) {
          throw ApplicationFailure.create({
            message: 'Register ausgelastet',
            nextRetryDelay: 3 * HOUR,
          });
        }
        return LISTING;
      case 'hanging':
        return new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () => {
            cancelled.add(meta.workflowId);
            reject(new Error('cancelled'));
          });
        });
      case 'held':
        await new Promise<void>((resolve) => held.set(meta.workflowId, resolve));
        return LISTING;
      default:
        return LISTING;
    }
  },
);

const testEnv = useTimeSkippingWorker(
  { lookUpPractice },
  // Heartbeats reach the server at once: a cancel is seen within a beat.
  { maxHeartbeatThrottleInterval: 100 },
);
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = testEnv();
});

const scenarios: { handle: Parameters<typeof recordHistory>[0]; name: string }[] = [];
afterAll(async () => {
  for (const scenario of scenarios) await recordHistory(scenario.handle, scenario.name);
});

const callsOf = (workflowId: string): Call[] =>
  calls.filter((call) => call.meta.workflowId === workflowId);
describe('an invoked promise actor', () => {
  it('when its activity answers, then the machine takes xstate.done.actor with the output, as one audited system step', async () => {
    const handle = await startProcess(env, 'invoker', { input: { bsnr: '123456789' } });
    const checking = await send(handle, { type: 'CHECK' });
    expect(checking.state).toBe('checking');
    const checked = await inState(handle, 'checked');
    expect(checked).toMatchObject({ stateLabel: 'Geprüft', context: { listing: LISTING } });
    const [call, ...more] = callsOf(handle.workflowId);
    expect(more).toEqual([]);
    expect(call).toMatchObject({
      bsnr: '123456789',
      meta: {
        processType: 'invoker',
        actorId: 'register',
        step: 1,
        idempotencyKey: `${handle.workflowId}:${handle.firstExecutionRunId}:1:register`,
      },
    });
    const audit = await until('the done step in the read model', () => {
      const entries = auditOf(handle.workflowId);
      return entries.length === 3 ? entries : undefined;
    });
    expect(audit.map(({ event, actor, from, to }) => ({ event, actor, from, to }))).toEqual([
      { event: 'STARTED', actor: 'key-test', from: null, to: 'idle' },
      { event: 'CHECK', actor: 'key-test', from: 'idle', to: 'checking' },
      { event: 'xstate.done.actor.register', actor: 'system', from: 'checking', to: 'checked' },
    ]);
    scenarios.push({ handle, name: 'invoker--done' });
  });

  it('when its activity runs, then the view and the read model list it as an activity since its step; once it has answered, it is gone', async () => {
    const handle = await startProcess(env, 'invoker', { input: { bsnr: 'held' } });
    const checking = await send(handle, { type: 'CHECK' });
    const running = {
      id: 'register',
      src: 'lookUpPractice',
      kind: 'activity',
      since: checking.updatedAt,
      step: 1,
    };
    expect(checking.children).toEqual([running]);
    const release = await until('the activity to start', () => held.get(handle.workflowId));
    expect((await view(handle)).children).toEqual([running]);
    const projectedOf = (event: string) =>
      until(`the ${event} step in the read model`, () =>
        projected.find(
          (record) => record.view.id === handle.workflowId && record.audit.event === event,
        ),
      );
    expect((await projectedOf('CHECK')).view.children).toEqual([running]);
    expect((await projectedOf('STARTED')).view.children).toEqual([]);

    release();
    const checked = await inState(handle, 'checked');
    expect(checked.children).toEqual([]);
    expect((await projectedOf('xstate.done.actor.register')).view.children).toEqual([]);
  });

  it('when its activity fails for good, then the machine takes xstate.error.actor with message and type, and no stack', async () => {
    const handle = await startProcess(env, 'invoker', { input: { bsnr: 'unknown' } });
    await send(handle, { type: 'CHECK' });
    const failed = await inState(handle, 'failed');
    expect(failed.context.failure).toEqual({
      message: 'Betriebsstätte nicht im Register',
      type: 'NotFound',
    });
    // A non-retryable failure is not tried again.
    expect(callsOf(handle.workflowId)).toHaveLength(1);
    scenarios.push({ handle, name: 'invoker--failed' });
  });

  it('when the first attempt fails, then the retry answers and the machine takes that answer exactly once', async () => {
    const handle = await startProcess(env, 'invoker', { input: { bsnr: 'flaky' } });
    await send(handle, { type: 'CHECK' });
    const checked = await inState(handle, 'checked');
    expect(checked.context.listing).toEqual(LISTING);
    expect(callsOf(handle.workflowId).map((call) => call.attempt)).toEqual([1, 2]);
    // Both attempts share one idempotency key: the same invocation.
    expect(new Set(callsOf(handle.workflowId).map((call) => call.meta.idempotencyKey)).size).toBe(
      1,
    );
    await send(handle, { type: 'CHECK' });
    await inState(handle, 'checked');
    const done = auditOf(handle.workflowId).filter(
      (entry) => entry.event === 'xstate.done.actor.register',
    );
    // One per invocation: the second CHECK invoked it again (attempts 1 and 2 once more).
    expect(done).toHaveLength(2);
    expect(callsOf(handle.workflowId).map((call) => call.attempt)).toEqual([1, 2, 1, 2]);
  });

  it('when an event leaves the invoking state, then the activity sees the cancel and its outcome is never taken', async () => {
    const handle = await startProcess(env, 'invoker', { input: { bsnr: 'hanging' } });
    await send(handle, { type: 'CHECK' });
    await until('the activity to start', () =>
      callsOf(handle.workflowId).length ? true : undefined,
    );
    expect((await view(handle)).children).toEqual([
      expect.objectContaining({ id: 'register', kind: 'activity' }),
    ]);
    const aborted = await send(handle, { type: 'ABORT' });
    expect(aborted.state).toBe('aborted');
    // Its state is left: the process runs it no more.
    expect(aborted.children).toEqual([]);
    await until('the activity to see its cancel', () =>
      cancelled.has(handle.workflowId) ? true : undefined,
    );
    const events = await until('the cancel in the history', async () => {
      const types = await historyEventTypes(handle);
      return types.includes('EVENT_TYPE_ACTIVITY_TASK_CANCELED') ? types : undefined;
    });
    expect(events).toContain('EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED');
    expect((await view(handle)).state).toBe('aborted');
    expect(auditOf(handle.workflowId).map((entry) => entry.event)).toEqual([
      'STARTED',
      'CHECK',
      'ABORT',
    ]);
    scenarios.push({ handle, name: 'invoker--left-by-an-event' });
  });

  it('when a timer leaves the invoking state while the activity waits for its retry, then its late answer is never taken', async () => {
    const handle = await startProcess(env, 'invoker', { input: { bsnr: 'slow' } });
    await send(handle, { type: 'CHECK' });
    await env.sleep(2 * HOUR + 60_000);
    expect((await view(handle)).state).toBe('timedOut');
    await env.sleep(2 * HOUR);
    const current = await view(handle);
    expect(current.state).toBe('timedOut');
    expect(current.context.listing).toBeNull();
    expect(auditOf(handle.workflowId).map((entry) => entry.event)).not.toContain(
      'xstate.done.actor.register',
    );
    // The retry never ran: the cancel reached the activity while it waited.
    expect(callsOf(handle.workflowId).map((call) => call.attempt)).toEqual([1]);
  });

  it('when the run is due to continue as new while an actor runs, then it waits for the outcome and carries the result over', async () => {
    const handle = await startProcess(env, 'invoker', {
      input: { bsnr: 'held' },
      continueAsNewAfterSteps: 1,
    });
    await send(handle, { type: 'CHECK' });
    const release = await until('the activity to start', () => held.get(handle.workflowId));
    // Due since the CHECK, but the actor still runs: the same run goes on.
    expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
    release();
    await until('the next run', async () =>
      (await handle.describe()).runId !== handle.firstExecutionRunId ? true : undefined,
    );
    const after = await view(handle);
    expect(after).toMatchObject({ state: 'checked', context: { listing: LISTING } });
    expect(callsOf(handle.workflowId)).toHaveLength(1);
    const history = await env.client.workflow
      .getHandle(handle.workflowId, handle.firstExecutionRunId)
      .fetchHistory();
    const { EventType } = temporal.api.enums.v1;
    const types = (history.events ?? []).map((event) => event.eventType);
    // The answer was taken in the first run, before it continued as new.
    const completed = types.lastIndexOf(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    const continued = types.indexOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW);
    expect(completed).toBeGreaterThan(-1);
    expect(continued).toBeGreaterThan(completed);
  });
});
