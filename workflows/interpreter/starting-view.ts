import { initialTransition, type AnyStateMachine } from 'xstate';
import type { ProcessDefinition } from '../../machines/process-definition.js';
import { toEffects } from './effects.js';
import { applyTimerEffects, PureTimers } from './timer-table.js';
import type { ProcessArgs, ProcessView } from './types.js';
import { schemaForPayload } from '../../machines/secrets.js';
import { processView } from './view.js';

/** The definition's machine with the deployment's delay overrides. */
export const machineOf = (
  definition: ProcessDefinition,
  delays: ProcessArgs['delays'],
): AnyStateMachine =>
  delays ? definition.machine.provide({ delays: { ...delays } }) : definition.machine;

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
  const timers = new PureTimers();
  applyTimerEffects(
    timers,
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
    timers: timers.list(),
    incident: null,
    step: 0,
    createdAt: args.startedAt,
    updatedAt: args.startedAt,
  });
}
