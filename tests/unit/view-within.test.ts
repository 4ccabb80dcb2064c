import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../api/errors.js';
import { viewWithin } from '../../api/process-handles.js';

/** A process whose view query never answers: no worker polls while the workers restart. */
function silentProcess(): { handle: WorkflowHandle; aborted: () => boolean } {
  let signal: AbortSignal | undefined;
  const handle = {
    workflowId: 'invitation-4711',
    query: () => new Promise(() => undefined),
    client: {
      connection: {
        withAbortSignal: (given: AbortSignal, fn: () => Promise<unknown>) => {
          signal = given;
          return fn();
        },
      },
    },
  } as unknown as WorkflowHandle;
  return { handle, aborted: () => signal?.aborted ?? false };
}

describe('the view of a process', () => {
  it('when no worker answers in time, then the answer is 503 with Retry-After and the query is given up', async () => {
    const { handle, aborted } = silentProcess();
    const started = performance.now();
    const error = await viewWithin(handle, 200).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 503 });
    expect((error as AppError).retryAfter).toBeGreaterThan(0);
    expect((error as AppError).message).toContain('invitation-4711');
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(aborted()).toBe(true);
  });
});
