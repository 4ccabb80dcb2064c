import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import type { PendingTimer } from './types.js';

/**
 * Durable timers: each is a Temporal timer in its own cancellation scope, with its due time
 * kept absolute so it survives continue-as-new with exactly the time it had left.
 */
export class DurableTimers {
  private readonly pending = new Map<string, { timer: PendingTimer; scope: CancellationScope }>();

  constructor(private readonly onFire: (timer: PendingTimer) => void) {}

  /** Starts (or, for an id already running, restarts) a timer. */
  start(timer: PendingTimer): void {
    this.cancel(timer.id);
    const scope = new CancellationScope();
    this.pending.set(timer.id, { timer, scope });
    // Temporal has no zero-length timer; a due time in the past fires at once.
    const remaining = Math.max(1, timer.dueAt - Date.now());
    void scope
      .run(() => sleep(remaining))
      .then(
        () => {
          if (this.pending.get(timer.id)?.scope !== scope) return;
          this.pending.delete(timer.id);
          this.onFire(timer);
        },
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      );
  }

  cancel(id: string): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    entry.scope.cancel();
  }

  cancelAll(): void {
    for (const id of [...this.pending.keys()]) this.cancel(id);
  }

  list(): PendingTimer[] {
    return [...this.pending.values()].map((entry) => entry.timer);
  }
}
