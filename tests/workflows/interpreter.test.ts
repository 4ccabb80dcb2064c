import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { cancelUpdate, type ProcessView } from '../../workflows/protocol.js';
import {
  HOUR,
  historyEventTypes,
  projected,
  refusalOf,
  send,
  startProcess,
  useTimeSkippingWorker,
  view,
} from '../support/workflow-env.js';

interface Call {
  readonly name: string;
  readonly params: unknown;
  readonly idempotencyKey: string;
}

const calls: Call[] = [];
const record = (name: string, meta: { idempotencyKey: string }, params: unknown): void => {
  calls.push({ name, params, idempotencyKey: meta.idempotencyKey });
};

const testEnv = useTimeSkippingWorker({
  recordEffect: async (params: unknown, meta: { idempotencyKey: string }) =>
    record('recordEffect', meta, params),
  askOracle: async (params: unknown, meta: { idempotencyKey: string }) => {
    record('askOracle', meta, params);
    return { type: 'ANSWERED', answer: 42 };
  },
});
let env: TestWorkflowEnvironment;
beforeAll(() => {
  env = testEnv();
});

const timer = (v: ProcessView, name: string): number | undefined => {
  const found = v.timers.find((t) => t.name === name);
  return found ? Date.parse(found.dueAt) : undefined;
};

describe('the interpreter', () => {
  it('when started, then the view shows the initial state with its German label and its events', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    const v = await send(handle, { type: 'START' }).then(() => view(handle));
    expect(v).toMatchObject({
      type: 'probe',
      version: 1,
      state: 'working.busy',
      stateLabel: 'In Arbeit',
      status: 'active',
    });
    expect(v.allowedEvents).toEqual(expect.arrayContaining(['PING', 'ASK', 'FINISH']));
    expect(v.allowedEvents).not.toContain('START');
    const entered = calls.filter(
      (c) => c.name === 'recordEffect' && c.idempotencyKey.startsWith(handle.workflowId),
    );
    expect(entered).toHaveLength(1);
    expect(entered[0]?.params).toEqual({ note: 'entered busy' });
    expect(entered[0]?.idempotencyKey).toBe(
      `${handle.workflowId}:${handle.firstExecutionRunId}:1:1`,
    );
  });

  it('when a named delay passes, then its timer fires at that time and not before, and a computed delay re-arms it', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    const started = await send(handle, { type: 'START' });
    const due = timer(started, 'reminder');
    expect(due).toBeDefined();
    expect(due! - Date.parse(started.updatedAt)).toBe(3 * HOUR);
    expect(timer(started, 'expiry')! - Date.parse(started.updatedAt)).toBe(100 * HOUR);

    await env.sleep(3 * HOUR - 60_000);
    expect((await view(handle)).context.reminders).toBe(0);
    await env.sleep(2 * 60_000);
    const after = await view(handle);
    expect(after.context.reminders).toBe(1);
    // Re-entering busy re-arms the reminder with the context-computed 5 h.
    expect(timer(after, 'reminder')! - Date.parse(after.updatedAt)).toBe(5 * HOUR);
    // Leaving and re-entering busy must not touch the expiry of the parent state.
    expect(timer(after, 'expiry')).toBe(timer(started, 'expiry'));
  });

  it('when a delayed raise is cancelled, then it never arrives; when not, it arrives on time', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await send(handle, { type: 'START' });
    await send(handle, { type: 'PING', note: 'first' });
    await send(handle, { type: 'CANCEL_PONG' });
    await env.sleep(2 * HOUR + 60_000);
    expect((await view(handle)).context.pongs).toBe(0);

    const pinged = await send(handle, { type: 'PING', note: 'second' });
    expect(pinged.context).toMatchObject({ pings: 2, notes: ['first', 'second'] });
    expect(pinged.timers.map((t) => t.name)).toContain('pong');
    await env.sleep(2 * HOUR + 60_000);
    expect((await view(handle)).context.pongs).toBe(1);
  });

  it('when the machine sends itself a delayed event, then it arrives, and an eventless transition follows', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await send(handle, { type: 'START' });
    await send(handle, { type: 'BOOST' });
    await send(handle, { type: 'BOOST' });
    await send(handle, { type: 'BOOST' });
    await env.sleep(HOUR + 60_000);
    const v = await view(handle);
    expect(v.context.pongs).toBe(3);
    expect(v).toMatchObject({ state: 'working.saturated', stateLabel: 'Gesättigt' });
  });

  it('when an activity answers with an event, then the update returns the state after that event', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await send(handle, { type: 'START' });
    const answered = await send(handle, { type: 'ASK' });
    expect(answered).toMatchObject({ state: 'working.busy', context: { answer: 42 } });
    expect(
      calls.some((c) => c.name === 'askOracle' && c.idempotencyKey.startsWith(handle.workflowId)),
    ).toBe(true);
  });

  it('when an event is not allowed, unknown, or has a bad payload, then it is refused and history has no trace of it', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await view(handle).catch(() => undefined);
    const before = await historyEventTypes(handle);

    const notAllowed = await refusalOf(send(handle, { type: 'PING', note: 'too early' }));
    expect(notAllowed.type).toBe('NotAllowed');
    expect(notAllowed.details).toMatchObject({ status: 409, allowedEvents: ['START'] });

    const unknown = await refusalOf(send(handle, { type: 'ANSWERED', answer: 1 }));
    expect(unknown.type).toBe('UnknownEvent');
    expect(unknown.details).toMatchObject({ status: 422 });

    await send(handle, { type: 'START' });
    const afterStart = await historyEventTypes(handle);
    const badPayload = await refusalOf(send(handle, { type: 'PING', note: '' }));
    expect(badPayload.type).toBe('InvalidPayload');
    expect(badPayload.details).toMatchObject({ status: 422, errors: [{ path: 'note' }] });

    expect(before.filter((t) => t.includes('UPDATE'))).toEqual([]);
    const updatesAfter = (await historyEventTypes(handle)).filter((t) => t.includes('UPDATE'));
    // Only START was admitted: accepted + completed.
    expect(updatesAfter).toHaveLength(2);
    expect(afterStart.filter((t) => t.includes('UPDATE'))).toHaveLength(2);
  });

  it('when the machine refuses an event it looked at, then the caller gets its status and detail', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await send(handle, { type: 'START' });
    const rejected = await refusalOf(send(handle, { type: 'WRONG' }));
    expect(rejected.type).toBe('Rejected');
    expect(rejected.details).toMatchObject({
      status: 422,
      detail: 'Das war falsch',
      errors: [{ path: 'note' }],
    });
  });

  it('when the expiry passes, then the process ends in its final state with no timers left', async () => {
    const handle = await startProcess(env, 'probe', {
      input: { reminderHours: 3 },
      delays: { expiry: 10 * HOUR },
    });
    await send(handle, { type: 'START' });
    const result = await handle.result();
    expect(result).toMatchObject({
      state: 'expired',
      stateLabel: 'Abgelaufen',
      status: 'done',
      timers: [],
      allowedEvents: [],
    });
  });

  it('when the process continues as new, then state, step and the remaining time of every timer carry over', async () => {
    const handle = await startProcess(env, 'probe', {
      input: { reminderHours: 3 },
      continueAsNewAfterSteps: 2,
    });
    await send(handle, { type: 'START' });
    await env.sleep(HOUR);
    const before = await send(handle, { type: 'PING', note: 'carry me' });
    const description = await handle.describe();
    expect(description.runId).not.toBe(handle.firstExecutionRunId);
    const after = await view(handle);
    expect(after).toMatchObject({
      state: 'working.busy',
      step: before.step,
      context: { pings: 1, notes: ['carry me'] },
    });
    expect(after.timers).toEqual(before.timers);
    await env.sleep(2 * HOUR + 60_000);
    expect((await view(handle)).context.pongs).toBe(1);
  });

  it('when every step is taken, then the projection gets the view and one audit entry per step, in order', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await send(handle, { type: 'START' });
    await send(handle, { type: 'ASK' });
    const final = await view(handle);
    const records = projected.filter((r) => r.view.id === handle.workflowId);
    expect(records.map((r) => r.audit.step)).toEqual(
      Array.from({ length: final.step + 1 }, (_, n) => n),
    );
    expect(records[0]?.audit).toMatchObject({ event: 'STARTED', from: null, actor: 'key-test' });
    // The answer an activity fed back is the system's step, after the event that asked.
    const asked = records.findIndex((r) => r.audit.event === 'ASK');
    expect(records[asked + 1]?.audit).toMatchObject({ event: 'ANSWERED', actor: 'system' });
    expect(records.at(-1)?.view).toEqual(final);
    expect(new Set(records.map((r) => r.runId))).toEqual(new Set([handle.firstExecutionRunId]));
  });

  it('when an operator cancels, then no timer fires any more, the process ends as cancelled, and further events are refused', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await send(handle, { type: 'START' });
    const cancelled = await handle.executeUpdate(cancelUpdate, {
      args: [{ reason: 'Doppelt angelegt', actor: 'key-operator' }],
    });
    expect(cancelled).toMatchObject({ status: 'cancelled', allowedEvents: [], timers: [] });
    expect(cancelled.state).toBe('working.busy');
    const last = projected.filter((r) => r.view.id === handle.workflowId).at(-1);
    expect(last?.audit).toMatchObject({
      event: 'CANCELLED',
      actor: 'key-operator',
      detail: { reason: 'Doppelt angelegt' },
    });
    expect(last?.view.status).toBe('cancelled');
    await env.sleep(200 * HOUR);
    expect((await handle.result()).status).toBe('cancelled');
    expect(await historyEventTypes(handle)).not.toContain('EVENT_TYPE_TIMER_FIRED');
  });

  it('when the workflow is cancelled in Temporal itself, then the read model hears of it as a cancel', async () => {
    const handle = await startProcess(env, 'probe', { input: { reminderHours: 3 } });
    await send(handle, { type: 'START' });
    await handle.cancel();
    await expect(handle.result()).rejects.toThrow();
    const last = projected.filter((r) => r.view.id === handle.workflowId).at(-1);
    expect(last?.audit).toMatchObject({ event: 'CANCELLED', actor: 'temporal' });
    expect(last?.view.status).toBe('cancelled');
  });
});
