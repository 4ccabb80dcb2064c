import { initialTransition, type AnyStateMachine } from 'xstate';
import type { ProcessDefinition } from '../../machines/process-definition.js';
import { toEffects, type Effect } from './effects.js';
import type { PendingTimer, ProcessArgs, ProcessView } from './types.js';
import { schemaForPayload } from '../../machines/secrets.js';
import { processView } from './view.js';

/** The definition's machine with the deployment's delay overrides. */
export const machineOf = (
  definition: ProcessDefinition,
  delays: ProcessArgs['delays'],
): AnyStateMachine =>
  delays ? definition.machine.provide({ delays: { ...delays } }) : definition.machine;

/**
 * The timers the initial state's effects leave running, as the workflow's timers keep them:
 * in the order set, a cancel reaching the one last set under its id, none once ended.
 */
function startingTimers(effects: readonly Effect[], now: number, active: boolean): PendingTimer[] {
  const timers: PendingTimer[] = [];
  for (const effect of effects) {
    if (effect.kind === 'schedule' && active) {
      timers.push({
        id: effect.id,
        name: effect.name,
        event: effect.event,
        dueAt: now + effect.delay,
      });
    } else if (effect.kind === 'cancel') {
      const last = timers.map((timer) => timer.id).lastIndexOf(effect.id);
      if (last !== -1) timers.splice(last, 1);
    }
  }
  return timers;
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
  const timers = startingTimers(
    toEffects(actions, machine, (i) => `0.${i}`),
    Date.parse(args.startedAt),
    snapshot.status === 'active',
  );
  return processView({
    id,
    definition,
    machine,
    args,
    snapshot,
    cancelled: false,
    timers,
    incident: null,
    step: 0,
    createdAt: args.startedAt,
    updatedAt: args.startedAt,
  });
}
