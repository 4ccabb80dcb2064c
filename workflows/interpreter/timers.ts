import { CancellationScope, isCancellation, sleep } from '@temporalio/workflow';
import { TimerTable, type TimerSink } from './timer-table.js';
import type { PendingTimer } from './types.js';

interface Entry {
  readonly timer: PendingTimer;
  readonly scope: CancellationScope;
}

const LAZY_CANCEL_MARGIN_MS = 60_000;

/**
 * Durable timers: each is a Temporal timer in its own cancellation scope, with its due time
 * kept absolute so it survives continue-as-new with exactly the time it had left. They follow
 * the rules of {@link TimerTable}: when any timer fires, every timer due by then is taken.
 */
export class DurableTimers implements TimerSink {
  private readonly table = new TimerTable<Entry>();
  /** Fired timers whose event is still waiting in line; a cancel still stops them. */
  private readonly fired = new Set<PendingTimer>();

  constructor(private readonly onFire: (timer: PendingTimer) => void) {}

  start(timer: PendingTimer): void {
    const entry: Entry = { timer, scope: new CancellationScope() };
    this.table.set(entry);
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
    const entry = this.table.cancel(id);
    if (entry) this.stop(entry);
  }

  /** True when a fired timer's event may still be taken (no cancel came in between). */
  take(timer: PendingTimer): boolean {
    return this.fired.delete(timer);
  }

  /**
   * Takes the first running timer named `name` off the clock, for an operator who fires it now
   * (its event then goes in line like a fired timer's, by the caller). Undefined when none runs.
   */
  takeNamed(name: string): PendingTimer | undefined {
    const entry = this.table.takeNamed(name);
    if (!entry) return undefined;
    this.stop(entry);
    return entry.timer;
  }

  /** Moves the first running timer named `name` to `dueAt` (in the past: it fires at once). */
  move(name: string, dueAt: number): PendingTimer | undefined {
    const taken = this.takeNamed(name);
    if (!taken) return undefined;
    const moved = { ...taken, dueAt };
    this.start(moved);
    return moved;
  }

  cancelAll(): void {
    for (const entry of this.table.clear()) this.stop(entry);
    this.fired.clear();
  }

  /** Running timers in the order they were set. */
  list(): PendingTimer[] {
    return this.table.list();
  }

  /**
   * Takes every timer due by now (see {@link TimerTable.takeDue}). The timer whose Temporal
   * timer just fired (`firedDueAt`) is due whatever the workflow clock says: it was set to end
   * exactly then. (A fresh worker's first task after a killed one was seen to take an expiry's
   * firing at an earlier workflow time; the timer stayed pending with no Temporal timer left,
   * and the invitation never expired.)
   */
  private fireDue(firedDueAt: number): void {
    for (const entry of this.table.takeDue(Math.max(Date.now(), firedDueAt))) {
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
}
