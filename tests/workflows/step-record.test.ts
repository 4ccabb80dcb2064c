import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionMeta } from '../../activities/types.js';
import {
  retryUpdate,
  sendUpdate,
  type ProcessEvent,
  type ProcessView,
} from '../../workflows/protocol.js';
import {
  auditOf,
  projected,
  recordHistory,
  refreshed,
  refusalOf,
  send,
  startProcess,
  until,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

/**
 * A step whose first effect is an action hands its read model write to that action's activity:
 * one task through the queue instead of two. What an operator and the read model see stays the
 * same: the step's row and audit entry come before what the action does.
 */

interface Effect {
  readonly note: string;
  /** The audit steps of the process the read model had when the action ran. */
  readonly recordedBefore: number[];
  readonly metaFields: string[];
}
const effects: Effect[] = [];
let failures = 0;

const testEnv = useTimeSkippingWorker({
  recordEffect: async (params: { note: string }, meta: ActionMeta) => {
    effects.push({
      note: params.note,
      recordedBefore: auditOf(meta.workflowId).map((entry) => entry.step),
      metaFields: Object.keys(meta).sort(),
    });
    if (failures > 0) {
      failures -= 1;
      throw ApplicationFailure.nonRetryable('Relais antwortet nicht');
    }
  },
  askOracle: async () => ({ type: 'ANSWERED', answer: 42 }),
});
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = testEnv();
});
beforeEach(() => {
  effects.length = 0;
  failures = 0;
});

/** The activity types the workflow scheduled, in order (over every run of the chain). */
async function scheduledActivities(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).flatMap((event) =>
    event.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
      ? [event.activityTaskScheduledEventAttributes?.activityType?.name ?? '']
      : [],
  );
}

/** The steps the read model has an audit entry of (a step written twice has one: on conflict, nothing). */
const stepsOf = (id: string): number[] => [...new Set(auditOf(id).map((entry) => entry.step))];

describe('a step written with its first action', () => {
  it('when a step runs an action, then its row and audit entry are written by that action’s activity, before the action', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await until('the start recorded', () => (stepsOf(handle.workflowId).length ? true : undefined));

    const answer = await send(handle, { type: 'START' });

    expect(answer.state).toBe('working.busy');
    expect(effects).toEqual([
      {
        note: 'entered busy',
        recordedBefore: [0, answer.step],
        // The write is taken off before the action sees its meta.
        metaFields: ['at', 'idempotencyKey', 'processType', 'step', 'workflowId'],
      },
    ]);
    expect(auditOf(handle.workflowId).map((entry) => entry.event)).toEqual(['STARTED', 'START']);
    // The start's step has no action and writes by itself; START's write went with the action.
    expect(await scheduledActivities(handle)).toEqual(['recordTransition', 'recordEffect']);
    await recordHistory(handle, 'probe--step-written-with-its-action');
  });

  it('when the action fails, then the step’s audit entry is there before the incident shows', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await until('the start recorded', () => (stepsOf(handle.workflowId).length ? true : undefined));
    failures = 1;

    // The answer waits for the action, which waits for an operator.
    const started = send(handle, { type: 'START' });
    const incident = await until(
      'the incident',
      async () => (await view(handle)).incident ?? undefined,
    );

    expect(incident).toMatchObject({ action: 'recordEffect', label: 'Aktion fehlgeschlagen' });
    expect(stepsOf(handle.workflowId)).toEqual([0, 1]);
    const shown = refreshed.find((row) => row.id === handle.workflowId && row.incident);
    expect(shown?.step).toBe(1);

    await handle.executeUpdate(retryUpdate, { args: [{ actor: 'key-operator' }] });
    expect((await started).incident).toBeNull();
    expect(effects).toHaveLength(2);
    await recordHistory(handle, 'probe--action-failed-after-carrying-its-write');
    expect(stepsOf(handle.workflowId)).toEqual([0, 1, 2]);
    expect(auditOf(handle.workflowId).at(-1)).toMatchObject({
      event: 'INCIDENT_RETRIED',
      actor: 'key-operator',
    });
  });

  it('when a run continues as new, then the new run writes no row the last one wrote', async () => {
    const handle = await startProcess(env, 'probe', {
      input: { reminderHours: 3 },
      continueAsNewAfterSteps: 2,
    });
    await send(handle, { type: 'START' });
    const pinged = await send(handle, { type: 'PING', note: 'vor dem neuen Lauf' });
    const first = handle.firstExecutionRunId;
    const latest = env.client.workflow.getHandle(handle.workflowId);
    await until('the next run', async () =>
      (await latest.describe()).runId !== first ? true : undefined,
    );
    const next = await send(latest, { type: 'PING', note: 'im neuen Lauf' });

    expect(next.step).toBe(pinged.step + 1);
    expect(stepsOf(handle.workflowId)).toEqual([0, 1, 2, 3]);
    expect(
      projected.filter((record) => record.view.id === handle.workflowId).map((r) => r.view.step),
    ).toEqual([0, 1, 2, 3]);
    await recordHistory(latest, 'probe--continued-run-writes-no-row-again');
  });
});

/** Sends like the API's event route: the caller writes the step itself from the answer. */
const sendRecording = (handle: WorkflowHandle, event: ProcessEvent): Promise<ProcessView> =>
  handle.executeUpdate(sendUpdate, { args: [event, { actor: 'key-test', recordsStep: true }] });

/** The workflow tasks that completed between the update's acceptance and its answer. */
async function tasksBeforeAnswer(handle: WorkflowHandle): Promise<number> {
  const { EventType } = temporal.api.enums.v1;
  const events = (await handle.fetchHistory()).events ?? [];
  const accepted = events.findLastIndex(
    (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
  );
  const completed = events.findLastIndex(
    (event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
  );
  return events
    .slice(accepted, completed)
    .filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
}

describe('an answer before the write, for a caller that writes the step itself', () => {
  it('when a step has nothing to do but its write, then the answer hands the write over in the step’s own task, and the workflow still writes it', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await send(handle, { type: 'START' });

    const answer = await sendRecording(handle, { type: 'PING', note: 'sofort' });

    expect(answer.context).toMatchObject({ pings: 1 });
    expect(answer.unwritten).toEqual({
      runId: handle.firstExecutionRunId,
      audit: expect.objectContaining({
        step: 2,
        event: 'PING',
        actor: 'key-test',
        from: 'working.busy',
        to: 'working.busy',
        toLabel: 'In Arbeit',
        at: answer.updatedAt,
      }),
    });
    // The update's acceptance and answer in the one task of its step, as a raw update's.
    expect(await tasksBeforeAnswer(handle)).toBe(0);
    await until('the workflow’s own write', () =>
      stepsOf(handle.workflowId).includes(2) ? true : undefined,
    );
    expect(auditOf(handle.workflowId).at(-1)).toEqual(answer.unwritten?.audit);
    expect((await view(handle)).unwritten).toBeUndefined();
    await recordHistory(handle, 'probe--answered-before-its-write');
  });

  it('when a step runs an action, is refused, or the caller does not write, then the answer comes after the write, without one to do', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });

    const started = await sendRecording(handle, { type: 'START' });
    const refused = await refusalOf(sendRecording(handle, { type: 'WRONG' }));
    const plain = await send(handle, { type: 'PING', note: 'wie bisher' });

    expect(started.unwritten).toBeUndefined();
    expect(effects.map((effect) => effect.note)).toEqual(['entered busy']);
    expect(refused).toMatchObject({ type: 'Rejected', details: { detail: 'Das war falsch' } });
    expect(plain.unwritten).toBeUndefined();
    expect(await tasksBeforeAnswer(handle)).toBe(1);
    expect(stepsOf(handle.workflowId)).toEqual([0, 1, 2, 3]);
  });
});
