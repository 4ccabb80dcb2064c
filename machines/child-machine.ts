import type { AnyStateMachine } from 'xstate';
import { z } from 'zod';
import type { ProcessDefinition } from './process-definition.js';

/**
 * A child machine, as far as praxisflow runs one durably: a machine declared with
 * {@link childMachine} in `setup({ actors })` runs, when a state invokes it, as a Temporal child
 * workflow of its own, with the same interpreter (its timers, activities and invoked actors are
 * as durable as the parent's). The invoke's `input` is its input; the `output` of its final
 * state comes back as `xstate.done.actor.<id>`, a child that fails (or is cancelled in Temporal)
 * as `xstate.error.actor.<id>`; leaving the invoking state cancels it.
 */

const CHILD_MACHINE = Symbol.for('praxisflow.childMachine');

/**
 * Marks `machine` as a child machine praxisflow runs as a child workflow:
 * `actors: { checkPractice: childMachine(practiceCheckMachine) }`. The machine itself is
 * unchanged (a test runs it with `createActor` as it is); it is checked like a process's own
 * machine when its parent is registered.
 */
export function childMachine<TMachine extends AnyStateMachine>(machine: TMachine): TMachine {
  if (!Object.hasOwn(machine, CHILD_MACHINE)) {
    Object.defineProperty(machine, CHILD_MACHINE, { value: true, enumerable: false });
  }
  return machine;
}

/** The machine, when `logic` is one declared with {@link childMachine}; else undefined. */
export function childMachineOf(logic: unknown): AnyStateMachine | undefined {
  if (typeof logic !== 'object' || logic === null) return undefined;
  return (logic as { readonly [CHILD_MACHINE]?: boolean })[CHILD_MACHINE] === true
    ? (logic as AnyStateMachine)
    : undefined;
}

/**
 * The definition a child machine runs under in its workflow: the machine found by following
 * `path` (the `src` of each invoke, from the process's machine down) through `setup({ actors })`,
 * under the parent's type and version. Its input is whatever the invoke gave; no outside event
 * reaches it (the API knows only processes), only what its parent sends.
 */
export function childDefinition(
  parent: ProcessDefinition,
  path: readonly string[],
): ProcessDefinition {
  let machine = parent.machine;
  for (const src of path) {
    const child = childMachineOf(machine.implementations.actors[src]);
    if (!child) {
      throw new Error(
        `Machine '${machine.id}' of ${parent.type} v${parent.version} has no child machine '${src}'`,
      );
    }
    machine = child;
  }
  return {
    type: parent.type,
    version: parent.version,
    title: `${parent.title}: ${path.join(' / ')}`,
    machine,
    input: z.unknown(),
    events: {},
    ...(parent.redact ? { redact: parent.redact } : {}),
  };
}
