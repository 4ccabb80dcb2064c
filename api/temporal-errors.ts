import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { SendFailureDetails } from '../workflows/interpreter/types.js';
import { AppError, notFound, tryAgainLater, unavailable } from './errors.js';

const isSendFailureDetails = (value: unknown): value is SendFailureDetails =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as SendFailureDetails).status === 'number' &&
  typeof (value as SendFailureDetails).detail === 'string';

const CODES: Readonly<Record<string, string>> = {
  UnknownEvent: 'unknown-event',
  InvalidPayload: 'validation-failed',
  NotAllowed: 'event-not-allowed',
  Rejected: 'event-rejected',
};

function chain(error: unknown): unknown[] {
  const links: unknown[] = [];
  for (
    let current = error;
    current && links.length < 8;
    current = (current as { cause?: unknown }).cause
  ) {
    links.push(current);
  }
  return links;
}

/** Turns what Temporal answers into the API's errors; unknown errors pass through unchanged. */
export function fromTemporal(error: unknown, processId: string): unknown {
  const links = chain(error);
  if (links.some((link) => link instanceof WorkflowNotFoundError)) {
    return notFound(`No process ${processId}`);
  }
  if (error instanceof WorkflowExecutionAlreadyStartedError) {
    return new AppError('already-running', 409, `Process ${processId} is already running`, {
      processId,
    });
  }
  if (error instanceof WorkflowUpdateFailedError) {
    const failure = links.find((link) => link instanceof ApplicationFailure);
    const details = failure?.details?.[0];
    if (failure && isSendFailureDetails(details)) {
      const { status, detail, ...extra } = details;
      return new AppError(CODES[failure.type ?? ''] ?? 'event-refused', status, detail, extra);
    }
  }
  const message = links.map((link) => (link as Error).message ?? '').join(' | ');
  const grpcCodes = links.map((link) => (link as { code?: unknown }).code);
  // gRPC UNAVAILABLE (14): the cluster is down or restarting.
  if (grpcCodes.includes(14) || /\b14 UNAVAILABLE\b|ECONNREFUSED/.test(message)) {
    return unavailable('Temporal');
  }
  // DEADLINE_EXCEEDED (4): Temporal took the call but nothing answered in time — mostly a query
  // or update whose worker is busy, restarting or gone, sometimes the cluster itself.
  if (grpcCodes.includes(4)) {
    return tryAgainLater(
      'No answer in time: the worker or Temporal is busy or restarting; try again shortly',
    );
  }
  // RESOURCE_EXHAUSTED (8): Temporal sheds load, e.g. queries pile up on a process whose
  // workflow task waits (its projection retries while Postgres restarts). Busy, not broken.
  if (grpcCodes.includes(8)) {
    return tryAgainLater('The process is busy right now (Temporal sheds load); try again shortly');
  }
  // An update the workflow could not take because its task failed (a worker killed or timed
  // out mid-task): nothing was accepted, so the client may send it again.
  if (grpcCodes.includes(9) && /unexpected workflow task failure/i.test(message)) {
    return tryAgainLater(
      'The process could not take the event right now (its worker is recovering); try again shortly',
    );
  }
  // CANCELLED (1): the server gave up the call, e.g. a query whose worker was killed while it
  // answered. Nothing changed; asking again reaches the next worker.
  if (grpcCodes.includes(1)) {
    return tryAgainLater('Temporal cancelled the call (its worker went away); try again shortly');
  }
  // A query nobody can answer: no worker polls the task queue (down, restarting, overloaded).
  if (grpcCodes.includes(9) && /no poller seen/i.test(message)) {
    return unavailable('The worker');
  }
  if (
    /workflow execution already completed|workflow.*(is )?(already )?(completed|closed)/i.test(
      message,
    )
  ) {
    return processEnded(processId);
  }
  return error;
}

/** 409 for an event to a process that has ended. */
export const processEnded = (processId: string, how = ''): AppError =>
  new AppError(
    'process-ended',
    409,
    `Process ${processId} has ended${how} and takes no more events`,
    {
      allowedEvents: [],
    },
  );
