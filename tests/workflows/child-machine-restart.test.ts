import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HOUR,
  createTestWorker,
  createTimeSkippingEnv,
  inState,
  projected,
  send,
  startProcess,
  until,
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

describe('a child machine through a worker restart', () => {
  it('when the worker shuts down while the child waits and another starts, then the child answers and the parent takes its output exactly once', async () => {
    const first = await startWorker();
    const handle = await startProcess(env, 'checker', { input: { bsnr: '123456789' } });
    await send(handle, { type: 'CHECK' });
    await until(
      'the child to report its start',
      async () => ((await view(handle)).context.started === 1 ? true : undefined),
      30_000,
    );

    first.shutdown();
    await workers[0]!.running;
    await startWorker();
    await env.sleep(HOUR + 60_000);

    const checked = await inState(handle, 'checked');
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
