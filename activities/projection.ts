import {
  writeProcessRow,
  writeTransition,
  type ReadModel,
  type TransitionRecord,
} from '../db/projection.js';
import type { SlaPolicy } from '../db/sla.js';

export type { AuditEntry, ReadModel, TransitionRecord } from '../db/projection.js';

interface ProjectionDeps {
  readonly readModel: ReadModel;
  /** The deployment's service levels (the row's due time); absent: the defaults. */
  readonly sla?: SlaPolicy;
  /** Counts the transition (and a fired timer) for /metrics, once however often it is written. */
  readonly onTransition?: (record: TransitionRecord) => void;
}

export function createProjectionActivities(deps: ProjectionDeps) {
  return {
    /** Writes the read model row and the audit row of one step; counts the step once. */
    async recordTransition(record: TransitionRecord): Promise<void> {
      if (await writeTransition(deps.readModel, record, deps.sla)) deps.onTransition?.(record);
    },

    /**
     * Does nothing: an update's answer leaves after it (see `process-workflow.ts`), so that the
     * answer follows a history event and is never replayed inside the read model's task.
     */
    async answerBoundary(): Promise<void> {},

    /** Rewrites the row alone (an incident began or ended): no step, no audit entry. */
    async refreshProcess(record: Pick<TransitionRecord, 'view' | 'runId'>): Promise<void> {
      await writeProcessRow(deps.readModel, record.view, record.runId, deps.sla);
    },
  };
}

export type ProjectionActivities = ReturnType<typeof createProjectionActivities>;
