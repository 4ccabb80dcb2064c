/**
 * XState's own run of a converted SCXML test: `createActor` with a simulated clock, advanced from
 * due time to due time (one long increment would start a timer set inside it late).
 */
import { createActor, SimulatedClock, type AnyStateMachine, type StateValue } from 'xstate';
import type { ScionTest } from './suite.js';

/** The active atomic states' keys (the sanitized SCXML ids), sorted. */
function leafIds(value: StateValue): string[] {
  const leaves = (v: StateValue): string[] =>
    typeof v === 'string'
      ? [v]
      : Object.entries(v).flatMap(([key, child]) =>
          child === undefined || (typeof child === 'object' && Object.keys(child).length === 0)
            ? [key]
            : leaves(child),
        );
  return leaves(value).sort();
}

export interface Observed {
  /** The leaf ids after the start (and after each event), or the error that ended the run. */
  readonly initial: readonly string[] | { readonly error: string };
  readonly steps: readonly (readonly string[] | { readonly error: string })[];
}

interface PendingTimeouts {
  readonly timeouts: Map<unknown, { start: number; timeout: number }>;
}

/** Whether the test runs to completion without events (a W3C test: it ends in `pass`). */
export const runsToCompletion = (test: ScionTest): boolean => test.events.length === 0;

/** Time given to a test that runs to completion, in unscaled ms. */
export const COMPLETION_HORIZON_MS = 30_000;

export function runReference(
  machine: AnyStateMachine,
  test: ScionTest,
  timeScale: number,
): Observed {
  const clock = new SimulatedClock();
  const actor = createActor(machine, { clock, logger: () => undefined });
  actor.subscribe({ error: () => undefined });
  const observe = (): readonly string[] | { readonly error: string } => {
    const snapshot = actor.getSnapshot();
    if (snapshot.status === 'error') return { error: String(snapshot.error) };
    return leafIds(snapshot.value);
  };
  const earliest = (): number =>
    Math.min(
      ...[...(clock as unknown as PendingTimeouts).timeouts.values()].map(
        ({ start, timeout }) => start + timeout,
      ),
    );
  const advanceTo = (until: number): void => {
    for (let next = earliest(); next <= until; next = earliest()) {
      if (actor.getSnapshot().status !== 'active') return;
      clock.set(Math.max(next, clock.now()));
    }
    clock.set(until);
  };
  actor.start();
  if (runsToCompletion(test)) advanceTo(COMPLETION_HORIZON_MS * timeScale);
  const initial = observe();
  const steps: (readonly string[] | { readonly error: string })[] = [];
  for (const { event, after } of test.events) {
    if (actor.getSnapshot().status === 'active') {
      if (after) advanceTo(clock.now() + after * timeScale);
      const { name, data } = event;
      actor.send(data === undefined ? { type: name } : { type: name, data });
    }
    steps.push(observe());
  }
  actor.stop();
  return { initial, steps };
}
