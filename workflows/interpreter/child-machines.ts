import {
  CancellationScope,
  ParentClosePolicy,
  defineSignal,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  startChild,
  workflowInfo,
  type ChildWorkflowHandle,
} from '@temporalio/workflow';
import { childWorkflowId } from './child-ids.js';
import type { Effect } from './effects.js';
import type { ChildMachineResult, ProcessArgs, ProcessEvent } from './types.js';

/** What the parent's side gives a child machine's workflow. */
export interface ChildParent {
  readonly args: ProcessArgs;
  /** The version the parent runs now: it may have migrated since it started. */
  readonly version: number;
}

type ChildMachineWorkflow = (args: ProcessArgs) => Promise<ChildMachineResult>;

/** A child machine's workflow, once asked for. */
export interface StartedChild {
  readonly workflowId: string;
  readonly started: Promise<ChildWorkflowHandle<ChildMachineWorkflow>>;
}

/** An event between a child machine and its parent: the sender's workflow id and the event. */
interface MachineMessage {
  readonly from: string;
  readonly event: ProcessEvent;
}

/**
 * Carries `sendTo(<child>)` from a parent to its child machine and `sendParent` from a child
 * machine to its parent. Not part of the published protocol: a workflow takes it only from its
 * parent or from a child machine it runs.
 */
export const machineMessageSignal = defineSignal<[MachineMessage]>('praxisflow.machineMessage');

/**
 * Starts a child machine as a child workflow of the same workflow type as its parent: the
 * workflow code finds the machine deterministically in the parent's definition (same type and
 * version, the `src` path from the process's machine down, see `childDefinition`). Cancelling
 * the caller's scope cancels the child.
 *
 * A parent that closes without stopping it (terminated, timed out) has the child cancelled
 * too (ParentClosePolicy REQUEST_CANCEL): a child machine never outlives its parent; a
 * process that should outlive it starts another process with `startProcess`.
 */
export function startChildMachine(
  effect: Extract<Effect, { kind: 'invokeMachine' }>,
  /** The parent's step that invoked it, unique per invocation (see `InvokedActors`). */
  step: string,
  parent: ChildParent,
): StartedChild {
  const { workflowId: parentId, workflowType } = workflowInfo();
  const { args } = parent;
  const workflowId = childWorkflowId(parentId, effect.id, step);
  const childArgs: ProcessArgs = {
    input: effect.input,
    version: parent.version,
    businessKey: args.businessKey,
    actor: parentId,
    ...(args.practiceId ? { practiceId: args.practiceId } : {}),
    ...(args.delays ? { delays: args.delays } : {}),
    child: {
      path: [...(args.child?.path ?? []), effect.src],
      parentId,
      actorId: effect.id,
    },
  };
  const started = startChild<ChildMachineWorkflow>(workflowType, {
    workflowId,
    args: [childArgs],
    parentClosePolicy: ParentClosePolicy.REQUEST_CANCEL,
  });
  return { workflowId, started };
}

/** The output of the child's final state, once its workflow has completed. */
export async function outputOf(child: StartedChild): Promise<unknown> {
  const result = await (await child.started).result();
  return result.output;
}

/**
 * Signals `event` to another workflow of the same process (a child machine, or the parent of
 * one) and waits until it is in that workflow's history: what a child sends before it ends
 * reaches its parent before its end does. A recipient that has ended meanwhile drops it, as a
 * stopped XState actor drops what is sent to it.
 */
export async function signalMachine(
  to: string | Promise<ChildWorkflowHandle<ChildMachineWorkflow>>,
  event: ProcessEvent,
): Promise<void> {
  const message: MachineMessage = { from: workflowInfo().workflowId, event };
  try {
    const handle = typeof to === 'string' ? getExternalWorkflowHandle(to) : await to;
    await handle.signal(machineMessageSignal, message);
  } catch (error) {
    // The whole workflow was cancelled: that goes on up. Anything else: the recipient is gone.
    if (isCancellation(error) && CancellationScope.current().consideredCancelled) throw error;
    log.warn(`Dropped ${event.type} for a machine that has ended: ${String(error)}`);
  }
}
