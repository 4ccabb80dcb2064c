import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PracticeCheck } from '../fixtures/child-machine.js';
import { migrateUpdate } from '../../workflows/protocol.js';
import {
  HOUR,
  auditOf,
  historyEventTypes,
  inState,
  projected,
  recordHistory,
  refusalOf,
  send,
  startProcess,
  until,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

/**
 * Child machines in Temporal's time-skipping test server: the test-only `checker` process
 * (tests/fixtures/child-machine.ts) invokes the child machine `practiceCheck` as `check`, which
 * runs as a child workflow and answers an hour later, or at once when hurried.
 */

const testEnv = useTimeSkippingWorker({});
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = testEnv();
});

const scenarios: { workflowId: string; name: string }[] = [];
afterAll(async () => {
  for (const { workflowId, name } of scenarios) {
    await recordHistory(env.client.workflow.getHandle(workflowId), name);
  }
});

type Handle = Parameters<typeof view>[0] & { readonly workflowId: string };

/**
 * The business key of a recorded scenario: its workflow id is the fixture's name, as the replay
 * test runs it under that id, and the child's workflow id is derived from its parent's.
 */
const recordedAs = (name: string): string => name.slice('checker-'.length);

/** The workflow id of the child the CHECK (step 1) invoked as `check`. */
const childOf = (handle: Handle): string => `${handle.workflowId}/check/1`;

const childStatus = async (workflowId: string): Promise<string | undefined> =>
  (await env.client.workflow.getHandle(workflowId).describe()).status.name;

/** The CHECK is taken and the child has told its parent it began. */
async function checkStarted(handle: Handle): Promise<void> {
  const checking = await send(handle, { type: 'CHECK' });
  expect(checking.state).toBe('checking');
  await until('the child to report its start', async () =>
    (await view(handle)).context.started === 1 ? true : undefined,
  );
}

describe('an invoked child machine', () => {
  it('when the child reaches its final state, then the parent takes xstate.done.actor with its output, once', async () => {
    const handle = await startProcess(env, 'checker', {
      input: { bsnr: '123456789' },
      businessKey: recordedAs('checker--done'),
    });
    await checkStarted(handle);
    expect(await childStatus(childOf(handle))).toBe('RUNNING');

    await env.sleep(HOUR + 60_000);
    const checked = await inState(handle, 'checked');
    const result: PracticeCheck = { bsnr: '123456789', listed: true, hurried: false };
    expect(checked).toMatchObject({ stateLabel: 'Geprüft', context: { result, started: 1 } });
    expect(await childStatus(childOf(handle))).toBe('COMPLETED');
    const audit = await until('the done step in the read model', () => {
      const entries = auditOf(handle.workflowId);
      return entries.length === 4 ? entries : undefined;
    });
    expect(audit.map(({ event, actor, from, to }) => ({ event, actor, from, to }))).toEqual([
      { event: 'STARTED', actor: 'key-test', from: null, to: 'idle' },
      { event: 'CHECK', actor: 'key-test', from: 'idle', to: 'checking' },
      { event: 'CHECK_STARTED', actor: 'system', from: 'checking', to: 'checking' },
      { event: 'xstate.done.actor.check', actor: 'system', from: 'checking', to: 'checked' },
    ]);
    // The child belongs to its process: it is no process of the read model.
    expect(auditOf(childOf(handle))).toEqual([]);
    scenarios.push({ workflowId: handle.workflowId, name: 'checker--done' });
    scenarios.push({ workflowId: childOf(handle), name: 'checker--done-child' });
  });

  it('when a child machine runs, then the view lists it with its workflow id; once it is done, or its state is left, it is gone', async () => {
    const handle = await startProcess(env, 'checker', { input: { bsnr: '444444444' } });
    const checking = await send(handle, { type: 'CHECK' });
    expect(checking.children).toEqual([
      {
        id: 'check',
        src: 'practiceCheck',
        kind: 'machine',
        since: checking.updatedAt,
        step: 1,
        workflowId: childOf(handle),
      },
    ]);
    // The child's own view is the same query's: it runs no children of its own.
    const child = await until('the child to answer its view', () =>
      view(env.client.workflow.getHandle(childOf(handle))),
    );
    expect(child).toMatchObject({ state: 'asking', stateLabel: 'Register wird gefragt' });
    expect(child.children).toEqual([]);

    await send(handle, { type: 'HURRY' });
    expect((await inState(handle, 'checked')).children).toEqual([]);
    const done = await until('the done step in the read model', () =>
      projected.find(
        (record) =>
          record.view.id === handle.workflowId && record.audit.event === 'xstate.done.actor.check',
      ),
    );
    expect(done.view.children).toEqual([]);

    // Invoked again (a new child workflow), then left by an event.
    const again = await send(handle, { type: 'CHECK' });
    expect(again.children).toEqual([
      expect.objectContaining({
        id: 'check',
        step: again.step,
        since: again.updatedAt,
        workflowId: `${handle.workflowId}/check/${again.step}`,
      }),
    ]);
    const aborted = await send(handle, { type: 'ABORT' });
    expect(aborted.children).toEqual([]);
  });

  it('when the parent sends the child an event, then the child takes it and answers at once', async () => {
    const handle = await startProcess(env, 'checker', {
      input: { bsnr: '987654321' },
      businessKey: recordedAs('checker--hurried'),
    });
    await checkStarted(handle);
    await send(handle, { type: 'HURRY' });
    const checked = await inState(handle, 'checked');
    expect(checked.context.result).toEqual({ bsnr: '987654321', listed: true, hurried: true });
    expect(await childStatus(childOf(handle))).toBe('COMPLETED');
    scenarios.push({ workflowId: handle.workflowId, name: 'checker--hurried' });
    scenarios.push({ workflowId: childOf(handle), name: 'checker--hurried-child' });
  });

  it('when an event leaves the invoking state, then the child workflow is cancelled and no done event is taken', async () => {
    const handle = await startProcess(env, 'checker', {
      input: { bsnr: '111111111' },
      businessKey: recordedAs('checker--aborted'),
    });
    await checkStarted(handle);
    const aborted = await send(handle, { type: 'ABORT' });
    expect(aborted.state).toBe('aborted');
    await until('the child to be cancelled', async () =>
      (await childStatus(childOf(handle))) === 'CANCELLED' ? true : undefined,
    );
    // Long past the hour the child would have answered in.
    await env.sleep(2 * HOUR);
    const current = await view(handle);
    expect(current.state).toBe('aborted');
    expect(current.context.result).toBeNull();
    expect(auditOf(handle.workflowId).map((entry) => entry.event)).toEqual([
      'STARTED',
      'CHECK',
      'CHECK_STARTED',
      'ABORT',
    ]);
    scenarios.push({ workflowId: handle.workflowId, name: 'checker--aborted' });
    scenarios.push({ workflowId: childOf(handle), name: 'checker--aborted-child' });
  });

  it('when the child workflow is cancelled in Temporal, then the parent takes xstate.error.actor', async () => {
    const handle = await startProcess(env, 'checker', { input: { bsnr: '222222222' } });
    await checkStarted(handle);
    await env.client.workflow.getHandle(childOf(handle)).cancel();
    const failed = await inState(handle, 'failed');
    expect(failed.context.failure).toMatchObject({ type: 'CancelledFailure' });
    // The view may answer before the step's read model write has landed.
    await until('the error step in the read model', () =>
      auditOf(handle.workflowId).some((entry) => entry.event === 'xstate.error.actor.check')
        ? true
        : undefined,
    );
  });

  it('when an operator migrates while the child runs, then the migration is refused naming the child, nothing is written, and the child goes on', async () => {
    const handle = await startProcess(env, 'checker', { input: { bsnr: '444444444' } });
    await checkStarted(handle);
    const before = await historyEventTypes(handle);

    const refused = await refusalOf(
      handle.executeUpdate(migrateUpdate, {
        args: [{ actor: 'key-operator', toVersion: 2, reason: 'Neue Prüfregeln' }],
      }),
    );

    expect(refused.type).toBe('NotAllowed');
    expect(refused.details).toMatchObject({
      status: 409,
      detail: 'An invoked actor is still running (check); migrate once it has finished',
    });
    expect(await historyEventTypes(handle)).toEqual(before);
    expect(await childStatus(childOf(handle))).toBe('RUNNING');
    await send(handle, { type: 'HURRY' });
    expect((await inState(handle, 'checked')).version).toBe(1);
  });

  it('when a child machine invokes a child machine of its own, then the grandchild runs as its child workflow and its output travels up', async () => {
    const handle = await startProcess(env, 'nesting', { input: { n: 21 } });
    const relayed = await inState(handle, 'relayed');
    expect(relayed.context).toMatchObject({ given: 21, n: 42 });
    // The invoke in the initial state belongs to the start (step 0).
    const outer = `${handle.workflowId}/outer/0`;
    expect(await childStatus(outer)).toBe('COMPLETED');
    expect(await childStatus(`${outer}/inner/0`)).toBe('COMPLETED');
    expect(auditOf(outer)).toEqual([]);
  });

  it('when the run is due to continue as new while a child runs, then it waits for the child and carries the result over', async () => {
    const handle = await startProcess(env, 'checker', {
      input: { bsnr: '333333333' },
      continueAsNewAfterSteps: 1,
    });
    await checkStarted(handle);
    // Due since the CHECK, but the child still runs: the same run goes on.
    expect((await handle.describe()).runId).toBe(handle.firstExecutionRunId);
    await send(handle, { type: 'HURRY' });
    await until('the next run', async () =>
      (await handle.describe()).runId !== handle.firstExecutionRunId ? true : undefined,
    );
    const after = await view(handle);
    expect(after).toMatchObject({ state: 'checked', context: { result: { hurried: true } } });
  });
});
