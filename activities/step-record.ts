import type { CarriedOutcome, CarriedRecord } from '../workflows/protocol.js';
import type { ProjectionActivities, TransitionRecord } from './projection.js';

/** How long an action waits for its step's write before it goes on without it. */
const WRITE_WITHIN_MS = 2_000;

type AnyActivity = (...args: unknown[]) => Promise<unknown>;

const carriedRecord = (meta: unknown): TransitionRecord | undefined =>
  typeof meta === 'object' && meta !== null && 'record' in meta
    ? (meta as CarriedRecord<TransitionRecord>).record
    : undefined;

/**
 * Lets every action's activity carry the read model write of its step (see
 * `workflows/interpreter/step-record.ts`): the row and audit entry land first, then the action
 * runs, and its result comes back with whether the write landed. A write Postgres does not take
 * within two seconds is `missed`: the action runs all the same (the process must not wait on
 * its read model), and the interpreter hands the write to its catch-up queue. Every attempt
 * writes again; the write is idempotent by step.
 */
export function withStepRecords<T extends ProjectionActivities>(activities: T): T {
  const projection = new Set<string>(['recordTransition', 'refreshProcess', 'answerBoundary']);
  const wrapped = Object.entries(activities).map(([name, activity]) => {
    if (projection.has(name) || typeof activity !== 'function') return [name, activity];
    const run = activity as AnyActivity;
    const carrying = async (...args: unknown[]): Promise<unknown> => {
      const record = carriedRecord(args[1]);
      if (!record) return run(...args);
      const { record: _, ...meta } = args[1] as CarriedRecord<TransitionRecord> &
        Record<string, unknown>;
      const stepRecord = await writeWithin(activities.recordTransition(record), WRITE_WITHIN_MS);
      const outcome: CarriedOutcome = {
        stepRecord,
        result: await run(args[0], meta, ...args.slice(2)),
      };
      return outcome;
    };
    return [name, carrying];
  });
  return Object.fromEntries(wrapped) as T;
}

async function writeWithin(write: Promise<void>, ms: number): Promise<'written' | 'missed'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'missed'>((resolve) => {
    timer = setTimeout(() => resolve('missed'), ms);
  });
  try {
    return await Promise.race([write.then(() => 'written' as const), late]);
  } catch {
    return 'missed';
  } finally {
    clearTimeout(timer);
    // A write that lands after its time is harmless (idempotent); one that fails is queued.
    write.catch(() => undefined);
  }
}
