import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * The interpreter's timers with Temporal's `sleep` replaced by promises the test resolves, so
 * that the workflow clock at a firing can be set apart from the timer's due time.
 */
const sleeps: (() => void)[] = [];
vi.mock('@temporalio/workflow', () => ({
  sleep: () => new Promise<void>((resolve) => sleeps.push(resolve)),
  isCancellation: () => false,
  CancellationScope: class {
    run<T>(fn: () => Promise<T>): Promise<T> {
      return fn();
    }
    cancel(): void {}
  },
}));

const { DurableTimers } = await import('../../workflows/interpreter/timers.js');

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const DUE = Date.parse('2026-12-01T00:29:56.737Z');

afterEach(() => {
  vi.useRealTimers();
  sleeps.length = 0;
});

describe('DurableTimers', () => {
  it('when a Temporal timer fires while the workflow clock still reads earlier, then its timer is taken anyway', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(DUE - 30_000);
    const fired: string[] = [];
    const timers = new DurableTimers((timer) => fired.push(timer.name));
    timers.start({ id: 'e', name: 'invitationExpiry', event: { type: 'E' }, dueAt: DUE });
    timers.start({ id: 'l', name: 'later', event: { type: 'L' }, dueAt: DUE + 60_000 });

    // Its sleep ends, but the task that carries the firing says it is 11 s before the due time.
    vi.setSystemTime(DUE - 11_000);
    sleeps[0]!();
    await flush();

    expect(fired).toEqual(['invitationExpiry']);
    expect(timers.list().map((timer) => timer.name)).toEqual(['later']);
  });

  it('when a timer fires, then every other timer already due goes with it, earliest first', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(DUE - 30_000);
    const fired: string[] = [];
    const timers = new DurableTimers((timer) => fired.push(timer.name));
    timers.start({ id: 'b', name: 'second', event: { type: 'B' }, dueAt: DUE });
    timers.start({ id: 'a', name: 'first', event: { type: 'A' }, dueAt: DUE - 5_000 });
    timers.start({ id: 'c', name: 'not yet', event: { type: 'C' }, dueAt: DUE + 5_000 });

    vi.setSystemTime(DUE + 1_000);
    sleeps[0]!();
    await flush();

    expect(fired).toEqual(['first', 'second']);
    expect(timers.list().map((timer) => timer.name)).toEqual(['not yet']);
  });
});
