import {
  ActivityFailure,
  CancellationScope,
  condition,
  isCancellation,
  patched,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import type { TransitionRecord } from '../../activities/projection.js';
import type { ActionMeta } from '../../activities/types.js';
import type { StepRecording } from './projection.js';
import { isCarriedOutcome, type CarriedRecord } from './step-record.js';
import type { Incident } from './types.js';

/**
 * Effects retry with backoff for about half an hour (12 attempts, 2 s doubling up to 10 min
 * apart): long enough to ride out a relay restart, short enough that an operator hears of a
 * real outage the same day.
 */
const activityPresets = {
  effect: {
    // A worker that dies mid-send is noticed after this; an SMTP send takes seconds.
    startToCloseTimeout: '1 minute',
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '10 minutes',
      maximumAttempts: 12,
    },
  },
} as const;

type EffectActivity = (
  params: unknown,
  meta: ActionMeta & Partial<CarriedRecord<TransitionRecord>>,
) => Promise<unknown>;
const activities = proxyActivities<Record<string, EffectActivity>>(activityPresets.effect);

/** An operator's retry of an incident is an audited step (`INCIDENT_RETRIED`). */
const AUDITED_RETRY_PATCH = 'audited-incident-retry';

/** Actions whose failure means a person did not get a message. */
const NOTIFYING = /^(send|issue|notify|deliver)[A-Z]/;

const causeOf = (failure: ActivityFailure): string =>
  (failure.cause?.message ?? failure.message).slice(0, 300);

/**
 * An action that carries its step's read model write: the write is made here after all when
 * the action failed (before its incident shows) or its worker does not carry writes (the
 * result comes bare), and queued when Postgres did not take it in time.
 */
async function carrying(
  recording: StepRecording,
  attempt: () => Promise<unknown>,
): Promise<unknown> {
  let outcome: unknown;
  try {
    outcome = await attempt();
  } catch (error) {
    // A cancel through Temporal still ends with the step's row.
    await CancellationScope.nonCancellable(recording.writeNow);
    throw error;
  }
  if (!isCarriedOutcome(outcome)) {
    await recording.writeNow();
    return outcome;
  }
  if (outcome.stepRecord === 'missed') recording.writeLater();
  return outcome.result;
}

/**
 * Runs the named actions as activities and keeps the process's incident. When one has used up
 * its retries, the process shows an incident ("Benachrichtigung fehlgeschlagen") and waits, its
 * events queued, until an operator retries; the retry runs the same action under the same
 * idempotency key, so the outbox sends nothing twice.
 */
export class ActivityRunner {
  incident: Incident | undefined;
  private retryRequested = false;
  /** Who asked for the retry (an API key id). */
  private retriedBy = '';
  /** Facts of the retry for its audit entry (the bulk action it belongs to). */
  private retryAudit: Readonly<Record<string, unknown>> | undefined;

  constructor(
    private readonly processType: string,
    /** Tells the read model that an incident began or ended. */
    private readonly onIncidentChange: () => Promise<void>,
    /** Audits an operator's retry (which also ends the incident in the read model). */
    private readonly onRetried: (retry: {
      readonly actor: string;
      readonly action: string;
      readonly audit?: Readonly<Record<string, unknown>>;
    }) => Promise<void>,
  ) {}

  /**
   * `at`: the workflow time of the transition that produced the action; `recording`: the
   * step's read model write, carried by the action's first attempt.
   */
  async call(
    name: string,
    params: unknown,
    step: number,
    index: number,
    at: string,
    recording?: StepRecording,
  ): Promise<unknown> {
    const activity = activities[name];
    if (!activity) throw new Error(`No activity for action '${name}'`);
    // The first run id tells apart a process started again under an ended one's id.
    const { workflowId, firstExecutionRunId } = workflowInfo();
    const meta: ActionMeta = {
      workflowId,
      processType: this.processType,
      step,
      idempotencyKey: `${workflowId}:${firstExecutionRunId}:${step}:${index}`,
      at,
    };
    let carried = recording;
    return this.untilDone(
      name,
      step,
      async () => {
        const recordingNow = carried;
        carried = undefined;
        if (!recordingNow) return activity(params, meta);
        return carrying(recordingNow, () =>
          activity(params, { ...meta, record: recordingNow.record }),
        );
      },
      (error) =>
        error instanceof ActivityFailure
          ? {
              label: NOTIFYING.test(name)
                ? 'Benachrichtigung fehlgeschlagen'
                : 'Aktion fehlgeschlagen',
              message: causeOf(error),
            }
          : undefined,
    );
  }

  /**
   * Runs `attempt` until it succeeds. A failure `incidentOf` recognises becomes the process's
   * incident: it waits, its events queued, until an operator retries; any other error fails
   * the workflow task as before.
   */
  async untilDone<T>(
    action: string,
    step: number,
    attempt: () => Promise<T>,
    incidentOf: (error: unknown) => Pick<Incident, 'label' | 'message'> | undefined,
  ): Promise<T> {
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        const failure = isCancellation(error) ? undefined : incidentOf(error);
        if (!failure) throw error;
        this.incident = {
          label: failure.label,
          action,
          step,
          message: failure.message,
          since: new Date().toISOString(),
        };
        this.retryRequested = false;
        await this.onIncidentChange();
        await condition(() => this.retryRequested);
        this.incident = undefined;
        // Instances from before replay their retries without an audit entry.
        if (patched(AUDITED_RETRY_PATCH)) {
          await this.onRetried({
            actor: this.retriedBy,
            action,
            ...(this.retryAudit ? { audit: this.retryAudit } : {}),
          });
        } else {
          await this.onIncidentChange();
        }
      }
    }
  }

  /** An operator's retry of the failed action. */
  retry(actor: string, audit?: Readonly<Record<string, unknown>>): void {
    this.retryRequested = true;
    this.retriedBy = actor;
    this.retryAudit = audit;
  }
}
