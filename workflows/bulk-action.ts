/**
 * The job of a bulk action: acts on each process it selected, up to a thousand per activity (a
 * few at once, no faster than its rate), and records each result (activities/bulk-actions.ts).
 * Durable and resumable: the processes and their results live in Postgres, so a crashed
 * worker's successor, or the next run after continue-as-new, takes the pending ones. Cancelled
 * (through the API, which marks the pending ones skipped), it acts on no further process.
 */
import {
  CancellationScope,
  continueAsNew,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { BulkActionActivities } from '../activities/bulk-actions.js';
import type { BulkActionArgs } from './protocol.js';

/** Processes one activity takes at most (it also stops taking after ten minutes). */
const PER_ACTIVITY = 1_000;

const { finishBulkAction } = proxyActivities<BulkActionActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});
// An activity takes new processes for ten minutes at most, then finishes those in flight (each
// answered within 20 s); the heartbeat after each process tells a dead worker from a slow one.
const { applyBulkItems } = proxyActivities<BulkActionActivities>({
  startToCloseTimeout: '15 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

export async function bulkAction(args: BulkActionArgs): Promise<void> {
  try {
    while ((await applyBulkItems({ ...args, limit: PER_ACTIVITY })) > 0) {
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
