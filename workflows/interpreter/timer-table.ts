import type { Effect } from './effects.js';
import type { PendingTimer } from './types.js';

/**
 * The rules of a process's timers, as XState's own scheduler keeps them, in one place for the
 * workflow (`DurableTimers`), the view at the start (`starting-view.ts`) and the pure machine
 * tests (`tests/support/machine-harness.ts`). Pure: no clock, no Temporal.
 *
 * - Timers run in the order they were set.
 * - `cancel(id)` reaches the timer last set under that id; setting an id again leaves the
 *   earlier timer running, uncancellable.
 * - Once any timer of an id fires, no timer of that id can be cancelled any more.
 * - When timers are due together, the earliest goes first and, at the same instant, the one
 *   set first (Temporal gives no order among timers due together).
 */
export class TimerTable<Entry extends { readonly timer: PendingTimer }> {
  private readonly entries: Entry[] = [];
  private readonly cancellable = new Map<string, Entry>();

  set(entry: Entry): void {
    this.entries.push(entry);
    this.cancellable.set(entry.timer.id, entry);
  }

  /** Removes the timer `cancel(id)` reaches and returns it; undefined when none is. */
  cancel(id: string): Entry | undefined {
    const entry = this.cancellable.get(id);
    if (!entry) return undefined;
    this.cancellable.delete(id);
    this.remove(entry);
    return entry;
  }

  /** Takes every timer due by `now`, earliest first, ties in the order set. */
  takeDue(now: number): Entry[] {
    const due = this.entries
      .filter((entry) => entry.timer.dueAt <= now)
      .sort((a, b) => a.timer.dueAt - b.timer.dueAt);
    for (const entry of due) this.take(entry);
    return due;
  }

  /** Takes the first timer set under `id` as fired (a pure test fires a timer by its id). */
  fire(id: string): Entry | undefined {
    const entry = this.entries.find((candidate) => candidate.timer.id === id);
    if (entry) this.take(entry);
    return entry;
  }

  /** Takes the first running timer named `name` (an operator fires or moves it). */
  takeNamed(name: string): Entry | undefined {
    const entry = this.entries.find((candidate) => candidate.timer.name === name);
    if (entry) this.take(entry);
    return entry;
  }

  /** Removes every timer (the process ended) and returns them. */
  clear(): Entry[] {
    this.cancellable.clear();
    return this.entries.splice(0);
  }

  /** Running timers in the order they were set. */
  list(): PendingTimer[] {
    return this.entries.map((entry) => entry.timer);
  }

  /** An independent copy with the same timers and the same cancel rules. */
  clone(): TimerTable<Entry> {
    const copy = new TimerTable<Entry>();
    copy.entries.push(...this.entries);
    for (const [id, entry] of this.cancellable) copy.cancellable.set(id, entry);
    return copy;
  }

  private take(entry: Entry): void {
    this.remove(entry);
    this.cancellable.delete(entry.timer.id);
  }

  private remove(entry: Entry): void {
    const index = this.entries.indexOf(entry);
    if (index !== -1) this.entries.splice(index, 1);
  }
}

/** Where a step's timers go: the workflow's durable timers, or a pure table. */
export interface TimerSink {
  start(timer: PendingTimer): void;
  cancel(id: string): void;
}

/** Timers without a clock: the view at the start and the pure machine tests keep them so. */
export class PureTimers implements TimerSink {
  constructor(private readonly table = new TimerTable<{ readonly timer: PendingTimer }>()) {}

  clone(): PureTimers {
    return new PureTimers(this.table.clone());
  }

  start(timer: PendingTimer): void {
    this.table.set({ timer });
  }

  cancel(id: string): void {
    this.table.cancel(id);
  }

  fire(id: string): void {
    this.table.fire(id);
  }

  list(): PendingTimer[] {
    return this.table.list();
  }
}

/**
 * Carries out a step's timer effects at `now`, in the order XState produced them: schedules
 * set a timer, cancels cancel one. A process that is no longer active sets none (XState's actor
 * stops its scheduler too).
 */
export function applyTimerEffects(
  timers: TimerSink,
  effects: readonly Effect[],
  now: number,
  active: boolean,
): void {
  for (const effect of effects) {
    if (effect.kind === 'schedule') {
      if (!active) continue;
      timers.start({
        id: effect.id,
        name: effect.name,
        event: effect.event,
        dueAt: now + effect.delay,
      });
    } else if (effect.kind === 'cancel') {
      timers.cancel(effect.id);
    }
  }
}
