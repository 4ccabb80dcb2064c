/**
 * What the workflow tests and the SCXML conformance run (scripts/scxml) read from Temporal
 * alike: whether a history is still running, the child workflows it has open, and a
 * time-skipping test server with praxisflow's search attributes. Free of vitest, so that a
 * script can use it.
 */
import proto, { type temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ProcessSearchAttributes } from '../../workflows/protocol.js';

// A CommonJS module: Node's ESM loader sees only its default export.
const { EventType } = proto.temporal.api.enums.v1;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const CLOSING_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
  EventType.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
]);

const WORKFLOW_TASK_EVENTS = new Set<number>([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
]);

/**
 * Whether the workflow has taken everything its history holds: it has ended, or its last
 * workflow task event is a completion. The test server reports no pending workflow task, but
 * whatever calls for one (an activity's answer, a timer, a signal) schedules it in the same breath.
 */
export function tasksTaken(events: readonly HistoryEvent[]): boolean {
  const lastTask = events.findLast((event) => WORKFLOW_TASK_EVENTS.has(event.eventType ?? 0));
  return !isRunning(events) || lastTask?.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED;
}

/** Whether the history is of a workflow still running (it does not end with its closing event). */
export const isRunning = (events: readonly { eventType?: number | null }[]): boolean =>
  !CLOSING_EVENTS.has(events.at(-1)?.eventType ?? 0);

/** The workflow ids of the child workflows a history has initiated and not seen close. */
export function openChildren(events: readonly HistoryEvent[]): string[] {
  const open = new Set<string>();
  for (const event of events) {
    const initiated = event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId;
    if (initiated) open.add(initiated);
    const closed =
      event.startChildWorkflowExecutionFailedEventAttributes?.workflowId ??
      (
        event.childWorkflowExecutionCompletedEventAttributes ??
        event.childWorkflowExecutionFailedEventAttributes ??
        event.childWorkflowExecutionCanceledEventAttributes ??
        event.childWorkflowExecutionTerminatedEventAttributes ??
        event.childWorkflowExecutionTimedOutEventAttributes
      )?.workflowExecution?.workflowId;
    if (closed) open.delete(closed);
  }
  return [...open];
}

/** A time-skipping test server from `path`, with the search attributes every process sets. */
export async function startTimeSkippingServer(path: string): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path } },
  });
  await env.connection.operatorService
    .addSearchAttributes({
      namespace: env.namespace ?? 'default',
      searchAttributes: Object.fromEntries(
        Object.values(ProcessSearchAttributes).map((key) => [key.name, 2 /* KEYWORD */]),
      ),
    })
    .catch(() => undefined);
  return env;
}
