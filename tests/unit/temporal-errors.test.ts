import {
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { AppError, problemHandler } from '../../api/errors.js';
import { fromTemporal, matchingRefusal, TEMPORAL_REFUSALS } from '../../api/temporal-errors.js';
import type { Request, Response } from 'express';

/**
 * What Temporal answers, as the API's callers see it: one case per row of the table, each
 * asserting the status, `Retry-After` where the client should come back, and which row took it.
 */

/** A gRPC error as @grpc/grpc-js raises it, wrapped the way the Temporal client wraps it. */
const grpcError = (code: number, details: string, wrapper = 'Failed to query Workflow') =>
  new ServiceError(wrapper, {
    cause: Object.assign(new Error(`${code} ${details}`), { code, details }),
  });

interface Row {
  readonly when: string;
  readonly error: unknown;
  readonly status: number;
  readonly retryAfter?: number;
  readonly detail?: RegExp;
}

const sendRefusal = (type: string, status: number, detail: string) =>
  new WorkflowUpdateFailedError(
    'Workflow Update failed',
    ApplicationFailure.create({
      type,
      message: detail,
      nonRetryable: true,
      details: [{ status, detail, allowedEvents: ['INVITATION_REVOKED'] }],
    }),
  );

const ROWS: readonly Row[] = [
  {
    when: 'namespace not found or not active',
    error: new WorkflowNotFoundError('Namespace praxisflow is not found.', 'invitation-1', ''),
    status: 503,
    retryAfter: 5,
    detail: /namespace/i,
  },
  {
    when: 'workflow not found',
    error: new WorkflowNotFoundError('workflow not found for ID: invitation-1', 'invitation-1', ''),
    status: 404,
  },
  {
    when: 'workflow already started (same id running)',
    error: new WorkflowExecutionAlreadyStartedError(
      'Workflow execution already started',
      'invitation-1',
      'invitation',
    ),
    status: 409,
  },
  {
    when: 'update refused by the process (unknown event, bad payload, not allowed, rejected)',
    error: sendRefusal('NotAllowed', 409, 'Event X is not allowed in state expired'),
    status: 409,
    detail: /not allowed/,
  },
  {
    when: 'workflow already completed',
    error: grpcError(5, 'workflow execution already completed', 'Workflow Update failed'),
    status: 409,
    detail: /has ended/,
  },
  {
    when: 'workflow task in failed state / unexpected workflow task failure',
    error: grpcError(9, 'Workflow Task in failed state.'),
    status: 503,
    retryAfter: 5,
  },
  {
    when: 'workflow task timed out',
    error: grpcError(2, 'query failed: workflow task timed out'),
    status: 503,
    retryAfter: 5,
  },
  {
    when: 'no worker polls the task queue',
    error: grpcError(
      9,
      'FAILED_PRECONDITION: no poller seen for task queue recently, worker may be down',
    ),
    status: 503,
    retryAfter: 5,
    detail: /worker/i,
  },
  {
    when: 'Temporal unreachable (UNAVAILABLE, connection refused or lost)',
    error: grpcError(14, 'No connection established. Last error: connect ECONNREFUSED'),
    status: 503,
    retryAfter: 5,
    detail: /Temporal/,
  },
  {
    when: 'DEADLINE_EXCEEDED, or the update call timed out',
    error: grpcError(4, 'context deadline exceeded'),
    status: 503,
    retryAfter: 5,
    detail: /worker/,
  },
  {
    when: 'RESOURCE_EXHAUSTED',
    error: grpcError(
      8,
      'consistent query buffer is full, this may be caused by too many queries and workflow not able to process query fast enough',
    ),
    status: 503,
    retryAfter: 5,
  },
  {
    when: 'CANCELLED',
    error: grpcError(1, 'context canceled'),
    status: 503,
    retryAfter: 5,
  },
  {
    when: 'ABORTED, INTERNAL, UNKNOWN (a passing fault inside Temporal)',
    error: grpcError(13, 'persistence failure'),
    status: 503,
    retryAfter: 5,
  },
  {
    when: 'PERMISSION_DENIED, UNAUTHENTICATED, UNIMPLEMENTED (the deployment, not the request)',
    error: grpcError(16, 'Request unauthorized.'),
    status: 503,
    retryAfter: 60,
  },
  {
    when: 'any other Temporal service error',
    error: new ServiceError('Unexpected error while making gRPC request'),
    status: 503,
    retryAfter: 5,
  },
];

/** The status and headers the API's one error path sends for an error. */
function answered(error: unknown) {
  const sent = { status: 0, headers: {} as Record<string, string> };
  const res = {
    set: (name: string, value: string) => ((sent.headers[name.toLowerCase()] = value), res),
    status: (status: number) => ((sent.status = status), res),
    type: () => res,
    json: () => res,
  };
  const req = { method: 'GET', path: '/x', originalUrl: '/x' } as Request;
  problemHandler(error, req, res as unknown as Response, () => undefined);
  return sent;
}

describe('fromTemporal, row by row', () => {
  it('has a case here for every row of the table', () => {
    expect(ROWS.map((row) => row.when)).toEqual(TEMPORAL_REFUSALS.map((row) => row.when));
  });

  it.each(ROWS)('when $when, then $status', (row) => {
    const mapped = fromTemporal(row.error, 'invitation-1');

    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({ status: row.status, retryAfter: row.retryAfter });
    if (row.detail) expect((mapped as AppError).detail).toMatch(row.detail);
    // The row meant for the case answered it, not an earlier one by accident.
    expect(matchingRefusal(row.error)?.when).toBe(row.when);
  });

  it('when the answer is a 503, then the client is told when to come back (Retry-After)', () => {
    for (const row of ROWS.filter((candidate) => candidate.status === 503)) {
      const sent = answered(fromTemporal(row.error, 'invitation-1'));
      expect(sent.status, row.when).toBe(503);
      expect(Number(sent.headers['retry-after']), row.when).toBeGreaterThan(0);
    }
  });

  it('when the update call itself timed out on the client, then 503, not 500', () => {
    const error = new WorkflowUpdateRPCTimeoutOrCancelledError('Workflow update call timeout', {
      cause: grpcError(4, 'deadline'),
    });
    expect(fromTemporal(error, 'invitation-1')).toMatchObject({ status: 503 });
  });

  it('when the error is not Temporal’s, then it passes through unchanged', () => {
    const other = new Error('something else');
    expect(fromTemporal(other, 'x')).toBe(other);
  });
});
