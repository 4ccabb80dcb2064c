import type { Invocation } from './invoked-actors.js';
import type { Refusal } from './refusals.js';
import type {
  PendingTimer,
  ProcessEvent,
  ProcessView,
  TimerRequest,
  UnwrittenStep,
} from './types.js';

export interface JobInit {
  readonly event: ProcessEvent;
  readonly actor: string;
  /** Outside events are re-checked when their turn comes: a timer may have moved the state. */
  readonly external: boolean;
  /** When the API accepted a signalled event (SendMeta.sentAt), handed to the machine. */
  readonly sentAt?: string;
  /** The timer that fired, for a timer's event: a cancel before its turn drops it. */
  readonly timer?: PendingTimer;
  /** The invoked actor that settled, for its done or error event: a stop before its turn drops it. */
  readonly invocation?: Invocation;
  /** An operator's cancel of the whole process, with the reason for the audit trail. */
  readonly cancel?: { readonly reason: string };
  /** An operator fires a timer now or moves it (see `TimerRequest`). */
  readonly timerControl?: Omit<TimerRequest, 'actor'>;
  /** Facts for the audit entry of the job's own step (the bulk action it belongs to). */
  readonly audit?: Readonly<Record<string, unknown>>;
  /** An operator moves the process to another machine version, with the reason. */
  readonly migration?: { readonly toVersion: number; readonly reason: string };
  /** Its caller writes the step itself from the answer (`SendMeta.recordsStep`). */
  readonly recordsStep?: boolean;
}

/**
 * One unit of work: an outside event, a fired timer, an invoked actor's outcome, or what the
 * start fed back. Whoever waits for it (an update's caller) waits until it is settled, then
 * reads its refusal, if any.
 */
export class Job implements JobInit {
  readonly event: ProcessEvent;
  readonly actor: string;
  readonly external: boolean;
  readonly sentAt?: string;
  readonly timer?: PendingTimer;
  readonly invocation?: Invocation;
  readonly cancel?: { readonly reason: string };
  readonly timerControl?: Omit<TimerRequest, 'actor'>;
  readonly audit?: Readonly<Record<string, unknown>>;
  readonly migration?: { readonly toVersion: number; readonly reason: string };
  readonly recordsStep?: boolean;
  private done = false;
  private answeredUnwritten = false;
  private refused: Refusal | undefined;
  /** What an activity of this job handed back for its caller only (see `ProcessView.revealed`). */
  revealed?: Readonly<Record<string, string>>;
  /**
   * The process as this job left it, for its caller: read when the job is done, not when the
   * caller's handler next runs — by then the loop may have taken the next job (a child's
   * message that came in the same task).
   */
  private view: ProcessView | undefined;

  constructor(init: JobInit) {
    this.event = init.event;
    this.actor = init.actor;
    this.external = init.external;
    if (init.sentAt !== undefined) this.sentAt = init.sentAt;
    if (init.timer !== undefined) this.timer = init.timer;
    if (init.invocation !== undefined) this.invocation = init.invocation;
    if (init.cancel !== undefined) this.cancel = init.cancel;
    if (init.timerControl !== undefined) this.timerControl = init.timerControl;
    if (init.audit !== undefined) this.audit = init.audit;
    if (init.migration !== undefined) this.migration = init.migration;
    if (init.recordsStep) this.recordsStep = true;
  }

  get settled(): boolean {
    return this.done;
  }

  get refusal(): Refusal | undefined {
    return this.refused;
  }

  /** The job is refused (the machine rejected it, or it no longer fits); it still runs to its end. */
  refuse(refusal: Refusal): void {
    this.refused = refusal;
  }

  /**
   * The job is done, refused if `refusal` is given: its caller gets its answer. A job answered
   * before its last write (`answerUnwritten`) keeps that answer.
   */
  settle(refusal?: Refusal, view?: ProcessView): void {
    if (this.answeredUnwritten) return;
    if (refusal) this.refused = refusal;
    this.view = view;
    this.done = true;
  }

  /**
   * The job's last step is taken and nothing of it runs outside the workflow but its read model
   * write: the caller gets the view now, with the write to do itself (`recordsStep`).
   */
  answerUnwritten(view: ProcessView, unwritten: UnwrittenStep): void {
    this.settle(undefined, { ...view, unwritten });
    this.answeredUnwritten = true;
  }

  /** The caller's answer: the view when the job was done (`current` for a job settled without). */
  answer(current: () => ProcessView): ProcessView {
    const view = this.view ?? current();
    return this.revealed ? { ...view, revealed: this.revealed } : view;
  }
}

/** The process's jobs in the order they are taken: one at a time, first in, first out. */
export class Mailbox {
  private readonly jobs: Job[] = [];

  get size(): number {
    return this.jobs.length;
  }

  post(init: JobInit): Job {
    const job = new Job(init);
    this.jobs.push(job);
    return job;
  }

  /** Ahead of everything waiting, in the given order (what the start fed back). */
  postFirst(inits: readonly JobInit[]): void {
    this.jobs.unshift(...inits.map((init) => new Job(init)));
  }

  take(): Job | undefined {
    return this.jobs.shift();
  }

  /** Settles every waiting job with `refusal` (the process has ended). */
  refuseAll(refusal: () => Refusal): void {
    for (const job of this.jobs.splice(0)) job.settle(refusal());
  }
}

/** One event of a job's chain: the job's own, then what its activities fed back. */
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
