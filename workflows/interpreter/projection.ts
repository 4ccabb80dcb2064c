import {
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type {
  AuditEntry,
  ProjectionActivities,
  TransitionRecord,
} from '../../activities/projection.js';
import type { ProcessView, UnwrittenStep } from './types.js';

/**
 * How instances from before the catch-up queue project: a local activity retried until Postgres
 * takes it. A read model outage held their steps (and failed their workflow tasks) for as long
 * as it lasted; they replay with exactly this.
 */
const unbounded = proxyLocalActivities<ProjectionActivities>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
  },
});

/** A step's write: three tries (each at most 2 s, 250 ms and 500 ms apart). */
const BOUNDED_WRITE = {
  startToCloseTimeout: '2 seconds',
  retry: {
    initialInterval: '250 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 second',
    maximumAttempts: 3,
  },
} as const;

/**
 * How instances from before `read-model-by-activity` write a step: a local activity (one marker
 * in history, no extra task round trip). A local activity's result can reach the workflow in a later task than the one that recorded
 * its marker (seen after a Temporal restart, with an update waiting): what the workflow did
 * next then replays in another task than it ran, and the process fails every later task with a
 * nondeterminism error. They replay with exactly this.
 */
const boundedLocal = proxyLocalActivities<ProjectionActivities>(BOUNDED_WRITE);

/**
 * The read model follows every step before the step's answer leaves: a regular activity, whose
 * completion is a history event, so that what follows it runs in the same task on every replay.
 * It costs one round trip through the task queue per step. Postgres refusing connections gives
 * up within a second, one that hangs within about 7 s; a worker killed while writing is noticed
 * after 2 s.
 */
const bounded = proxyActivities<ProjectionActivities>(BOUNDED_WRITE);

/**
 * What Postgres did not take in time goes to the catch-up queue: regular activities, retried
 * until Postgres is back (every 15 s at most), run by any worker, while the process moves on.
 */
const queued = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '15 seconds' },
});

/**
 * Instances that started before the read model existed replay without it; every instance
 * started since (and every continue-as-new run) projects.
 */
const PROJECTION_PATCH = 'read-model-projection';
/** Instances started before the catch-up queue replay with the unbounded local activity. */
const CATCH_UP_PATCH = 'read-model-catch-up';
/** Instances started before it write a step with a local activity (see `boundedLocal`). */
const BY_ACTIVITY_PATCH = 'read-model-by-activity';
/**
 * A step whose first effect is an action hands its write to that action's activity (one task
 * through the queue instead of two; `step-record.ts`), and a run continued as new writes no
 * row it has already (its first view is the last run's last). Instances from before write every
 * step by itself, and once more at the start of every run.
 */
const WITH_EFFECT_PATCH = 'read-model-with-effect';
/**
 * A step with nothing left to do but its write answers a caller that writes it itself (the
 * API's event route, `SendMeta.recordsStep`) before the workflow's own write, which follows
 * idempotent by step: the answer leaves with the step's workflow task, as a raw update's does.
 * Asked only at such a step, so that other histories carry no marker of it.
 */
const ANSWER_FIRST_PATCH = 'read-model-answer-first';

type Write =
  | { readonly kind: 'recordTransition'; readonly record: TransitionRecord }
  | { readonly kind: 'refreshProcess'; readonly record: Pick<TransitionRecord, 'view' | 'runId'> };

/** A step's write handed to its first action (`ActivityRunner.call`). */
export interface StepRecording {
  readonly record: TransitionRecord;
  /** The action ran without writing it (it failed, or its worker does not carry writes). */
  readonly writeNow: () => Promise<void>;
  /** Postgres did not take it in time: the catch-up queue writes it. */
  readonly writeLater: () => void;
}

export class Projection {
  /** Checked before awaiting `record`: without it, not even a microtask may be added. */
  readonly enabled: boolean;
  private readonly catchUp: boolean;
  /** Every write's completion is a history event (see `bounded`). */
  readonly byActivity: boolean;
  /** A step's write goes with its first action; a continued run does not write again. */
  readonly withEffect: boolean;
  /** Writes in the catch-up queue that Postgres has not taken yet. */
  private waiting = 0;

  /** @param wanted false for a child machine's run: it is no process of the read model. */
  constructor(wanted = true) {
    this.enabled = wanted && patched(PROJECTION_PATCH);
    this.catchUp = this.enabled && patched(CATCH_UP_PATCH);
    this.byActivity = this.catchUp && patched(BY_ACTIVITY_PATCH);
    this.withEffect = this.byActivity && patched(WITH_EFFECT_PATCH);
  }

  record(view: ProcessView, audit: Omit<AuditEntry, 'to' | 'toLabel'>): Promise<void> {
    const record = transitionRecord(view, audit);
    if (!this.catchUp) return unbounded.recordTransition(record);
    return this.write({ kind: 'recordTransition', record });
  }

  /** The step's write for its first action to carry (only where `withEffect`). */
  carry(view: ProcessView, audit: Omit<AuditEntry, 'to' | 'toLabel'>): StepRecording {
    const write = { kind: 'recordTransition', record: transitionRecord(view, audit) } as const;
    return {
      record: write.record,
      writeNow: () => this.write(write),
      writeLater: () => this.queue(write),
    };
  }

  /**
   * May this step's answer leave before its write? Only with the write a regular activity and
   * nothing in the catch-up queue (Postgres away: the caller's write would wait in vain).
   */
  answersFirst(): boolean {
    return this.withEffect && this.waiting === 0 && patched(ANSWER_FIRST_PATCH);
  }

  /** The step's write as the answer hands it to its caller (`ProcessView.unwritten`). */
  unwritten(view: ProcessView, audit: Omit<AuditEntry, 'to' | 'toLabel'>): UnwrittenStep {
    const { runId, audit: entry } = transitionRecord(view, audit);
    return { runId, audit: entry };
  }

  /** The row alone, for what is no transition (an incident began or ended). */
  refresh(view: ProcessView): Promise<void> {
    const record = { view, runId: workflowInfo().firstExecutionRunId };
    if (!this.catchUp) return unbounded.refreshProcess(record);
    return this.write({ kind: 'refreshProcess', record });
  }

  /** Writes wait in the catch-up queue. */
  get pending(): boolean {
    return this.waiting > 0;
  }

  /**
   * Resolves once every queued write has landed: a run must not end (or continue as new)
   * before, or its last rows would never be written. Await it only while `pending`, so that a
   * run without a queue adds no microtask to its replay.
   */
  landed(): Promise<void> {
    return condition(() => this.waiting === 0);
  }

  /**
   * Straight into the queue while it holds anything: Postgres is likely still away, and a
   * step need not wait the bound again for that. The writes are idempotent by step, so queued
   * and direct writes may land in any order.
   */
  private async write(write: Write): Promise<void> {
    if (this.waiting === 0) {
      try {
        await call(this.byActivity ? bounded : boundedLocal, write);
        return;
      } catch (error) {
        if (isCancellation(error)) throw error;
      }
    }
    this.queue(write);
  }

  private queue(write: Write): void {
    this.waiting += 1;
    // Not cancelled with the workflow: a cancel through Temporal still ends with its rows.
    void CancellationScope.nonCancellable(() => call(queued, write)).then(
      () => {
        this.waiting -= 1;
      },
      (error: unknown) => {
        // Retried without limit, so only a write Postgres refuses for good ends here: the row
        // stays behind until `npm run reconcile -- --fix`, the process goes on.
        this.waiting -= 1;
        log.error(`The read model refused step ${write.record.view.step}: ${String(error)}`);
      },
    );
  }
}

const transitionRecord = (
  view: ProcessView,
  audit: Omit<AuditEntry, 'to' | 'toLabel'>,
): TransitionRecord => ({
  view,
  runId: workflowInfo().firstExecutionRunId,
  audit: { ...audit, to: view.state, toLabel: view.stateLabel },
});

const call = (activities: ProjectionActivities, write: Write): Promise<void> =>
  write.kind === 'recordTransition'
    ? activities.recordTransition(write.record)
    : activities.refreshProcess(write.record);
