import { Context } from '@temporalio/activity';
import { describe, expect, it } from 'vitest';
import { invokedActor } from '../../activities/invoked-actor.js';
import type { PracticeListing } from '../fixtures/invoking-machine.js';
import {
  projected,
  send,
  startProcess,
  useRestartableWorkers,
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

const workers = useRestartableWorkers();

describe('an invoked actor through a worker restart', () => {
  it('when the worker running its activity shuts down and another starts, then the retry answers and the machine takes it exactly once', async () => {
    const first = await workers.start({ lookUpPractice: onFirstWorker });
    const handle = await startProcess(workers.env(), 'invoker', { input: { bsnr: '123456789' } });
    const running = new Promise<void>((resolve) => (started = resolve));
    await send(handle, { type: 'CHECK' });
    await running;

    first.worker.shutdown();
    await first.running;
    await workers.start({ lookUpPractice: onSecondWorker });

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
