import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  ChildWorkflowFailure,
  proxyActivities,
  workflowInfo,
  type ActivityOptions,
  type TemporalFailure,
} from '@temporalio/workflow';
import type { InvocationMeta } from '../../activities/types.js';
import type { PromiseActivityOptions } from '../../machines/promise-activity.js';
import {
  outputOf,
  signalMachine,
  startChildMachine,
  type ChildParent,
  type StartedChild,
} from './child-machines.js';
import { startInStep } from './child-ids.js';
import type { Effect } from './effects.js';
import type { ChildView, ProcessEvent } from './types.js';

/**
 * An invoked actor's activity: one attempt may run 10 minutes, heartbeating (a dead worker is
 * noticed within 30 s); a failure is retried for about 4 minutes (8 attempts, 2 s doubling up
 * to a minute apart) before it goes to the machine, which decides what a failure means.
 */
const invocationPreset = {
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '30 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    maximumAttempts: 8,
  },
} as const satisfies ActivityOptions;

type InvokedActivity = (input: unknown, meta: InvocationMeta) => Promise<unknown>;

/** One invocation of an actor: a later one under the same id is another invocation. */
export interface Invocation {
  readonly id: string;
  readonly src: string;
  /** The step of the transition that invoked it. */
  readonly step: number;
}

type InvokeEffect = Extract<Effect, { kind: 'invoke' | 'invokeMachine' }>;

/** An invocation that runs: its scope, and for a child machine, its workflow. */
interface Running {
  readonly invocation: Invocation;
  readonly kind: ChildView['kind'];
  /** The workflow time of the transition that started it. */
  readonly since: string;
  readonly scope: CancellationScope;
  child?: StartedChild;
}

/** What a failed invocation tells the machine: plain data, no stack. */
interface InvocationError {
  readonly message: string;
  readonly type: string;
}

const optionsOf = (options: PromiseActivityOptions): ActivityOptions => ({
  ...invocationPreset,
  ...(options.startToCloseTimeoutMs ? { startToCloseTimeout: options.startToCloseTimeoutMs } : {}),
  ...(options.heartbeatTimeoutMs ? { heartbeatTimeout: options.heartbeatTimeoutMs } : {}),
  retry: {
    ...invocationPreset.retry,
    ...(options.maximumAttempts ? { maximumAttempts: options.maximumAttempts } : {}),
  },
});

/**
 * The failure as the machine gets it: the cause's message and type (`NotFound`,
 * `TimeoutFailure`, `CancelledFailure` for a child machine cancelled in Temporal).
 */
function errorOf(failure: TemporalFailure): InvocationError {
  const cause = failure.cause ?? failure;
  return {
    message: cause.message.slice(0, 300),
    type: cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : cause.name,
  };
}

/**
 * The invoked actors of a process: a promise actor runs as the activity named by its `src`, a
 * child machine as a child workflow, each in a cancellation scope of its own. Its outcome is
 * handed to `onSettled` as the event XState expects (`xstate.done.actor.<id>` with `output`,
 * `xstate.error.actor.<id>` with `error`); the caller puts it in line with every other event,
 * and `take` tells, when its turn comes, whether the invocation still runs: one stopped
 * meanwhile (its state left) is never delivered.
 */
export class InvokedActors {
  /** In the order they were started: a new invocation under an old id goes to the end. */
  private readonly running = new Map<string, Running>();
  private startsThisStep = { step: -1, count: 0 };

  constructor(
    private readonly processType: string,
    private readonly onSettled: (invocation: Invocation, event: ProcessEvent) => void,
  ) {}

  /** Invocations started and not yet delivered or stopped. */
  get size(): number {
    return this.running.size;
  }

  ids(): string[] {
    return [...this.running.keys()];
  }

  /**
   * What runs now, for the view, in the order it was started. Only workflow time goes in, so
   * every replay shows the same; an outcome that waits for its turn still runs until taken.
   */
  views(): ChildView[] {
    return [...this.running.values()].map(({ invocation, kind, since, child }) => ({
      id: invocation.id,
      src: invocation.src,
      kind,
      since,
      step: invocation.step,
      ...(child ? { workflowId: child.workflowId } : {}),
    }));
  }

  /**
   * Starts the activity of an `invoke` effect, or the child workflow of an `invokeMachine`
   * effect; `at` is the transition's workflow time.
   */
  start(effect: InvokeEffect, step: number, at: string, parent: ChildParent): void {
    this.stop(effect.id);
    const invocation: Invocation = { id: effect.id, src: effect.src, step };
    const scope = new CancellationScope();
    const entry: Running = {
      invocation,
      kind: effect.kind === 'invoke' ? 'activity' : 'machine',
      since: at,
      scope,
    };
    this.running.set(effect.id, entry);
    void scope
      .run(() => {
        if (effect.kind === 'invoke') return this.runActivity(effect, step, at);
        entry.child = startChildMachine(effect, this.startsIn(step), parent);
        return outputOf(entry.child);
      })
      .then(
        (output) => {
          this.settle(invocation, {
            type: `xstate.done.actor.${effect.id}`,
            output,
            actorId: effect.id,
          });
        },
        (error: unknown) => {
          // Stopped by the machine, or the whole workflow cancelled: nothing to deliver.
          if (!this.runs(invocation) || scope.consideredCancelled) return;
          // Anything but an activity's or a child's failure is a bug here: fail the workflow task.
          if (!(error instanceof ActivityFailure || error instanceof ChildWorkflowFailure)) {
            throw error;
          }
          this.settle(invocation, {
            type: `xstate.error.actor.${effect.id}`,
            error: errorOf(error),
            actorId: effect.id,
          });
        },
      );
  }

  private runActivity(
    effect: Extract<Effect, { kind: 'invoke' }>,
    step: number,
    at: string,
  ): Promise<unknown> {
    const activity = proxyActivities<Record<string, InvokedActivity>>(optionsOf(effect.options))[
      effect.src
    ]!;
    const { workflowId, firstExecutionRunId } = workflowInfo();
    const meta: InvocationMeta = {
      workflowId,
      processType: this.processType,
      actorId: effect.id,
      step,
      idempotencyKey: `${workflowId}:${firstExecutionRunId}:${step}:${effect.id}`,
      at,
    };
    return activity(effect.input, meta);
  }

  /**
   * The step, and how many child machines it started before this one: a state entered again
   * in one step stops its child and starts another under the same id, whose workflow id
   * must differ while the first one winds down.
   */
  private startsIn(step: number): string {
    this.startsThisStep =
      this.startsThisStep.step === step
        ? { step, count: this.startsThisStep.count + 1 }
        : { step, count: 0 };
    return startInStep(step, this.startsThisStep.count);
  }

  /** The invoking state was left: its activity or child workflow is cancelled, a late outcome dropped. */
  stop(id: string): void {
    const entry = this.running.get(id);
    if (!entry) return;
    this.running.delete(id);
    entry.scope.cancel();
  }

  /**
   * Sends `event` to the running child machine `id` (the parent's `sendTo`); an actor that is
   * no child machine, or no longer runs, drops it as XState drops what is sent to a stopped one.
   */
  async sendTo(id: string, event: ProcessEvent): Promise<void> {
    const child = this.running.get(id)?.child;
    if (child) await signalMachine(child.started, event);
  }

  /** Whether `workflowId` is the workflow of a child machine that runs now. */
  runsChild(workflowId: string): boolean {
    return [...this.running.values()].some((entry) => entry.child?.workflowId === workflowId);
  }

  stopAll(): void {
    for (const id of this.ids()) this.stop(id);
  }

  /** True when the invocation's outcome may be taken now (it was not stopped meanwhile). */
  take(invocation: Invocation): boolean {
    if (!this.runs(invocation)) return false;
    this.running.delete(invocation.id);
    return true;
  }

  private runs(invocation: Invocation): boolean {
    return this.running.get(invocation.id)?.invocation === invocation;
  }

  private settle(invocation: Invocation, event: ProcessEvent): void {
    // Stopped (its cancel raced its completion): nothing is delivered.
    if (this.runs(invocation)) this.onSettled(invocation, event);
  }
}
