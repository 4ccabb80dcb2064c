import {
  initialTransition,
  transition,
  type AnyEventObject,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import { expect } from 'vitest';
import { toEffects } from '../../workflows/interpreter/effects.js';
import { PureTimers, applyTimerEffects } from '../../workflows/interpreter/timer-table.js';

/**
 * A pure machine stepped the way the interpreter steps it, without Temporal: the snapshot and
 * the timers still pending (id → delay in ms), kept by the interpreter's own timer rules
 * (`TimerTable`): set by a delayed raise, dropped by a cancel or by firing. Actions are what
 * the interpreter would carry out.
 */
export interface Run {
  readonly snapshot: AnyMachineSnapshot;
  readonly timers: ReadonlyMap<string, number>;
  /** The same timers as the interpreter keeps them; each step works on a copy. */
  readonly table: PureTimers;
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

export function machineHarness(machine: AnyStateMachine) {
  /** The run after a step: its timers set at a notional 0, so that a due time is the delay. */
  function after(snapshot: AnyMachineSnapshot, table: PureTimers, actions: Action[]): Step {
    const step = toEffects(actions, machine, (i) => `harness.${i}`);
    applyTimerEffects(table, step, 0, snapshot.status === 'active');
    const timers = new Map(table.list().map((timer) => [timer.id, timer.dueAt] as const));
    return { run: { snapshot, timers, table }, actions: effects(actions) };
  }

  function start(input: unknown): Step {
    const [snapshot, actions] = initialTransition(machine, input);
    return after(snapshot, new PureTimers(), effects(actions));
  }

  function send(run: Run, event: AnyEventObject): Step {
    const [snapshot, actions] = transition(machine, run.snapshot, event);
    const table = run.table.clone();
    table.fire(event.type); // a timer that fires is spent
    return after(snapshot, table, effects(actions));
  }

  /** The id of the one pending timer of that delay, as the entering transition scheduled it. */
  function timerId(run: Run, delay: string): string {
    const ids = run.table
      .list()
      .filter((timer) => timer.name === delay)
      .map((timer) => timer.id);
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
