/** What the API and the bulk job both write of a bulk action. */
import { inTransaction, type Pool } from './pool.js';

/**
 * Ends a running bulk action: `done`, or `cancelled` with the processes no job has taken yet
 * skipped (one in flight stays pending until it gets its result). Nothing for one that has
 * ended already.
 */
export function endBulkAction(
  pool: Pool,
  bulkId: string,
  status: 'done' | 'cancelled',
): Promise<void> {
  return inTransaction(pool, async (db) => {
    if (status === 'cancelled') {
      await db.query(
        `update bulk_action_items set status = 'skipped', finished_at = now()
          where bulk_id = $1 and status = 'pending' and started_at is null`,
        [bulkId],
      );
    }
    await db.query(
      `update bulk_actions set status = $2, finished_at = now()
        where id = $1 and status = 'running'`,
      [bulkId, status],
    );
  });
}
