import { patched, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { AuditEntry, ProjectionActivities } from '../../activities/projection.js';
import type { ProcessView } from './types.js';

/**
 * The read model follows every step before the step's answer leaves: a local activity (one
 * marker in history, no extra task round trip), retried until Postgres takes it, so that a
 * read model outage delays processes but never loses a row.
 */
const { recordTransition, refreshProcess } = proxyLocalActivities<ProjectionActivities>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '500 milliseconds',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
  },
});

/**
 * Instances that started before the read model existed replay without it; every instance
 * started since (and every continue-as-new run) projects.
 */
const PROJECTION_PATCH = 'read-model-projection';

export class Projection {
  /** Checked before awaiting `record`: without it, not even a microtask may be added. */
  readonly enabled = patched(PROJECTION_PATCH);

  record(view: ProcessView, audit: Omit<AuditEntry, 'to' | 'toLabel'>): Promise<void> {
    return recordTransition({
      view,
      runId: workflowInfo().firstExecutionRunId,
      audit: { ...audit, to: view.state, toLabel: view.stateLabel },
    });
  }

  /** The row alone, for what is no transition (an incident began or ended). */
  refresh(view: ProcessView): Promise<void> {
    return refreshProcess({ view, runId: workflowInfo().firstExecutionRunId });
  }
}
