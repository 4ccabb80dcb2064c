/**
 * Webhook delivery lag under the start load of B1: a receiver on localhost subscribed to
 * `process.started` of invitations; each delivery's lag is counted from the step's time in the
 * payload (when the process took its first step) and from the API's answer to the start (when
 * the client learnt of the process), to the moment the receiver has the request and its
 * signature verified.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { quantile } from './lib.js';
import type { BenchStack } from './stack.js';

export interface Lag {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface WebhookLag {
  /** Deliveries received of the processes started. */
  readonly delivered: number;
  /** Deliveries received twice or more (at least once allows it; counted, not expected here). */
  readonly duplicates: number;
  readonly invalidSignatures: number;
  readonly sinceStep: Lag;
  readonly sinceAnswer: Lag;
  /** The step's time → the delivery row written (the read model's projection of the step). */
  readonly stepToRow: Lag;
  /** The delivery row written → the receiver's answer recorded (the dispatcher's share). */
  readonly rowToDelivered: Lag;
}

const lag = (values: number[]): Lag => {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1) ?? NaN };
};

const bodyOf = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
};

/**
 * Subscribes a receiver, runs `load` (which answers each started process's id with the time
 * its start was answered, `Date.now()`), waits up to `waitMs` for every delivery, and measures.
 */
export async function measureWebhookLag(
  stack: BenchStack,
  load: () => Promise<ReadonlyMap<string, number>>,
  waitMs = 60_000,
): Promise<WebhookLag> {
  const received = new Map<string, { at: number; stepAt: number }>();
  let duplicates = 0;
  let invalidSignatures = 0;
  let verifier: Webhook | undefined;
  let allIn: (() => void) | undefined;
  let expected = Infinity;
  const server = createServer((request, response) => {
    void bodyOf(request).then((body) => {
      const at = Date.now();
      try {
        verifier!.verify(body, request.headers as Record<string, string>);
      } catch {
        invalidSignatures += 1;
      }
      const event = JSON.parse(body) as { timestamp: string; data: { processId: string } };
      if (received.has(event.data.processId)) duplicates += 1;
      else received.set(event.data.processId, { at, stepAt: Date.parse(event.timestamp) });
      response.writeHead(204).end();
      if (received.size >= expected) allIn?.();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  try {
    const subscription = await stack.api<{ id: string; secret: string }>(
      'POST',
      '/api/v1/webhooks',
      { url, events: ['process.started'], processTypes: ['invitation'] },
      201,
    );
    verifier = new Webhook(subscription.secret);
    const answered = await load();
    expected = answered.size;
    if (received.size < expected) {
      await new Promise<void>((resolve) => {
        allIn = resolve;
        setTimeout(resolve, waitMs).unref();
      });
    }
    const { rows } = await stack.pool.query<{ row_ms: number; delivered_ms: number }>(
      `select extract(epoch from created_at - occurred_at) * 1000 as row_ms,
         extract(epoch from delivered_at - created_at) * 1000 as delivered_ms
       from webhook_deliveries where subscription_id = $1 and status = 'delivered'`,
      [subscription.id],
    );
    await stack.api('DELETE', `/api/v1/webhooks/${subscription.id}`, undefined, 204);
    const sinceStep: number[] = [];
    const sinceAnswer: number[] = [];
    for (const [id, answeredAt] of answered) {
      const delivery = received.get(id);
      if (!delivery) continue;
      sinceStep.push(delivery.at - delivery.stepAt);
      sinceAnswer.push(delivery.at - answeredAt);
    }
    return {
      delivered: sinceStep.length,
      duplicates,
      invalidSignatures,
      sinceStep: lag(sinceStep),
      sinceAnswer: lag(sinceAnswer),
      stepToRow: lag(rows.map((row) => Number(row.row_ms))),
      rowToDelivered: lag(rows.map((row) => Number(row.delivered_ms))),
    };
  } finally {
    server.close();
  }
}
