/**
 * A step's read model write carried by the step's first action: the activity writes the row
 * and audit entry of the step, then carries out the action, in one task of the queue instead
 * of two. Shared by the interpreter (which hands the record over) and the worker's activities
 * (which write it, `activities/step-record.ts`).
 */
/**
 * What an action's activity gets besides its own meta when it carries its step's write (a
 * `TransitionRecord` of db/projection.ts).
 */
export interface CarriedRecord<Record = unknown> {
  readonly record: Record;
}

/** An action's outcome when it carried its step's write: whether the write landed, and the result. */
export interface CarriedOutcome {
  /** `missed`: Postgres did not take the write in time; the interpreter queues it. */
  readonly stepRecord: 'written' | 'missed';
  readonly result: unknown;
}

export const isCarriedOutcome = (value: unknown): value is CarriedOutcome =>
  typeof value === 'object' &&
  value !== null &&
  'stepRecord' in value &&
  ((value as CarriedOutcome).stepRecord === 'written' ||
    (value as CarriedOutcome).stepRecord === 'missed');
