/**
 * The published protocol between praxisflow's process workflows and their clients (the API,
 * activities that look at another process, the read model, scripts, benchmarks, tests): the
 * update, query and signal definitions, what goes in and comes out of them, the refusal kinds,
 * the search attributes and the rule that names a process. Everything outside `workflows/`
 * imports this, never `workflows/interpreter/*` (a dependency-cruiser rule says so).
 *
 * Clients use the definitions, with their types:
 * `handle.executeUpdate(sendUpdate, { args: [event, { actor }] })`.
 */
import { ApplicationFailure } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  CancelRequest,
  EventPreview,
  MigrationPreview,
  MigrationRequest,
  SendFailureDetails,
  ProcessEvent,
  ProcessView,
  RetryRequest,
  SendMeta,
  TimerRequest,
} from './interpreter/types.js';
import {
  CANCEL_UPDATE,
  DELIVER_SIGNAL,
  MIGRATE_UPDATE,
  MIGRATION_PREVIEW_QUERY,
  PREVIEW_QUERY,
  RETRY_UPDATE,
  SEND_UPDATE,
  TIMER_UPDATE,
  VIEW_QUERY,
} from './interpreter/types.js';

/** An action's activity carrying its step's read model write (activities/step-record.ts). */
export type { CarriedOutcome, CarriedRecord } from './interpreter/step-record.js';
export type {
  AuditEntry,
  CancelRequest,
  ChildView,
  EventPreview,
  MigrationPlanView,
  MigrationPreview,
  MigrationRequest,
  ProcessArgs,
  ProcessEvent,
  ProcessStatus,
  ProcessView,
  RetryRequest,
  SendFailureDetails,
  SendMeta,
  TimerRequest,
  UnwrittenStep,
} from './interpreter/types.js';
export { BULK_ACTION_ID_PATTERN } from './interpreter/types.js';
export { routeMigration } from './interpreter/migration-plan.js';
export { ProcessSearchAttributes } from './interpreter/search-attributes.js';
export { startingView } from './interpreter/starting-view.js';

/** An outside event for the process: validated, queued, answered with the view after it. */
export const sendUpdate = defineUpdate<ProcessView, [ProcessEvent, SendMeta]>(SEND_UPDATE);
/** An operator ends the process where it stands, with a reason. */
export const cancelUpdate = defineUpdate<ProcessView, [CancelRequest]>(CANCEL_UPDATE);
/** An operator retries the failed action of an incident. */
export const retryUpdate = defineUpdate<ProcessView, [RetryRequest]>(RETRY_UPDATE);
/** An operator fires a timer now or moves its due time, with a reason. */
export const timerUpdate = defineUpdate<ProcessView, [TimerRequest]>(TIMER_UPDATE);
/** An operator moves the process to another machine version, with a reason: one audited step. */
export const migrateUpdate = defineUpdate<ProcessView, [MigrationRequest]>(MIGRATE_UPDATE);
/** What a migration to a version would do (version, ISO instant): nothing written. */
export const migrationPreviewQuery = defineQuery<MigrationPreview, [number, string]>(
  MIGRATION_PREVIEW_QUERY,
);
/** The process's view: state, label, allowed events, timers, incident, redacted context. */
export const viewQuery = defineQuery<ProcessView>(VIEW_QUERY);
/** What an event would do (event, actor, ISO instant): nothing written, nothing run. */
export const previewQuery = defineQuery<EventPreview, [unknown, string, string]>(PREVIEW_QUERY);
/** Fire and forget (signal-with-start): an event nobody waits an answer for. */
export const deliverSignal = defineSignal<[ProcessEvent, SendMeta]>(DELIVER_SIGNAL);

/** A process's id, which is its workflow id: `{type}-{businessKey}`. */
export const processIdOf = (type: string, businessKey: string): string => `${type}-${businessKey}`;

/** What a bulk action does to each process it selected. */
export type BulkActionSpec =
  | { readonly kind: 'event'; readonly event: ProcessEvent }
  | { readonly kind: 'cancel'; readonly reason: string }
  | { readonly kind: 'retry' }
  | { readonly kind: 'fireTimer'; readonly timer: string; readonly reason: string }
  | { readonly kind: 'migrate'; readonly toVersion: number; readonly reason: string };

/** The job that carries out a bulk action: workflow `bulkAction`, id `bulk-{id}`. */
export interface BulkActionArgs {
  /** `ba_…`, the id the API gave it; its processes are rows of `bulk_action_items`. */
  readonly bulkId: string;
  readonly action: BulkActionSpec;
  /** API key id of the operator who started it. */
  readonly actor: string;
  /** Processes acted on per second at most. */
  readonly ratePerSecond: number;
}

export const BULK_ACTION_WORKFLOW = 'bulkAction';
/** The workflow id of a bulk action's job. */
export const bulkActionWorkflowId = (bulkId: string): string => `bulk-${bulkId}`;

const isSendFailureDetails = (value: unknown): value is SendFailureDetails =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as SendFailureDetails).status === 'number' &&
  typeof (value as SendFailureDetails).detail === 'string';

/**
 * What a process refused in an update, from an error and its causes: the failure's type (a
 * `SendFailure` kind) and its details (status, detail, allowed events); undefined if none is.
 */
export function sendFailureIn(
  chain: readonly unknown[],
): { readonly type: string; readonly details: SendFailureDetails } | undefined {
  const failure = chain.find((link) => link instanceof ApplicationFailure);
  const details = failure?.details?.[0];
  return failure && isSendFailureDetails(details)
    ? { type: failure.type ?? '', details }
    : undefined;
}
