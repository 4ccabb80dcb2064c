import {
  WorkflowIdConflictPolicy,
  WorkflowIdReusePolicy,
  WorkflowUpdateStage,
  type Client,
  type WorkflowHandle,
  type WorkflowUpdateHandle,
} from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import type { ProcessDefinition } from '../machines/process-definition.js';
import { secretKeysOf } from '../machines/secrets.js';
import { sealSecretFields, type SecretSealer } from '../storage/sealed-secrets.js';
import {
  migrationPreviewQuery,
  previewQuery,
  type EventPreview,
  type MigrationPlanView,
  processIdOf,
  startingView,
  sendUpdate,
  viewQuery,
  type ProcessArgs,
  type ProcessEvent,
  type ProcessView,
} from '../workflows/protocol.js';
import { AppError, notFound, tryAgainLater } from './errors.js';
import type { ApiMetrics } from './observability/metrics.js';
import type { ReadModel } from './read-model.js';
import { processIdParameter } from './schemas.js';
import { eventRefusal, fromTemporal, processEnded } from './temporal-errors.js';
import { parseOrThrow } from './validation.js';

/** A process id from the URL; anything that cannot be one is simply not found. */
export function processId(raw: unknown): string {
  if (typeof raw !== 'string' || !processIdParameter.safeParse(raw).success)
    throw notFound(`No process ${String(raw).slice(0, 80)}`);
  return raw;
}

/** Asks the workflow for its view; right after a start the first workflow task may still run. */
export async function viewOf(handle: WorkflowHandle, attempts = 20): Promise<ProcessView> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await handle.query(viewQuery);
    } catch (error) {
      const retriable = /not (yet )?ready|no poller|first workflow task/i.test(String(error));
      if (!retriable || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** What starting a process needs: where its workflow runs and where its row goes. */
export interface ProcessStarter {
  readonly client: Client;
  readonly taskQueue: string;
  readonly readModel: ReadModel;
  readonly metrics?: Pick<ApiMetrics, 'transitionRecorded'>;
}

/**
 * Starts the workflow `{type}-{businessKey}` with its search attributes and answers its view at
 * the start, computed from the pure machine: the answer waits for Temporal to take the start,
 * not for a worker to run it. The read model gets the same row and the `STARTED` audit entry the
 * workflow's projection will write (idempotent), so a list right after the answer shows it. A
 * running process with that id is a 409.
 */
export async function startProcessWorkflow(
  starter: ProcessStarter,
  definition: ProcessDefinition,
  requested: ProcessArgs,
  /** As the start planner gave them: type, business key, practice. */
  searchAttributes: SearchAttributePair[],
): Promise<ProcessView> {
  const { type } = definition;
  const args = { ...requested, startedAt: new Date().toISOString() };
  const workflowId = processIdOf(type, args.businessKey);
  let runId: string;
  try {
    ({ firstExecutionRunId: runId } = await starter.client.workflow.start(type, {
      taskQueue: starter.taskQueue,
      workflowId,
      args: [args],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      typedSearchAttributes: searchAttributes,
    }));
  } catch (error) {
    throw fromTemporal(error, workflowId);
  }
  const view = startingView(definition, args, workflowId);
  // The process exists now; should Postgres be away, its own projection writes the row later.
  const first = await starter.readModel
    .recordStart(view, runId, args.actor)
    .catch((error: unknown) => {
      console.warn(`The read model missed the start of ${workflowId}: ${String(error)}`);
      return false;
    });
  if (first) starter.metrics?.transitionRecorded(type, 'STARTED');
  return view;
}

/** An update to a closed workflow reads as "not found"; the process exists but has ended: 409. */
export async function refusalOf(error: unknown, handle: WorkflowHandle): Promise<unknown> {
  const mapped = fromTemporal(error, handle.workflowId);
  if (!(mapped instanceof AppError) || mapped.status !== 404) return mapped;
  try {
    const { status } = await handle.describe();
    return processEnded(handle.workflowId, ` (${status.name})`);
  } catch {
    return mapped;
  }
}

/**
 * Sends an outside event through the `send` update and answers the new view; a refusal (422,
 * 409, an ended process) becomes the API's error.
 */
export function sendEvent(
  handle: WorkflowHandle,
  event: ProcessEvent,
  actor: string,
): Promise<ProcessView> {
  return handle
    .executeUpdate(sendUpdate, { args: [event, { actor }] })
    .catch(async (error: unknown) => {
      throw await refusalOf(error, handle);
    });
}

/**
 * What the workflow revealed to the caller of an event comes sealed (the activity's result lies
 * in history): the caller alone gets it opened. A value that cannot be opened is left out.
 */
export function openRevealed(view: ProcessView, sealer: SecretSealer): ProcessView {
  if (!view.revealed) return view;
  const revealed: Record<string, string> = {};
  for (const [key, value] of Object.entries(view.revealed)) {
    const clear = sealer.open(value);
    if (clear !== null) revealed[key] = clear;
  }
  return { ...view, revealed };
}

/**
 * An event whose type has secret fields is checked here with their clear values (the same 422
 * the workflow would answer), then goes on with those fields sealed: the clear values never
 * reach Temporal. Other events go as they came; the workflow checks them.
 */
export function sealedEvent(
  definition: ProcessDefinition,
  event: ProcessEvent,
  sealer: SecretSealer,
): ProcessEvent {
  const { type, ...payload } = event;
  const schema = Object.hasOwn(definition.events, type) ? definition.events[type] : undefined;
  if (!schema || secretKeysOf(schema).length === 0) return event;
  const parsed = parseOrThrow(schema, payload, `The payload of ${type}`);
  return { ...sealSecretFields(schema, parsed as Record<string, unknown>, sealer), type };
}

/** How an event sent with a deadline ended. */
type SendOutcome =
  /** The process took the event and everything it set off: the new view. */
  | { readonly settled: true; readonly view: ProcessView }
  /**
   * The process accepted the event (it is in its history and will be taken), but its effects
   * still run — an email retrying through an SMTP outage: the view as it stands, if it could be
   * read in time.
   */
  | { readonly settled: false; readonly view: ProcessView | undefined };

/** Writes the step an answer hands back (`ProcessView.unwritten`) to the read model. */
export interface StepRecorder {
  readonly readModel: Pick<ReadModel, 'recordStep'>;
  readonly metrics?: Pick<ApiMetrics, 'transitionRecorded'> | undefined;
}

/** How long an answer waits for the API's write of its step; the workflow's own write follows. */
const RECORD_STEP_MS = 2_000;

/**
 * An answer that left before the workflow wrote its step: the API writes the row and audit
 * entry now, so that the list and the history read next show the step (the workflow's own
 * write follows, idempotent by step), and passes the view on without them. Postgres away or
 * slow: the answer goes out anyway, and the workflow's write lands the step later.
 */
async function recordedAnswer(view: ProcessView, recorder: StepRecorder): Promise<ProcessView> {
  const { unwritten, ...answer } = view;
  if (!unwritten) return view;
  const { revealed: _once, ...row } = answer;
  const missed = (why: string): false => {
    console.warn(`The read model missed step ${unwritten.audit.step} of ${view.id}: ${why}`);
    return false;
  };
  const first = await within(
    recorder.readModel.recordStep(row, unwritten).catch((error: unknown) => missed(String(error))),
    RECORD_STEP_MS,
    () => missed(`no answer within ${RECORD_STEP_MS / 1000} s`),
  );
  if (first) recorder.metrics?.transitionRecorded(view.type, unwritten.audit.event);
  return answer;
}

/** How long the view of an accepted but unsettled event may take to read. */
const PENDING_VIEW_MS = 3_000;

/** Settles with `fallback` after `ms` unless `work` settled first; `work` is left to end alone. */
function within<T>(work: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback()), ms);
  });
  work.catch(() => undefined); // a call that ends after the deadline has no one to tell
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

const DEADLINE = Symbol('deadline');

/**
 * How long a process's view may take to read. A query needs a worker: while the workers restart
 * (a deploy, or a fresh start after a Temporal outage) it waits, and a page should not hang
 * for half a minute; the client hears 503 with `Retry-After` instead.
 */
const VIEW_ANSWER_MS = 10_000;

/** What `call` answers, or a 503 once `ms` have passed without it (a query needs a worker). */
async function answerWithin<T>(
  handle: WorkflowHandle,
  call: () => Promise<T>,
  what: string,
  ms = VIEW_ANSWER_MS,
): Promise<T> {
  const cancel = new AbortController();
  try {
    const answer = await within<T | typeof DEADLINE>(
      handle.client.connection.withAbortSignal(cancel.signal, call),
      ms,
      () => DEADLINE,
    );
    if (answer !== DEADLINE) return answer;
    throw tryAgainLater(
      `Process ${handle.workflowId} did not show ${what} within ${Math.round(ms / 1000)} s; its workers may be restarting`,
    );
  } finally {
    cancel.abort();
  }
}

/** The process's view, or a 503 once `ms` have passed without it. */
export function viewWithin(handle: WorkflowHandle, ms = VIEW_ANSWER_MS): Promise<ProcessView> {
  return answerWithin(handle, () => viewOf(handle), 'its view', ms);
}

/** What a migration would do now (`POST …/migrations?dryRun=true`). */
export type MigrationPreviewAnswer = MigrationPlanView & { readonly dryRun: true };

/**
 * What moving the process to `toVersion` would do, from the pure machines (the
 * `migrationPreview` query): the refusal a real migration would get, or the plan. Nothing is
 * written.
 */
export async function previewMigration(
  handle: WorkflowHandle,
  toVersion: number,
): Promise<MigrationPreviewAnswer> {
  let preview;
  try {
    preview = await answerWithin(
      handle,
      () => handle.query(migrationPreviewQuery, toVersion, new Date().toISOString()),
      'what the migration would do',
    );
  } catch (error) {
    throw error instanceof AppError ? error : await refusalOf(error, handle);
  }
  if ('refused' in preview) throw eventRefusal(preview.refused.type, preview.refused.details);
  return { dryRun: true, ...preview };
}

/** What an event would do now (`POST …/events/preview`). */
export type EventPreviewAnswer = Exclude<EventPreview, { refused: unknown }> & {
  readonly dryRun: true;
  readonly event: string;
};

/**
 * What an event would do to the process now, from its pure machine (the `preview` query):
 * the refusal a real event would get (the same 409 or 422), or the step it would take. Nothing
 * is written to history, no effect runs.
 */
export async function previewEvent(
  handle: WorkflowHandle,
  event: ProcessEvent,
  actor: string,
): Promise<EventPreviewAnswer> {
  let preview: EventPreview;
  try {
    preview = await answerWithin(
      handle,
      () => handle.query(previewQuery, event, actor, new Date().toISOString()),
      'what the event would do',
    );
  } catch (error) {
    throw error instanceof AppError ? error : await refusalOf(error, handle);
  }
  if ('refused' in preview) throw eventRefusal(preview.refused.type, preview.refused.details);
  return { dryRun: true, event: event.type, ...preview };
}

/**
 * Sends an outside event like `sendEvent`, but answers within `deadlineMs`: an event the process
 * has accepted but not yet finished by then (its effects retry) is `settled: false`. One the
 * process has not even accepted by then is a 503: it may still be taken, so the client should
 * look at the process before sending it again. The calls are cancelled at the deadline, and
 * the answer does not wait for them to notice (the client retries a restarting Temporal
 * without looking at the signal between its tries).
 */
export async function sendEventWithin(
  handle: WorkflowHandle,
  event: ProcessEvent,
  actor: string,
  deadlineMs: number,
  /** Writes the step itself when the answer leaves before the workflow's write. */
  recorder?: StepRecorder,
): Promise<SendOutcome> {
  const { connection } = handle.client;
  const ms = Math.max(1, Math.round(deadlineMs));
  const cancel = new AbortController();
  let accepted: WorkflowUpdateHandle<ProcessView> | undefined;
  const sending = connection.withAbortSignal(cancel.signal, async () => {
    accepted = await handle.startUpdate(sendUpdate, {
      args: [event, recorder ? { actor, recordsStep: true } : { actor }],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    const view = await accepted.result();
    return { settled: true as const, view: recorder ? await recordedAnswer(view, recorder) : view };
  });
  let outcome: SendOutcome | typeof DEADLINE;
  try {
    outcome = await within<SendOutcome | typeof DEADLINE>(sending, ms, () => DEADLINE);
  } catch (error) {
    throw await refusalOf(error, handle);
  } finally {
    cancel.abort();
  }
  if (outcome !== DEADLINE) return outcome;
  if (!accepted) {
    throw tryAgainLater(
      `Process ${handle.workflowId} has not confirmed the event within ${Math.round(ms / 1000)} s; it may still take it: look at the process before sending it again`,
    );
  }
  const viewing = new AbortController();
  const view = await within(
    connection
      .withAbortSignal(viewing.signal, () => handle.query(viewQuery))
      .catch(() => undefined),
    PENDING_VIEW_MS,
    () => undefined,
  ).finally(() => viewing.abort());
  return { settled: false, view };
}
