import type { Client } from '@temporalio/client';

/**
 * Waits until each process rests: no activity (its read model write, an effect) and no workflow
 * task pending, so that its row has everything it will get until the next event or timer.
 */
export async function untilAtRest(client: Client, ids: readonly string[]): Promise<void> {
  const rests = async (id: string): Promise<boolean> => {
    const { raw } = await client.workflow.getHandle(id).describe();
    return !raw.pendingWorkflowTask && (raw.pendingActivities?.length ?? 0) === 0;
  };
  for (let i = 0; i < 300; i += 1) {
    if ((await Promise.all(ids.map(rests))).every(Boolean)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${ids.join(', ')} did not come to rest within 30 s`);
}
