/**
 * The job of a bulk action: acts on each process it selected, a few at a time and no faster
 * than its rate, and records each result (activities/bulk-actions.ts). Durable and resumable:
 * the processes and their results live in Postgres, so a crashed worker's successor, or the
 * next run after continue-as-new, takes the next pending ones. Cancelled, it stops before the
 * next batch and marks the rest skipped.
 */
import {
  CancellationScope,
  continueAsNew,
  isCancellation,
  proxyActivities,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { BulkActionActivities } from '../activities/bulk-actions.js';
import type { BulkActionArgs } from './protocol.js';

/** Processes read per activity, and acted on at once. */
const PAGE = 100;
const AT_ONCE = 10;

const { pendingBulkItems, finishBulkAction } = proxyActivities<BulkActionActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// One process's action: an update that may wait on its effects (bounded in the activity).
const { applyBulkItem } = proxyActivities<BulkActionActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function bulkAction(args: BulkActionArgs): Promise<void> {
  // At one per second, one at a time: a batch never exceeds a second's worth.
  const atOnce = Math.max(1, Math.min(AT_ONCE, Math.floor(args.ratePerSecond)));
  try {
    for (;;) {
      const page = await pendingBulkItems(args.bulkId, PAGE);
      if (page.length === 0) break;
      for (let i = 0; i < page.length; i += atOnce) {
        const batch = page.slice(i, i + atOnce);
        const began = Date.now();
        await Promise.all(
          batch.map((item) =>
            applyBulkItem({
              bulkId: args.bulkId,
              position: item.position,
              processId: item.processId,
              action: args.action,
              actor: args.actor,
            }),
          ),
        );
        const wait = (batch.length * 1000) / args.ratePerSecond - (Date.now() - began);
        if (wait > 0) await sleep(wait);
      }
      if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof bulkAction>(args);
    }
    await finishBulkAction(args.bulkId, 'done');
  } catch (error) {
    if (isCancellation(error)) {
      await CancellationScope.nonCancellable(() => finishBulkAction(args.bulkId, 'cancelled'));
    }
    throw error;
  }
}
