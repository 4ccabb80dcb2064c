import { initialTransition, type AnyStateMachine } from 'xstate';
import type { ProcessDefinition } from '../../machines/process-definition.js';
import { childWorkflowId, startInStep } from './child-ids.js';
import { toEffects, type Effect } from './effects.js';
import { applyTimerEffects, PureTimers } from './timer-table.js';
import type { ChildView, ProcessArgs, ProcessView } from './types.js';
import { schemaForPayload } from '../../machines/secrets.js';
import { processView } from './view.js';

/** The definition's machine with the deployment's delay overrides. */
export const machineOf = (
  definition: ProcessDefinition,
  delays: ProcessArgs['delays'],
): AnyStateMachine =>
  delays ? definition.machine.provide({ delays: { ...delays } }) : definition.machine;

/**
 * The invoked actors the initial state's effects leave running, as the workflow's first step
 * starts them (`InvokedActors`): a child machine's workflow id counts the machines started in
 * the step, from the second on.
 */
function startingChildren(effects: readonly Effect[], id: string, at: string): ChildView[] {
  const running = new Map<string, ChildView>();
  let machines = 0;
  for (const effect of effects) {
    if (effect.kind === 'stopInvoke') running.delete(effect.id);
    if (effect.kind !== 'invoke' && effect.kind !== 'invokeMachine') continue;
    running.delete(effect.id);
    const child = { id: effect.id, src: effect.src, since: at, step: 0 };
    if (effect.kind === 'invoke') {
      running.set(effect.id, { ...child, kind: 'activity' });
    } else {
      const start = startInStep(0, machines);
      machines += 1;
      running.set(effect.id, {
        ...child,
        kind: 'machine',
        workflowId: childWorkflowId(id, effect.id, start),
      });
    }
  }
  return [...running.values()];
}

/**
 * The view of a process at the instant it starts (`args.startedAt`), from its pure machine
 * alone. The API answers a start with it without waiting for a worker; the workflow's first
 * view is the same, as it starts from the same machine, input, delays and instant.
 */
export function startingView(
  definition: ProcessDefinition,
  args: ProcessArgs & { readonly startedAt: string },
  id: string,
): ProcessView {
  const machine = machineOf(definition, args.delays);
  const input = schemaForPayload(definition.input, args.input).parse(args.input);
  const [snapshot, actions] = initialTransition(machine, input);
  // The timers the initial state's effects leave running, as the workflow's timers keep them.
  const effects = toEffects(actions, machine, (i) => `0.${i}`);
  const active = snapshot.status === 'active';
  const timers = new PureTimers();
  applyTimerEffects(timers, effects, Date.parse(args.startedAt), active);
  return processView({
    id,
    definition,
    machine,
    args,
    snapshot,
    cancelled: false,
    timers: timers.list(),
    incident: null,
    // Started by the workflow only while the process is active, as its actors are.
    children: active ? startingChildren(effects, id, args.startedAt) : [],
    step: 0,
    createdAt: args.startedAt,
    updatedAt: args.startedAt,
  });
}
