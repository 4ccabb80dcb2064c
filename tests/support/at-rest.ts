import type { Client, WorkflowHandle } from '@temporalio/client';

/** Whether nothing of the process is in flight now: no activity, no workflow task. */
async function restsNow(handle: WorkflowHandle): Promise<boolean> {
  const { raw } = await handle.describe();
  return !raw.pendingWorkflowTask && (raw.pendingActivities?.length ?? 0) === 0;
}

/**
 * Waits until each process rests: no activity (its read model write, an effect) and no workflow
 * task pending, so that its row has everything it will get until the next event or timer.
 */
export async function untilAtRest(client: Client, ids: readonly string[]): Promise<void> {
  const handles = ids.map((id) => client.workflow.getHandle(id));
  for (let i = 0; i < 300; i += 1) {
    if ((await Promise.all(handles.map(restsNow))).every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${ids.join(', ')} did not come to rest within 30 s`);
}
