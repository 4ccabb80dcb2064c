import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { retryUpdate } from '../../workflows/protocol.js';
import {
  HOUR,
  projected,
  refreshed,
  refusalOf,
  send,
  startProcess,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

/** The relay behind `recordEffect`: down until the test brings it back. */
let relayDown = true;
let attempts = 0;
let delivered = 0;

const testEnv = useTimeSkippingWorker({
  recordEffect: async () => {
    attempts += 1;
    if (relayDown) throw ApplicationFailure.retryable('connect ECONNREFUSED 127.0.0.1:25');
    delivered += 1;
  },
  askOracle: async () => ({ type: 'ANSWERED', answer: 42 }),
});
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = testEnv();
});

const retry = (handle: Parameters<typeof view>[0], actor = 'key-operator', bulkAction?: string) =>
  handle.executeUpdate(retryUpdate, { args: [{ actor, ...(bulkAction ? { bulkAction } : {}) }] });

describe('incidents', () => {
  it('when an effect fails through all its retries, then the process shows an incident and goes on after an operator retries', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    const started = send(handle, { type: 'START' });

    // Half an hour of backoff passes in no time; then the process waits for an operator.
    await env.sleep(2 * HOUR);
    const stuck = await view(handle);
    expect(stuck.incident).toMatchObject({
      label: 'Aktion fehlgeschlagen',
      action: 'recordEffect',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(attempts).toBe(12);
    expect(refreshed.filter((v) => v.id === handle.workflowId).at(-1)?.incident).toMatchObject({
      action: 'recordEffect',
    });

    relayDown = false;
    // Retried as part of a bulk action over every incident.
    await retry(handle, 'key-operator', 'ba_AllIncidents01');
    const answer = await started;
    expect(answer.state).toBe('working.busy');
    expect(answer.incident).toBeNull();
    expect(delivered).toBe(1);
    // The retry is an audited step of its own: who retried which action, in which bulk action;
    // the incident is over.
    const retried = projected.find(
      (record) => record.view.id === handle.workflowId && record.audit.event === 'INCIDENT_RETRIED',
    );
    expect(retried?.audit).toMatchObject({
      actor: 'key-operator',
      detail: { action: 'recordEffect', bulkAction: 'ba_AllIncidents01' },
      from: stuck.state,
      to: stuck.state,
    });
    expect(retried?.view.incident).toBeNull();
  });

  it('when there is nothing to retry, then the retry is refused with 409', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await send(handle, { type: 'START' });
    const refused = await refusalOf(retry(handle));
    expect(refused.type).toBe('NotAllowed');
    expect(refused.details).toMatchObject({ status: 409 });
  });
});
