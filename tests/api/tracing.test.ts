import { randomBytes } from 'node:crypto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../observability/tracing.js';
import { startApiStack, type ApiStack } from '../support/api-stack.js';
import { waitForMessage } from '../support/mailcatcher.js';

/**
 * With tracing on, one invitation is one trace: the API's request, the Temporal client's start,
 * the workflow's run and its activity calls (made in the sandbox, exported through the sink),
 * the activities' runs, the SMTP send and the database writes.
 */
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let api: ApiStack;

beforeAll(async () => {
  tracing = startTracing('praxisflow-test', { spanProcessor: new SimpleSpanProcessor(exporter) });
  api = await startApiStack({ tracing });
});

afterAll(async () => {
  await api?.stop();
  await tracing?.shutdown();
});

const names = (spans: readonly ReadableSpan[]) => spans.map((span) => span.name);

describe('traces', () => {
  it('when an invitation is started through the API, then one trace holds the request, the workflow, its activities, the email and the database writes', async () => {
    const email = `trace.${randomBytes(4).toString('hex')}@praxis.example`;
    const created = await api.request('POST', '/api/v1/processes/invitation', {
      body: {
        input: {
          salutation: 'Frau',
          firstName: 'Tara',
          lastName: 'Lindner',
          email,
          practiceId: 'BSNR-555555555',
        },
      },
    });
    expect(created.status).toBe(201);
    await waitForMessage({ to: email, timeoutMs: 30_000 });
    // The workflow's own span ends when it does: cancel it (a request and a trace of its own).
    const cancelled = await api.request('DELETE', `/api/v1/processes/${created.body.id}`, {
      body: { reason: 'Test beendet' },
    });
    expect(cancelled.status).toBe(200);
    await expect
      .poll(() => names(exporter.getFinishedSpans()), { timeout: 15_000 })
      .toContain('RunWorkflow:invitation');

    const spans = exporter.getFinishedSpans();
    const request = spans.find((span) => span.name === 'POST /api/v1/processes/:type');
    expect(request).toBeDefined();
    const traceId = request!.spanContext().traceId;
    const trace = spans.filter((span) => span.spanContext().traceId === traceId);
    expect(names(trace)).toEqual(
      expect.arrayContaining([
        'POST /api/v1/processes/:type',
        'StartWorkflow:invitation',
        'RunWorkflow:invitation',
        'StartActivity:issueRegistrationLink',
        'RunActivity:issueRegistrationLink',
        'smtp send',
        'pg insert',
      ]),
    );
    // The workflow's run is this process's, in the request's trace.
    const workflow = trace.find((span) => span.name === 'RunWorkflow:invitation')!;
    expect(Object.values(workflow.attributes)).toContain(created.body.id);
    // The email is sent inside the activity that sends it.
    const run = trace.find((span) => span.name === 'RunActivity:issueRegistrationLink')!;
    const send = trace.find((span) => span.name === 'smtp send')!;
    expect(send.parentSpanId).toBe(run.spanContext().spanId);
    // No span names a recipient.
    expect(JSON.stringify(spans.map((span) => span.attributes))).not.toContain(email);
  }, 90_000);
});
