import { describe, expect, it } from 'vitest';
import { AppError } from '../../api/errors.js';
import { fromTemporal } from '../../api/temporal-errors.js';

/** What Temporal answers, as the API's callers see it: a dependency down is 503, never 500. */

const grpcError = (code: number, message: string) =>
  Object.assign(new Error('Failed to query Workflow'), {
    cause: Object.assign(new Error(`${code} ${message}`), { code }),
  });

describe('fromTemporal', () => {
  it('turns a query no worker can answer into 503 with Retry-After', () => {
    const mapped = fromTemporal(
      grpcError(
        9,
        'FAILED_PRECONDITION: no poller seen for task queue recently, worker may be down',
      ),
      'nightlyDigest-BSNR-1',
    );
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({ status: 503, retryAfter: 5 });
    expect((mapped as AppError).detail).toMatch(/worker/i);
  });

  it('turns a query Temporal sheds (consistent query buffer full) into 503, not 500', () => {
    const mapped = fromTemporal(
      grpcError(
        8,
        'RESOURCE_EXHAUSTED: consistent query buffer is full, this may be caused by too many queries and workflow not able to process query fast enough',
      ),
      'invitation-1',
    );
    expect(mapped).toMatchObject({ status: 503, retryAfter: 5 });
  });

  it('turns an update refused for a failed workflow task (worker killed mid-task) into 503', () => {
    const mapped = fromTemporal(
      grpcError(
        9,
        'FAILED_PRECONDITION: Unable to perform workflow execution update due to unexpected workflow task failure.',
      ),
      'invitation-1',
    );
    expect(mapped).toMatchObject({ status: 503, retryAfter: 5 });
  });

  it('turns a query the server cancelled (its worker killed while answering) into 503', () => {
    const mapped = fromTemporal(grpcError(1, 'CANCELLED: context canceled'), 'invitation-1');
    expect(mapped).toMatchObject({ status: 503, retryAfter: 5 });
  });

  it('turns a call nobody answered in time into 503 that does not blame the cluster alone', () => {
    const mapped = fromTemporal(grpcError(4, 'DEADLINE_EXCEEDED: context deadline exceeded'), 'x');
    expect(mapped).toMatchObject({ status: 503, retryAfter: 5 });
    expect((mapped as AppError).detail).toMatch(/worker/);
  });

  it('turns an unreachable cluster into 503 and leaves an unknown error alone', () => {
    expect(fromTemporal(grpcError(14, 'UNAVAILABLE: connect ECONNREFUSED'), 'x')).toMatchObject({
      status: 503,
    });
    const other = new Error('something else');
    expect(fromTemporal(other, 'x')).toBe(other);
  });
});
