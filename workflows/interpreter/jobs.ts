import type { RejectionEmit } from '../../machines/process-definition.js';
import { SendFailure, type PendingTimer, type ProcessEvent } from './types.js';
import { refusal, type Refusal } from './validation.js';

/** One unit of work: an outside event, a fired timer, or what the start fed back. */
export interface Job {
  readonly event: ProcessEvent;
  readonly actor: string;
  /** When the API accepted a signalled event (SendMeta.sentAt), handed to the machine. */
  readonly sentAt?: string;
  /** Outside events are re-checked when their turn comes: a timer may have moved the state. */
  readonly external: boolean;
  /** The timer that fired, for a timer's event: a cancel before its turn drops it. */
  readonly timer?: PendingTimer;
  /** An operator's cancel of the whole process, with the reason for the audit trail. */
  readonly cancel?: { readonly reason: string };
  finished: boolean;
  refusal?: Refusal;
  /** What an activity of this job handed back for its caller only (see `ProcessView.revealed`). */
  revealed?: Readonly<Record<string, string>>;
}

export interface Link {
  readonly event: ProcessEvent;
  readonly actor: string;
}

/**
 * An activity result may carry `reveal`: values for the caller of the update that caused it
 * (an activation code the registration page shows), never for the machine, its context, the
 * view or the audit trail. Splits it off the event.
 */
export function splitReveal(event: ProcessEvent): {
  readonly event: ProcessEvent;
  readonly reveal?: Readonly<Record<string, string>>;
} {
  const { reveal, ...rest } = event as ProcessEvent & { reveal?: unknown };
  if (typeof reveal !== 'object' || reveal === null) return { event: rest };
  return { event: rest, reveal: reveal as Readonly<Record<string, string>> };
}

export const isEvent = (value: unknown): value is ProcessEvent =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { type?: unknown }).type === 'string';

export const newJob = (event: ProcessEvent, actor: string, external: boolean): Job => ({
  event,
  actor,
  external,
  finished: false,
});

/**
 * The refusal a machine's `rejected` emit stands for. A 409 names what the process takes now
 * (`allowedEvents`), as the interpreter's own 409 does.
 */
export function rejection(emitted: RejectionEmit, allowedEvents: () => string[]): Refusal {
  return refusal(SendFailure.rejected, {
    status: emitted.status,
    detail: emitted.detail,
    ...(emitted.path ? { errors: [{ path: emitted.path, message: emitted.detail }] } : {}),
    ...(emitted.status === 409 ? { allowedEvents: allowedEvents() } : {}),
  });
}
