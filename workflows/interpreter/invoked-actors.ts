import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  proxyActivities,
  workflowInfo,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { InvocationMeta } from '../../activities/types.js';
import type { PromiseActivityOptions } from '../../machines/promise-activity.js';
import type { Effect } from './effects.js';
import type { ProcessEvent } from './types.js';

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

/** The failure as the machine gets it: the cause's message and type (`NotFound`, `TimeoutFailure`). */
function errorOf(failure: ActivityFailure): InvocationError {
  const cause = failure.cause ?? failure;
  return {
    message: cause.message.slice(0, 300),
    type: cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : cause.name,
  };
}

/**
 * The invoked promise actors of a process: each runs as the activity named by its `src`, in a
 * cancellation scope of its own. Its outcome is handed to `onSettled` as the event XState
 * expects (`xstate.done.actor.<id>` with `output`, `xstate.error.actor.<id>` with `error`); the
 * caller puts it in line with every other event, and `take` tells, when its turn comes, whether
 * the invocation still runs: one stopped meanwhile (its state left) is never delivered.
 */
export class InvokedActors {
  private readonly running = new Map<
    string,
    { invocation: Invocation; scope: CancellationScope }
  >();

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

  /** Starts the activity of an `invoke` effect; `at` is the transition's workflow time. */
  start(effect: Extract<Effect, { kind: 'invoke' }>, step: number, at: string): void {
    this.stop(effect.id);
    const invocation: Invocation = { id: effect.id, src: effect.src, step };
    const scope = new CancellationScope();
    this.running.set(effect.id, { invocation, scope });
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
    void scope
      .run(() => activity(effect.input, meta))
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
          // Anything but an activity's failure is a bug here: fail the workflow task.
          if (!(error instanceof ActivityFailure)) throw error;
          this.settle(invocation, {
            type: `xstate.error.actor.${effect.id}`,
            error: errorOf(error),
            actorId: effect.id,
          });
        },
      );
  }

  /** The invoking state was left: its activity is cancelled, a late outcome dropped. */
  stop(id: string): void {
    const entry = this.running.get(id);
    if (!entry) return;
    this.running.delete(id);
    entry.scope.cancel();
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
