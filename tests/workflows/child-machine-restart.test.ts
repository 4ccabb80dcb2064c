import { describe, expect, it } from 'vitest';
import {
  HOUR,
  inState,
  projected,
  send,
  startProcess,
  until,
  useRestartableWorkers,
  view,
} from '../support/workflow-env.js';

/**
 * A worker that goes away while a child machine runs: the child is a workflow of its own, so
 * a new worker takes both it and its parent, the child answers when its hour is up, and the
 * parent takes the answer exactly once.
 */

const workers = useRestartableWorkers();

describe('a child machine through a worker restart', () => {
  it('when the worker shuts down while the child waits and another starts, then the child answers and the parent takes its output exactly once', async () => {
    const first = await workers.start();
    const env = workers.env();
    const handle = await startProcess(env, 'checker', { input: { bsnr: '123456789' } });
    await send(handle, { type: 'CHECK' });
    await until(
      'the child to report its start',
      async () => ((await view(handle)).context.started === 1 ? true : undefined),
      30_000,
    );

    first.worker.shutdown();
    await first.running;
    await workers.start();
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
