import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import type { PendingTimer } from './types.js';

interface Entry {
  readonly timer: PendingTimer;
  readonly scope: CancellationScope;
}

/**
 * Durable timers: each is a Temporal timer in its own cancellation scope, with its due time
 * kept absolute so it survives continue-as-new with exactly the time it had left.
 *
 * They fire as in XState's own scheduler: when any timer fires, every timer due by then is
 * taken, earliest first and, at the same instant, in the order they were set (Temporal gives
 * no order among timers due together). `cancel(id)` reaches the timer last set under that id;
 * setting an id again leaves the earlier timer running, uncancellable; once any timer of an
 * id fires, no timer of that id can be cancelled any more.
 */
const LAZY_CANCEL_MARGIN_MS = 60_000;

export class DurableTimers {
  /** Every running timer, in the order set. */
  private readonly entries: Entry[] = [];
  /** The timer `cancel(id)` reaches. */
  private readonly cancellable = new Map<string, Entry>();
  /** Fired timers whose event is still waiting in line; a cancel still stops them. */
  private readonly fired = new Set<PendingTimer>();

  constructor(private readonly onFire: (timer: PendingTimer) => void) {}

  start(timer: PendingTimer): void {
    const entry: Entry = { timer, scope: new CancellationScope() };
    this.entries.push(entry);
    this.cancellable.set(timer.id, entry);
    // Temporal has no zero-length timer; a due time in the past fires at once.
    const remaining = Math.max(1, timer.dueAt - Date.now());
    void entry.scope
      .run(() => sleep(remaining))
      .then(
        () => this.fireDue(timer.dueAt),
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      );
  }

  cancel(id: string): void {
    for (const timer of this.fired) {
      if (timer.id === id) this.fired.delete(timer);
    }
    const entry = this.cancellable.get(id);
    if (!entry) return;
    this.cancellable.delete(id);
    this.remove(entry);
    this.stop(entry);
  }

  /** True when a fired timer's event may still be taken (no cancel came in between). */
  take(timer: PendingTimer): boolean {
    return this.fired.delete(timer);
  }

  cancelAll(): void {
    for (const entry of this.entries.splice(0)) this.stop(entry);
    this.cancellable.clear();
    this.fired.clear();
  }

  /** Running timers in the order they were set. */
  list(): PendingTimer[] {
    return this.entries.map((entry) => entry.timer);
  }

  /**
   * Takes every timer due by now, earliest first, ties in the order they were set. The timer
   * whose Temporal timer just fired (`firedDueAt`) is due whatever the workflow clock says: it
   * was set to end exactly then. (A fresh worker's first task after a killed one was seen to
   * take an expiry's firing at an earlier workflow time; the timer stayed pending with no
   * Temporal timer left, and the invitation never expired.)
   */
  private fireDue(firedDueAt: number): void {
    const now = Math.max(Date.now(), firedDueAt);
    const due = this.entries
      .filter((entry) => entry.timer.dueAt <= now)
      .sort((a, b) => a.timer.dueAt - b.timer.dueAt);
    for (const entry of due) {
      this.remove(entry);
      this.cancellable.delete(entry.timer.id);
      this.fired.add(entry.timer);
      this.onFire(entry.timer);
    }
  }

  /**
   * Cancels the Temporal timer, unless it is (nearly) due: then it may be firing at this very
   * moment on the server, where a cancel would race the firing; its firing is simply not
   * heeded (its entry is gone). The margin covers the time between computing a due time and
   * the server starting the timer.
   */
  private stop(entry: Entry): void {
    if (entry.timer.dueAt > Date.now() + LAZY_CANCEL_MARGIN_MS) entry.scope.cancel();
  }

  private remove(entry: Entry): void {
    const index = this.entries.indexOf(entry);
    if (index !== -1) this.entries.splice(index, 1);
  }
}
