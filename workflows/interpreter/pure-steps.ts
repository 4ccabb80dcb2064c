import {
  createActor,
  createMachine,
  initialTransition,
  transition,
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
} from 'xstate';
import type { ProcessEvent } from './types.js';

/** An action as XState's pure functions hand it back: to be turned into effects. */
interface ExecutableAction {
  readonly type: string;
  readonly params?: unknown;
}

/** XState's pure steps, with the actions they leave to the interpreter. */
export interface PureSteps {
  initial(machine: AnyStateMachine, input: unknown): [AnyMachineSnapshot, ExecutableAction[]];
  next(
    machine: AnyStateMachine,
    snapshot: AnyMachineSnapshot,
    event: ProcessEvent,
  ): [AnyMachineSnapshot, ExecutableAction[]];
}

/** A process: XState's own `initialTransition` and `transition`, as they are. */
export const processSteps: PureSteps = {
  initial: (machine, input) => initialTransition(machine, input),
  next: (machine, snapshot, event) => transition(machine, snapshot, event),
};

/**
 * The stand-in for the parent workflow of a child machine: `sendParent` aims at it, and the
 * interpreter signals the parent instead. Never started.
 */
const parentWorkflow = createMachine({ id: 'praxisflow.parentWorkflow' });

/** Whether a `sendTo` aims at the parent workflow's stand-in (a child machine's `sendParent`). */
export const isParentWorkflow = (target: unknown): boolean =>
  typeof target === 'object' &&
  target !== null &&
  (target as { logic?: unknown }).logic === parentWorkflow;

/**
 * The scope XState's own `transition` builds (an actor of the machine that is never started,
 * in a fresh system, collecting the actions instead of running them), but with a parent: a
 * top-level machine has none, and its `sendParent` would throw. Mirrors XState 5's
 * `createInertActorScope`; the differential and child machine tests hold it to XState.
 */
function childScope(machine: AnyStateMachine): {
  scope: AnyActorScope;
  actions: ExecutableAction[];
} {
  const actions: ExecutableAction[] = [];
  const self = createActor(machine);
  const parent = createActor(parentWorkflow);
  // The eager initial snapshot of `self` may have registered actors in its system: a fresh one.
  const { system } = parent;
  Object.assign(self, { system, _parent: parent });
  const scope = {
    self,
    id: '',
    sessionId: '',
    system,
    defer: () => undefined,
    logger: () => undefined,
    stopChild: () => undefined,
    emit: () => undefined,
    actionExecutor: (action: ExecutableAction) => {
      actions.push(action);
    },
  };
  return { scope: scope as unknown as AnyActorScope, actions };
}

/** A child machine's run: the same steps, with its parent workflow as `self._parent`. */
export const childSteps: PureSteps = {
  initial: (machine, input) => {
    const { scope, actions } = childScope(machine);
    return [machine.getInitialSnapshot(scope, input), actions];
  },
  next: (machine, snapshot, event) => {
    const { scope, actions } = childScope(machine);
    return [machine.transition(snapshot, event, scope), actions];
  },
};
