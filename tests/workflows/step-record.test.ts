import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import type { WorkflowHandle } from '@temporalio/client';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionMeta } from '../../activities/types.js';
import { retryUpdate } from '../../workflows/protocol.js';
import {
  auditOf,
  projected,
  recordHistory,
  refreshed,
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
