import {
  initialTransition,
  transition,
  type AnyEventObject,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import { expect } from 'vitest';

/**
 * A pure machine stepped the way the interpreter steps it, without Temporal: the snapshot and
 * the timers still pending (id → delay in ms), set by `xstate.raise` with a delay, dropped by
 * `xstate.cancel` or by firing. Actions are what the interpreter would carry out.
 */
export interface Run {
  readonly snapshot: AnyMachineSnapshot;
  readonly timers: ReadonlyMap<string, number>;
}

export interface Action {
  readonly type: string;
  readonly params?: unknown;
}

export interface Step {
  readonly run: Run;
  readonly actions: Action[];
}

const effects = (actions: readonly Action[]): Action[] =>
  actions.map(({ type, params }) => ({ type, params }));

function track(timers: ReadonlyMap<string, number>, actions: readonly Action[]) {
  const next = new Map(timers);
  for (const { type, params } of actions) {
    const p = params as { id?: string; delay?: number; sendId?: string };
    if (type === 'xstate.raise' && p.id && p.delay !== undefined) next.set(p.id, p.delay);
    if (type === 'xstate.cancel' && p.sendId) next.delete(p.sendId);
  }
  return next;
}

export function machineHarness(machine: AnyStateMachine) {
  function start(input: unknown): Step {
    const [snapshot, actions] = initialTransition(machine, input);
    const executed = effects(actions);
    return { run: { snapshot, timers: track(new Map(), executed) }, actions: executed };
  }

  function send(run: Run, event: AnyEventObject): Step {
    const [snapshot, actions] = transition(machine, run.snapshot, event);
    const executed = effects(actions);
    const timers = new Map(run.timers);
    timers.delete(event.type); // a timer that fires is spent
    return { run: { snapshot, timers: track(timers, executed) }, actions: executed };
  }

  /** The id of the one pending timer of that delay, as the entering transition scheduled it. */
  function timerId(run: Run, delay: string): string {
    const ids = [...run.timers.keys()].filter((id) => id.startsWith(`xstate.after.${delay}.`));
    expect(ids, `pending ${delay} timers`).toHaveLength(1);
    return ids[0]!;
  }

  /** The timer fires: the interpreter sends the after-event with its id as type. */
  const fire = (run: Run, delay: string, firedAt: string): Step =>
    send(run, { type: timerId(run, delay), receivedAt: firedAt, actor: 'timer' });

  /** Named actions only (what becomes an activity), without timer bookkeeping. */
  const named = (actions: readonly Action[]): Action[] =>
    actions.filter((action) => !action.type.startsWith('xstate.'));

  return { start, send, timerId, fire, named };
}
