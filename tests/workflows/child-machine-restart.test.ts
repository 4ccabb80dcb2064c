import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOUR,
  createTestWorker,
  createTimeSkippingEnv,
  projected,
  send,
  startProcess,
  view,
} from '../support/workflow-env.js';

/**
 * A worker that goes away while a child machine runs: the child is a workflow of its own, so
 * a new worker takes both it and its parent, the child answers when its hour is up, and the
 * parent takes the answer exactly once.
 */

let env: TestWorkflowEnvironment;
const workers: { worker: Worker; running: Promise<void> }[] = [];

async function startWorker(): Promise<Worker> {
  // No sticky cache: the test server would hold the next workflow task for the dead worker.
  const worker = await createTestWorker(env, {}, { maxCachedWorkflows: 0 });
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

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let waited = 0; waited < 30_000; waited += 100) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not happen within 30 s`);
}

describe('a child machine through a worker restart', () => {
  it('when the worker shuts down while the child waits and another starts, then the child answers and the parent takes its output exactly once', async () => {
    const first = await startWorker();
    const handle = await startProcess(env, 'checker', { input: { bsnr: '123456789' } });
    await send(handle, { type: 'CHECK' });
    await until('the child to report its start', async () =>
      (await view(handle)).context.started === 1 ? true : undefined,
    );

    first.shutdown();
    await workers[0]!.running;
    await startWorker();
    await env.sleep(HOUR + 60_000);

    const checked = await until('the parent to take the answer', async () => {
      const current = await view(handle);
      return current.state === 'checked' ? current : undefined;
    });
    expect(checked.context.result).toEqual({ bsnr: '123456789', listed: true, hurried: false });
    const child = env.client.workflow.getHandle(`${handle.workflowId}/check/1`);
    expect((await child.describe()).status.name).toBe('COMPLETED');
    const done = projected.filter(
      (record) =>
        record.view.id === handle.workflowId && record.audit.event === 'xstate.done.actor.check',
    );
    expect(done).toHaveLength(1);
  }, 60_000);
});
