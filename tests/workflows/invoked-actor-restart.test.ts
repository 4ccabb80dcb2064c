import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokedActor } from '../../activities/invoked-actor.js';
import type { PracticeListing } from '../fixtures/invoking-machine.js';
import {
  createTestWorker,
  createTimeSkippingEnv,
  projected,
  send,
  startProcess,
  view,
} from '../support/workflow-env.js';

/**
 * A worker that goes away while an invoked actor's activity runs on it: the attempt is lost, a
 * new worker takes the retry and the workflow, and the machine takes the answer exactly once.
 */

const LISTING: PracticeListing = { listed: true, name: 'Praxis Dr. Sommer' };
const attempts: { worker: string; attempt: number; key: string }[] = [];
let started: () => void = () => undefined;

/** The first worker's activity starts, then never answers: its worker is shut down under it. */
const onFirstWorker = invokedActor(async (_input: { bsnr: string }, meta) => {
  attempts.push({
    worker: 'first',
    attempt: Context.current().info.attempt,
    key: meta.idempotencyKey,
  });
  started();
  return new Promise<PracticeListing>(() => undefined);
});

const onSecondWorker = invokedActor(async (_input: { bsnr: string }, meta) => {
  attempts.push({
    worker: 'second',
    attempt: Context.current().info.attempt,
    key: meta.idempotencyKey,
  });
  return LISTING;
});

let env: TestWorkflowEnvironment;
const workers: { worker: Worker; running: Promise<void> }[] = [];

async function startWorker(activity: typeof onFirstWorker): Promise<Worker> {
  // No sticky cache: the test server would hold the next workflow task for the dead worker.
  const worker = await createTestWorker(
    env,
    { lookUpPractice: activity },
    { maxCachedWorkflows: 0 },
  );
  workers.push({ worker, running: worker.run() });
  return worker;
}

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

describe('an invoked actor through a worker restart', () => {
  it('when the worker running its activity shuts down and another starts, then the retry answers and the machine takes it exactly once', async () => {
    const first = await startWorker(onFirstWorker);
    const handle = await startProcess(env, 'invoker', { input: { bsnr: '123456789' } });
    const running = new Promise<void>((resolve) => (started = resolve));
    await send(handle, { type: 'CHECK' });
    await running;

    first.shutdown();
    await workers[0]!.running;
    await startWorker(onSecondWorker);

    let current = await view(handle);
    for (let waited = 0; current.state !== 'checked' && waited < 30_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      current = await view(handle);
    }
    expect(current).toMatchObject({ state: 'checked', context: { listing: LISTING } });
    expect(attempts.map(({ worker, attempt }) => ({ worker, attempt }))).toEqual([
      { worker: 'first', attempt: 1 },
      { worker: 'second', attempt: 2 },
    ]);
    expect(new Set(attempts.map((attempt) => attempt.key)).size).toBe(1);
    const done = projected.filter(
      (record) =>
        record.view.id === handle.workflowId && record.audit.event === 'xstate.done.actor.register',
    );
    expect(done).toHaveLength(1);
  }, 60_000);
});
