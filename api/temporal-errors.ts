import {
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { sendFailureIn, type SendFailureDetails } from '../workflows/protocol.js';
import { AppError, notFound, tryAgainLater, unavailable } from './errors.js';

const CODES: Readonly<Record<string, string>> = {
  UnknownEvent: 'unknown-event',
  InvalidPayload: 'validation-failed',
  NotAllowed: 'event-not-allowed',
  Rejected: 'event-rejected',
  UnknownVersion: 'unknown-version',
  NoMigrationPath: 'no-migration-path',
  StateNotMigratable: 'state-not-migratable',
  ContextRefused: 'context-refused',
};

/** gRPC status codes, as Temporal's server and client report them. */
const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** What one Temporal error says, gathered once from the error and its causes. */
interface Facts {
  readonly error: unknown;
  readonly links: readonly unknown[];
  /** Every gRPC status code in the chain. */
  readonly codes: readonly number[];
  /** Every message in the chain, joined. */
  readonly message: string;
}

/** One row of the table: a kind of Temporal failure and the API's answer to it. */
interface TemporalRefusal {
  /** What happened, in the words of the README's table. */
  readonly when: string;
  readonly matches: (facts: Facts) => boolean;
  readonly answer: (processId: string, facts: Facts) => AppError;
}

const has = (facts: Facts, ...codes: number[]) => codes.some((code) => facts.codes.includes(code));
const says = (facts: Facts, pattern: RegExp) => pattern.test(facts.message);
const is = (facts: Facts, type: abstract new (...args: never[]) => unknown) =>
  facts.links.some((link) => link instanceof type);

/** 409 for an event to a process that has ended. */
/** The answer to an event the process refuses (or would refuse, in a preview). */
export function eventRefusal(type: string, details: SendFailureDetails): AppError {
  const { status, detail, ...extra } = details;
  return new AppError(CODES[type] ?? 'event-refused', status, detail, extra);
}

export const processEnded = (processId: string, how = ''): AppError =>
  new AppError(
    'process-ended',
    409,
    `Process ${processId} has ended${how} and takes no more events`,
    {
      allowedEvents: [],
    },
  );

/**
 * Every failure of a Temporal call the API knows, in the order they are tried, with its answer:
 * what the process itself refuses is the client's (404, 409, 422); what is Temporal's or a
 * worker's trouble is a 503 with `Retry-After` — never a 500. The README lists the same rows.
 */
export const TEMPORAL_REFUSALS: readonly TemporalRefusal[] = [
  {
    // The SDK reports any NOT_FOUND as "workflow not found", a missing namespace too: that is
    // the deployment's trouble, not the process's.
    when: 'namespace not found or not active',
    matches: (f) => says(f, /namespace\b.*\bnot (found|active|registered)/i),
    answer: () => unavailable('The Temporal namespace'),
  },
  {
    when: 'workflow not found',
    matches: (f) => is(f, WorkflowNotFoundError),
    answer: (id) => notFound(`No process ${id}`),
  },
  {
    when: 'workflow already started (same id running)',
    matches: (f) => f.error instanceof WorkflowExecutionAlreadyStartedError,
    answer: (id) =>
      new AppError('already-running', 409, `Process ${id} is already running`, { processId: id }),
  },
  {
    when: 'update refused by the process (unknown event, bad payload, not allowed, rejected)',
    matches: (f) => f.error instanceof WorkflowUpdateFailedError && sendFailureOf(f) !== undefined,
    answer: (_id, f) => {
      const { type, details } = sendFailureOf(f)!;
      return eventRefusal(type, details);
    },
  },
  {
    when: 'workflow already completed',
    matches: (f) =>
      says(
        f,
        /workflow execution already completed|workflow.*(is )?(already )?(completed|closed)/i,
      ),
    answer: (id) => processEnded(id),
  },
  {
    // A query or update while the process's last workflow task failed (a worker killed or timed
    // out mid-task, a read model write that gave up): the next attempt of that task runs soon.
    when: 'workflow task in failed state / unexpected workflow task failure',
    matches: (f) =>
      has(f, GRPC.FAILED_PRECONDITION) &&
      says(f, /workflow task in failed state|unexpected workflow task failure/i),
    answer: () =>
      tryAgainLater(
        'The process could not answer right now (its worker is recovering); try again shortly',
      ),
  },
  {
    when: 'workflow task timed out',
    matches: (f) => says(f, /workflow ?task (timed out|timeout)/i),
    answer: () =>
      tryAgainLater('The process did not answer in time (its worker is busy); try again shortly'),
  },
  {
    // A query nobody can answer: no worker polls the task queue (down, restarting, overloaded).
    when: 'no worker polls the task queue',
    matches: (f) => has(f, GRPC.FAILED_PRECONDITION) && says(f, /no poller seen/i),
    answer: () => unavailable('The worker'),
  },
  {
    when: 'Temporal unreachable (UNAVAILABLE, connection refused or lost)',
    matches: (f) =>
      has(f, GRPC.UNAVAILABLE) ||
      says(
        f,
        /\b14 UNAVAILABLE\b|ECONNREFUSED|ECONNRESET|failed to connect|connection (closed|dropped)/i,
      ),
    answer: () => unavailable('Temporal'),
  },
  {
    // Temporal took the call but nothing answered in time — mostly a query or update whose
    // worker is busy, restarting or gone, sometimes the cluster itself.
    when: 'DEADLINE_EXCEEDED, or the update call timed out',
    matches: (f) =>
      has(f, GRPC.DEADLINE_EXCEEDED) || is(f, WorkflowUpdateRPCTimeoutOrCancelledError),
    answer: () =>
      tryAgainLater(
        'No answer in time: the worker or Temporal is busy or restarting; try again shortly',
      ),
  },
  {
    // Temporal sheds load, e.g. queries pile up on a process whose workflow task waits.
    when: 'RESOURCE_EXHAUSTED',
    matches: (f) => has(f, GRPC.RESOURCE_EXHAUSTED),
    answer: () =>
      tryAgainLater('The process is busy right now (Temporal sheds load); try again shortly'),
  },
  {
    // The server gave up the call, e.g. a query whose worker was killed while it answered.
    when: 'CANCELLED',
    matches: (f) => has(f, GRPC.CANCELLED),
    answer: () =>
      tryAgainLater('Temporal cancelled the call (its worker went away); try again shortly'),
  },
  {
    when: 'ABORTED, INTERNAL, UNKNOWN (a passing fault inside Temporal)',
    matches: (f) => has(f, GRPC.ABORTED, GRPC.INTERNAL, GRPC.UNKNOWN),
    answer: () => tryAgainLater('Temporal could not complete the call; try again shortly'),
  },
  {
    // The deployment's credentials or Temporal's version: an operator must act, the client
    // can only come back later.
    when: 'PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED (the deployment, not the request)',
    matches: (f) => has(f, GRPC.PERMISSION_DENIED, GRPC.UNAUTHENTICATED, GRPC.UNIMPLEMENTED),
    answer: () => unavailable('Temporal (refused praxisflow’s credentials)', 60),
  },
  {
    // Whatever else the client reports as a failed service call: still Temporal's trouble.
    when: 'any other Temporal service error',
    matches: (f) => is(f, ServiceError) || f.codes.length > 0,
    answer: () => tryAgainLater('Temporal could not complete the call; try again shortly'),
  },
];

const sendFailureOf = (facts: Facts) => sendFailureIn(facts.links);

function factsOf(error: unknown): Facts {
  const links: unknown[] = [];
  for (
    let current = error;
    current && links.length < 8;
    current = (current as { cause?: unknown }).cause
  ) {
    links.push(current);
  }
  const codes = links
    .map((link) => (link as { code?: unknown }).code)
    .filter((code): code is number => typeof code === 'number' && code > 0 && code <= 16);
  const message = links
    .map((link) => {
      const { message, details } = link as { message?: unknown; details?: unknown };
      // gRPC errors carry the server's words in `details`; a failure's details are payloads.
      return [message, details].filter((part) => typeof part === 'string').join(' ');
    })
    .join(' | ');
  return { error, links, codes, message };
}

/**
 * Turns what Temporal answers into the API's errors by the first matching row of
 * `TEMPORAL_REFUSALS`; an error that is not Temporal's passes through unchanged.
 */
export function fromTemporal(error: unknown, processId: string): unknown {
  if (error instanceof AppError) return error;
  const facts = factsOf(error);
  const row = TEMPORAL_REFUSALS.find((refusal) => refusal.matches(facts));
  return row ? row.answer(processId, facts) : error;
}

/** The row of the table that answers an error: the first that matches. */
export function matchingRefusal(error: unknown): TemporalRefusal | undefined {
  const facts = factsOf(error);
  return TEMPORAL_REFUSALS.find((refusal) => refusal.matches(facts));
}
