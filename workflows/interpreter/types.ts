/**
 * The shapes the interpreter shares with the API: workflow arguments, the process view,
 * the names of the `send` update and `view` query, and the failure types they answer with.
 * Type-only for everyone outside workflows/.
 */

export type ProcessEvent = { readonly type: string } & Readonly<Record<string, unknown>>;

export type ProcessStatus = 'active' | 'done' | 'failed' | 'cancelled';

/** A durable timer as carried across continue-as-new: due time is absolute. */
export interface PendingTimer {
  readonly id: string;
  /** The delay's name (`invitationExpiry`), or the raise id when it has none. */
  readonly name: string;
  readonly event: ProcessEvent;
  /** Epoch milliseconds in workflow time. */
  readonly dueAt: number;
}

/** What one run hands the next one on continue-as-new. */
export interface ResumeState {
  readonly snapshot: unknown;
  readonly timers: readonly PendingTimer[];
  readonly step: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * When each active state was entered (epoch ms, by state path): the start of the timers a
   * migration re-arms. Absent in runs continued before it was kept.
   */
  readonly stateEntries?: Readonly<Record<string, number>>;
}

/** Workflow arguments of every process workflow. */
export interface ProcessArgs {
  /** Input as validated by the API against the definition's input schema. */
  readonly input: unknown;
  /** Machine version this instance runs; pinned at start, kept across continue-as-new. */
  readonly version: number;
  readonly businessKey: string;
  readonly practiceId?: string;
  /** Who started it: API key id or `system`. */
  readonly actor: string;
  /** Per-deployment delay overrides in milliseconds, by delay name. */
  readonly delays?: Readonly<Record<string, number>>;
  /**
   * When the API started it (ISO): the process's `createdAt` and the base of its first timers,
   * so that the view the API answered the start with is the workflow's first view.
   */
  readonly startedAt?: string;
  /** Continue as new after this many steps in one run (besides Temporal's own suggestion). */
  readonly continueAsNewAfterSteps?: number;
  /** Set only by continue-as-new. */
  readonly resume?: ResumeState;
  /** Set only for the workflow of a child machine: where it belongs. */
  readonly child?: ChildOf;
}

/** Where a child machine's workflow belongs (see `childDefinition` in machines/child-machine.ts). */
interface ChildOf {
  /** The `src` of each invoke, from the process's machine down to this child machine. */
  readonly path: readonly string[];
  /** The workflow id of its parent: the process, or the child machine that invoked it. */
  readonly parentId: string;
  /** The id its parent invoked it under (`xstate.done.actor.<actorId>`). */
  readonly actorId: string;
}

/** What the workflow of a child machine ends with: its last view and its final state's output. */
export interface ChildMachineResult extends ProcessView {
  readonly output?: unknown;
}

export interface TimerView {
  readonly name: string;
  readonly dueAt: string;
}

/** An effect that used up its retries: the process waits for an operator's retry. */
export interface Incident {
  /** German, for operators: `Benachrichtigung fehlgeschlagen`. */
  readonly label: string;
  /** The named action that failed (`sendEmail`). */
  readonly action: string;
  readonly step: number;
  /** What the last attempt said. */
  readonly message: string;
  readonly since: string;
}

/**
 * An invoked actor that runs now, as the view lists it: a promise actor's activity or a child
 * machine's workflow. It belongs to its process and has no view, row or route of its own.
 */
export interface ChildView {
  /** The invoke's id (`register`): `xstate.done.actor.<id>` answers it. */
  readonly id: string;
  /** The actor's name in the machine's setup: the activity (`lookUpPractice`) or child machine. */
  readonly src: string;
  /** `activity`: a promise actor; `machine`: a child machine in a child workflow of its own. */
  readonly kind: 'activity' | 'machine';
  /** When the step that started it was taken (ISO, workflow time). */
  readonly since: string;
  /** The step that started it. */
  readonly step: number;
  /** A child machine's workflow id (`{process id}/{id}/{step}`): where its own view is asked. */
  readonly workflowId?: string;
}

export interface ProcessView {
  readonly id: string;
  readonly type: string;
  readonly version: number;
  readonly businessKey: string;
  readonly practiceId: string | null;
  /** Dotted path of the active leaf state (`registration.invited`); parallel leaves joined by `, `. */
  readonly state: string;
  /** German label of that state (`Eingeladen`). */
  readonly stateLabel: string;
  /**
   * What a portal tells the person at this step, when the state says something (`meta.hint`):
   * „Der Versand der Bestätigungsnachricht kann einige Minuten dauern. …“.
   */
  readonly stateHint?: string;
  readonly status: ProcessStatus;
  readonly allowedEvents: readonly string[];
  readonly timers: readonly TimerView[];
  readonly context: Readonly<Record<string, unknown>>;
  /** Set while a failed effect waits for an operator's retry. */
  readonly incident: Incident | null;
  /** The invoked actors that run now, in the order they were started; `[]` when none. */
  readonly children: readonly ChildView[];
  /** Number of events the process has taken. */
  readonly step: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Only in the answer to the event that caused it, for that caller alone: a value the person
   * must see once (the activation code of a device registration). Never in the query's view,
   * the context, the read model or the audit trail.
   */
  readonly revealed?: Readonly<Record<string, string>>;
  /**
   * Only in the answer to a caller that writes the step itself (`SendMeta.recordsStep`): the
   * answer left before the workflow's own write of its step, and this is what the read model
   * misses until then. The API writes it before it replies and never passes it on.
   */
  readonly unwritten?: UnwrittenStep;
}

/** A step's read model write that an answer hands its caller (`ProcessView.unwritten`). */
export interface UnwrittenStep {
  /** The first run of the workflow chain (see `TransitionRecord.runId`). */
  readonly runId: string;
  readonly audit: AuditEntry;
}

/** One row of the audit trail: who moved the process from where to where, and when. */
export interface AuditEntry {
  readonly step: number;
  readonly event: string;
  /** API key id, `timer`, or `system` (what an activity fed back). */
  readonly actor: string;
  readonly from: string | null;
  readonly to: string;
  readonly toLabel: string;
  readonly at: string;
  /** Non-secret facts of the step, e.g. `{ reason }` of a cancel. */
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface SendMeta {
  /** API key id of the caller. */
  readonly actor: string;
  /**
   * ISO time the API accepted a fire-and-forget event (a signal): the machine sees it as the
   * event's `sentAt`, so a worker that is behind does not shift what the event's time decides.
   */
  readonly sentAt?: string;
  /** The bulk action this request belongs to (its id), named in the audit entry. */
  readonly bulkAction?: string;
  /**
   * The caller writes the step's read model row and audit entry itself, from the answer's
   * `unwritten`: a step without any action then answers before the workflow's own write (which
   * still follows, idempotent by step) instead of one activity later.
   */
  readonly recordsStep?: boolean;
}

/** A bulk action's id as the API gives it: `ba_` and base64url. */
export const BULK_ACTION_ID_PATTERN = /^ba_[A-Za-z0-9_-]{8,40}$/;

/** Name of the Update through which every outside event arrives. */
export const SEND_UPDATE = 'send';
/**
 * Name of the Signal through which an event arrives that nobody waits for (an appointment
 * report, with signal-with-start); its args are the event and a SendMeta.
 */
export const DELIVER_SIGNAL = 'deliver';

/** Name of the Update through which an operator cancels a process. */
export const CANCEL_UPDATE = 'cancel';

export interface CancelRequest {
  readonly reason: string;
  /** API key id of the caller. */
  readonly actor: string;
  /** The bulk action this request belongs to (its id), named in the audit entry. */
  readonly bulkAction?: string;
}

/** Name of the Update through which an operator retries a failed effect. */
export const RETRY_UPDATE = 'retry';

export interface RetryRequest {
  /** API key id of the caller. */
  readonly actor: string;
  /** The bulk action this request belongs to (its id), named in the audit entry. */
  readonly bulkAction?: string;
}

/** Name of the Update through which an operator fires a timer now or moves its due time. */
export const TIMER_UPDATE = 'timer';

export interface TimerRequest {
  /** `fire`: the timer's event now, as if it were due; `move`: a new due time (`dueAt`). */
  readonly action: 'fire' | 'move';
  /** The timer's name, as the view lists it (`invitationExpiry`). */
  readonly timer: string;
  /** ISO time, for `move`. */
  readonly dueAt?: string;
  /** Why, for the audit trail. */
  readonly reason: string;
  /** API key id of the caller. */
  readonly actor: string;
  /** The bulk action this request belongs to (its id), named in the audit entry. */
  readonly bulkAction?: string;
}

/** Name of the Query that answers the process view. */
export const VIEW_QUERY = 'view';

/** Name of the Query that answers what an event would do, without doing it. */
export const PREVIEW_QUERY = 'preview';

/** One thing a step would set going (an activity, a follow-up process): names, never content. */
export interface PreviewEffect {
  /** `activity`: an action that runs as an activity; `startProcess`: a follow-up process. */
  readonly kind: 'activity' | 'startProcess';
  /** The action's name (`sendEmail`), or the type of the process it would start. */
  readonly name: string;
  /** The message template and channel, where the action names them. */
  readonly template?: string;
  readonly channel?: string;
}

/**
 * What an event would do to the process now (the `preview` query): computed from the pure
 * machine on the current snapshot, nothing written, nothing run. Either a refusal (the same a
 * real event would get) or the step: the state after it, its timers, and its effects. What the
 * effects feed back (a code checked, a link issued) is not known before they run.
 */
export type EventPreview =
  | { readonly refused: { readonly type: string; readonly details: SendFailureDetails } }
  | {
      readonly from: { readonly state: string; readonly stateLabel: string };
      readonly to: Pick<
        ProcessView,
        'state' | 'stateLabel' | 'status' | 'allowedEvents' | 'timers'
      >;
      readonly effects: readonly PreviewEffect[];
    };

/** `ApplicationFailure.type` values the `send` update fails with; the API maps them to statuses. */
export const SendFailure = {
  /** The process type has no such event: 422. */
  unknownEvent: 'UnknownEvent',
  /** The payload failed its schema: 422 with `errors`. */
  invalidPayload: 'InvalidPayload',
  /** The current state does not take this event: 409 with `allowedEvents`. */
  notAllowed: 'NotAllowed',
  /** The machine looked at the event and refused it (wrong code): status from the machine. */
  rejected: 'Rejected',
} as const;

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** Details of a failed `send`, carried as the failure's first detail. */
export interface SendFailureDetails {
  readonly status: 409 | 422;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly allowedEvents?: readonly string[];
}

/** Name of the Update through which an operator moves a process to another machine version. */
export const MIGRATE_UPDATE = 'migrate';

/** Name of the Query that answers what a migration would do (the dry run). */
export const MIGRATION_PREVIEW_QUERY = 'migrationPreview';

export interface MigrationRequest {
  /** The machine version to move to (the current one + 1, or further along a chain). */
  readonly toVersion: number;
  /** Why, for the audit trail. */
  readonly reason: string;
  /** API key id of the caller. */
  readonly actor: string;
  /** The bulk action this request belongs to (its id), named in the audit entry. */
  readonly bulkAction?: string;
}

/** A timer of the state a migration leads to. */
export interface MigrationTimer {
  readonly name: string;
  readonly dueAt: string;
  /** When the instance entered the state the timer belongs to: what it counts from. */
  readonly countedFrom: string;
  /** Already due: it fires as soon as the migration is done. */
  readonly firesAtOnce: boolean;
}

/** One top-level context field a migration adds, removes or changes (secret ones without values). */
export interface ContextChange {
  readonly path: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly from?: unknown;
  readonly to?: unknown;
}

/** What a migration does to a process: computed from the pure machines, nothing written. */
export interface MigrationPlanView {
  readonly fromVersion: number;
  readonly toVersion: number;
  readonly from: { readonly state: string; readonly stateLabel: string };
  readonly to: Pick<ProcessView, 'state' | 'stateLabel' | 'status' | 'allowedEvents'> & {
    readonly timers: readonly MigrationTimer[];
  };
  readonly contextChanges: readonly ContextChange[];
  /** What the operator must know about instances moving from this state (German). */
  readonly notes: readonly string[];
}

export type MigrationPreview =
  | { readonly refused: { readonly type: string; readonly details: SendFailureDetails } }
  | MigrationPlanView;

/** `ApplicationFailure.type` values the `migrate` update fails with. */
export const MigrationFailure = {
  /** No such version of the process type: 422 naming `toVersion`. */
  unknownVersion: 'UnknownVersion',
  /** The version is known but no chain of migrations leads there: 409. */
  noMigrationPath: 'NoMigrationPath',
  /** The instance's state has no place in the new version: 409. */
  stateNotMigratable: 'StateNotMigratable',
  /** The new version's context rules refuse the transformed context: 422 with `errors`. */
  contextRefused: 'ContextRefused',
} as const;
