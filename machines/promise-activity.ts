import {
  fromPromise,
  type AnyActorLogic,
  type AnyStateMachine,
  type AnyStateNode,
  type PromiseActorLogic,
} from 'xstate';
import { childMachineOf } from './child-machine.js';

/**
 * Invoked actors, as far as praxisflow runs them durably: a promise actor declared by name in
 * `setup({ actors })` with {@link promiseActivity} runs as the Temporal activity of that name,
 * called with the actor's input; its result comes back as XState's `xstate.done.actor.<id>`, its
 * failure (once the activity's retries are spent) as `xstate.error.actor.<id>`. A child machine
 * declared with `childMachine()` runs as a child workflow (see child-machine.ts). Every other
 * kind of actor (callback, observable, transition, an undeclared child machine) lives in memory
 * only and cannot survive a worker's restart: a machine that names one is refused when it is
 * registered.
 */

/** How the activity of one actor runs, where the interpreter's preset does not fit. */
export interface PromiseActivityOptions {
  /**
   * How long the activity may go without a heartbeat before Temporal takes its attempt as lost
   * (a worker that died) and retries it: the time a crash costs, and how soon a cancel is seen.
   */
  readonly heartbeatTimeoutMs?: number;
  /** The longest one attempt may run. */
  readonly startToCloseTimeoutMs?: number;
  /** Attempts before the failure goes to the machine as `xstate.error.actor.<id>`. */
  readonly maximumAttempts?: number;
}

const PROMISE_ACTIVITY = Symbol.for('praxisflow.promiseActivity');

type TaggedLogic = AnyActorLogic & { readonly [PROMISE_ACTIVITY]: PromiseActivityOptions };

/**
 * The placeholder of a promise actor that runs as the activity named like its key in
 * `setup({ actors })`, the way a named action is a placeholder for its activity:
 * `actors: { lookUpPractice: promiseActivity<{ bsnr: string }, PracticeListing>() }`. Run
 * outside the interpreter (by `createActor`) it fails; tests `provide` an implementation.
 */
export function promiseActivity<TInput, TOutput>(
  options: PromiseActivityOptions = {},
): PromiseActorLogic<TOutput, TInput> {
  const logic = fromPromise<TOutput, TInput>(() =>
    Promise.reject(new Error('A promise activity runs as a Temporal activity, not in memory')),
  );
  Object.defineProperty(logic, PROMISE_ACTIVITY, { value: { ...options }, enumerable: false });
  return logic;
}

/** The options of a promise activity; undefined for any other logic. */
export function promiseActivityOptions(logic: unknown): PromiseActivityOptions | undefined {
  if ((typeof logic !== 'object' && typeof logic !== 'function') || logic === null) {
    return undefined;
  }
  return (logic as Partial<TaggedLogic>)[PROMISE_ACTIVITY];
}

/** What kind of actor a logic is, for a refusal that says why. */
function kindOf(logic: unknown): string {
  if (logic === undefined) return 'an inline actor without a name';
  if (typeof logic === 'object' && logic !== null && 'root' in logic) {
    return 'a child machine not declared with childMachine()';
  }
  return 'not made with promiseActivity() (a callback, observable or transition actor, or a plain fromPromise)';
}

const WHY =
  'praxisflow runs only promise actors declared with promiseActivity() in setup({ actors }), as the ' +
  'Temporal activity of their name, and child machines declared with childMachine(), as child ' +
  'workflows; callback, observable and transition actors live in memory only and would not ' +
  'survive a worker restart';

const nodesOf = (node: AnyStateNode): AnyStateNode[] => [
  node,
  ...Object.values(node.states).flatMap(nodesOf),
];

/** The action objects of a state node: entry, exit, and those of its transitions. */
function actionsOf(node: AnyStateNode): unknown[] {
  return [
    ...node.entry,
    ...node.exit,
    ...[...node.transitions.values()].flat().flatMap((transition) => transition.actions),
    ...(node.always ?? []).flatMap((transition) => transition.actions),
  ];
}

/**
 * Every actor of a machine that praxisflow cannot run durably, each as a sentence naming the
 * machine, the actor and why; empty when the machine may be registered. Checks the actors of
 * `setup({ actors })`, every `invoke` and every `spawnChild` action, and every child machine
 * the same way. (An actor spawned inside `assign` has no action to look at: the interpreter
 * refuses it when it appears.)
 */
export function refusedActors(
  machine: AnyStateMachine,
  checked: Set<AnyStateMachine> = new Set(),
): string[] {
  if (checked.has(machine)) return [];
  checked.add(machine);
  const actors = machine.implementations.actors as Readonly<Record<string, unknown>>;
  const refusals: string[] = [];
  for (const [src, logic] of Object.entries(actors)) {
    const child = childMachineOf(logic);
    if (child) {
      refusals.push(...refusedActors(child, checked));
    } else if (!promiseActivityOptions(logic)) {
      refusals.push(`Machine '${machine.id}': actor '${src}' is ${kindOf(logic)}. ${WHY}.`);
    }
  }
  for (const node of nodesOf(machine.root)) {
    const where = node.path.length > 0 ? `state '${node.path.join('.')}'` : 'the root';
    for (const invoke of node.invoke) {
      const src = invoke.src;
      if (typeof src !== 'string' || !Object.hasOwn(actors, src)) {
        refusals.push(
          `Machine '${machine.id}': the actor invoked as '${invoke.id}' in ${where} is ${kindOf(undefined)}; ` +
            `declare it by name in setup({ actors }) with promiseActivity() or childMachine(), so that ` +
            `its activity or child workflow has a name. ${WHY}.`,
        );
      }
    }
    for (const action of actionsOf(node)) {
      const spawn = action as { type?: unknown; src?: unknown; id?: unknown };
      if (spawn.type !== 'xstate.spawnChild') continue;
      if (typeof spawn.src !== 'string' || !Object.hasOwn(actors, spawn.src)) {
        const what =
          typeof spawn.src === 'string'
            ? `'${spawn.src}', which setup({ actors }) does not declare`
            : kindOf(spawn.src);
        refusals.push(
          `Machine '${machine.id}': a spawnChild in ${where} starts ${what}; spawn an actor ` +
            `declared by name in setup({ actors }) with promiseActivity() or childMachine(). ${WHY}.`,
        );
      }
    }
  }
  return refusals;
}
