import type { AnyMachineSnapshot, AnyStateMachine, EventObject } from 'xstate';
import {
  CONTINUE_AS_NEW,
  START_PROCESS,
  type StartProcessParams,
} from '../../machines/process-definition.js';
import { childMachineOf } from '../../machines/child-machine.js';
import {
  promiseActivityOptions,
  type PromiseActivityOptions,
} from '../../machines/promise-activity.js';
import { isParentWorkflow } from './pure-steps.js';
import type { ProcessEvent } from './types.js';

/**
 * What the interpreter must do after a transition, in the order XState produced it.
 * Pure: turns XState's executable actions into effects without running any of them.
 */
export type Effect =
  | { readonly kind: 'activity'; readonly name: string; readonly params: unknown }
  | {
      readonly kind: 'schedule';
      readonly id: string;
      readonly name: string;
      readonly event: ProcessEvent;
      readonly delay: number;
    }
  | { readonly kind: 'cancel'; readonly id: string }
  | { readonly kind: 'emit'; readonly event: ProcessEvent }
  | { readonly kind: 'startProcess'; readonly params: StartProcessParams }
  | { readonly kind: 'continueAsNew' }
  | { readonly kind: 'raiseLater'; readonly event: ProcessEvent }
  /** An invoked (or spawned) promise actor: the activity named `src`, called with `input`. */
  | {
      readonly kind: 'invoke';
      readonly id: string;
      readonly src: string;
      readonly input: unknown;
      readonly options: PromiseActivityOptions;
    }
  /**
   * An invoked (or spawned) child machine declared with `childMachine()`: a child workflow that
   * runs the machine `src` of this machine's `setup({ actors })`, with `input`.
   */
  | {
      readonly kind: 'invokeMachine';
      readonly id: string;
      readonly src: string;
      readonly input: unknown;
    }
  /** `sendTo` a child machine: a signal to its workflow. */
  | { readonly kind: 'sendToChild'; readonly id: string; readonly event: ProcessEvent }
  /** A child machine's `sendParent`: a signal to its parent's workflow. */
  | { readonly kind: 'sendParent'; readonly event: ProcessEvent }
  /** The invoking state was left (or the child stopped): its activity or workflow is cancelled. */
  | { readonly kind: 'stopInvoke'; readonly id: string };

interface ExecutableAction {
  readonly type: string;
  readonly params?: unknown;
}

const AFTER_PREFIX = 'xstate.after.';

/** Built-in actions with nothing to do outside XState (their work is done in the snapshot). */
const INERT_BUILTINS = new Set(['xstate.log', 'xstate.assign']);

/** `xstate.after.invitationExpiry.invitation.registration` → `invitationExpiry`. */
function timerName(id: string): string {
  if (!id.startsWith(AFTER_PREFIX)) return id;
  const rest = id.slice(AFTER_PREFIX.length);
  const dot = rest.indexOf('.');
  return dot === -1 ? rest : rest.slice(0, dot);
}

class UnsupportedActionError extends Error {
  constructor(actionType: string, why: string) {
    super(`praxisflow cannot run action '${actionType}': ${why}`);
    this.name = 'UnsupportedActionError';
  }
}

function isSelf(target: unknown, machine: AnyStateMachine): boolean {
  return (
    typeof target === 'object' &&
    target !== null &&
    (target as { logic?: unknown }).logic === machine
  );
}

/** The invoked child machine a `sendTo` aims at, by its id; undefined for any other target. */
function childMachineTarget(target: unknown): string | undefined {
  if (typeof target !== 'object' || target === null) return undefined;
  const { id, logic } = target as { id?: unknown; logic?: unknown };
  return typeof id === 'string' && childMachineOf(logic) ? id : undefined;
}

/**
 * @param actions executable actions as `transition`/`initialTransition` return them
 * @param machine the machine, to recognise `sendTo` aimed at itself
 * @param anonymousId makes a deterministic id for a delayed event raised without one
 */
export function toEffects(
  actions: readonly ExecutableAction[],
  machine: AnyStateMachine,
  anonymousId: (index: number) => string,
): Effect[] {
  const effects: Effect[] = [];
  actions.forEach((action, index) => {
    const params = (action.params ?? {}) as {
      event?: EventObject;
      delay?: unknown;
      id?: string;
      sendId?: string;
      to?: unknown;
    };
    switch (action.type) {
      case 'xstate.raise':
      case 'xstate.sendTo': {
        const event = params.event as ProcessEvent;
        if (action.type === 'xstate.sendTo' && !isSelf(params.to, machine)) {
          const child = childMachineTarget(params.to);
          const parent = isParentWorkflow(params.to);
          if ((!child && !parent) || typeof params.delay === 'number') {
            throw new UnsupportedActionError(
              action.type,
              'only sending to the machine itself (also delayed), to an invoked child machine ' +
                'or to the parent of a child machine (both without delay) is durable',
            );
          }
          effects.push(
            child ? { kind: 'sendToChild', id: child, event } : { kind: 'sendParent', event },
          );
          return;
        }
        if (typeof params.delay === 'number') {
          const id = params.id ?? anonymousId(index);
          effects.push({ kind: 'schedule', id, name: timerName(id), event, delay: params.delay });
        } else if (action.type === 'xstate.sendTo') {
          effects.push({ kind: 'raiseLater', event });
        }
        // An immediate raise was already taken by XState within the same macrostep.
        return;
      }
      case 'xstate.cancel':
        if (typeof params.sendId === 'string') effects.push({ kind: 'cancel', id: params.sendId });
        return;
      case 'xstate.emit':
        effects.push({ kind: 'emit', event: params.event as ProcessEvent });
        return;
      case 'xstate.spawnChild': {
        const { id, src, input } = action.params as { id: string; src: unknown; input?: unknown };
        if (typeof src === 'string' && childMachineOf(machine.implementations.actors[src])) {
          effects.push({ kind: 'invokeMachine', id, src, input });
          return;
        }
        const options =
          typeof src === 'string'
            ? promiseActivityOptions(machine.implementations.actors[src])
            : undefined;
        if (typeof src !== 'string' || !options) {
          throw new UnsupportedActionError(
            action.type,
            `actor '${typeof src === 'string' ? src : id}' is no promise actor declared with ` +
              'promiseActivity() and no machine declared with childMachine(); only those run ' +
              'durably (as the activity of their name, or as a child workflow)',
          );
        }
        effects.push({ kind: 'invoke', id, src, input, options });
        return;
      }
      case 'xstate.stopChild': {
        // XState hands the child itself; one that no longer exists leaves nothing to stop.
        const child = action.params as { id?: unknown } | undefined;
        if (typeof child?.id === 'string') effects.push({ kind: 'stopInvoke', id: child.id });
        return;
      }
      default:
        if (INERT_BUILTINS.has(action.type)) return;
        if (action.type.startsWith('xstate.')) {
          throw new UnsupportedActionError(
            action.type,
            'praxisflow runs raise, sendTo itself, cancel, emit, log, assign, invoked promise ' +
              'actors and child machines; start another process with a named action',
          );
        }
        if (action.type === CONTINUE_AS_NEW) {
          effects.push({ kind: 'continueAsNew' });
          return;
        }
        if (action.type === START_PROCESS) {
          effects.push({ kind: 'startProcess', params: action.params as StartProcessParams });
          return;
        }
        effects.push({ kind: 'activity', name: action.type, params: action.params ?? {} });
    }
  });
  return effects;
}

/**
 * Refuses children a step added to the snapshot without a `spawnChild` action (an actor spawned
 * inside `assign`): XState's pure transition records them, but nothing would ever run them.
 */
export function refuseChildrenWithoutSpawn(
  before: AnyMachineSnapshot | undefined,
  after: AnyMachineSnapshot,
  effects: readonly Effect[],
): void {
  const spawned = new Set(
    effects.flatMap((effect) =>
      effect.kind === 'invoke' || effect.kind === 'invokeMachine' ? [effect.id] : [],
    ),
  );
  const known = before?.children ?? {};
  const unspawned = Object.keys(after.children).filter(
    (id) => !Object.hasOwn(known, id) && !spawned.has(id),
  );
  if (unspawned.length > 0) {
    throw new UnsupportedActionError(
      'spawn',
      `actor ${unspawned.map((id) => `'${id}'`).join(', ')} was spawned inside assign; ` +
        'invoke a promise actor declared with promiseActivity() or a machine declared with ' +
        'childMachine(), or use spawnChild',
    );
  }
}
